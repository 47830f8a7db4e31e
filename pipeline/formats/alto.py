"""ALTO 4 XML output: one document, one `Page` per page, the corrected words as `String`s.

Positions are in pixels of the page image as loaded (`MeasurementUnit` pixel). Each paragraph
is a `TextBlock`, each line a `TextLine`; a `String` carries CONTENT, HPOS, VPOS, WIDTH, HEIGHT
and WC (Tesseract's word confidence, 0-1), with an `SP` between neighbouring words.
"""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from importlib.metadata import version

from vnocr import layout
from vnocr.image.geometry import Box
from vnocr.layout import BoxedWord

NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"
SCHEMA_VERSION = "4.4"


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


def _position(element: ET.Element, box: Box) -> ET.Element:
    left, top, width, height = box
    element.set("HPOS", str(left))
    element.set("VPOS", str(top))
    element.set("WIDTH", str(width))
    element.set("HEIGHT", str(height))
    return element


def _description(root: ET.Element, source: str) -> None:
    description = ET.SubElement(root, _tag("Description"))
    ET.SubElement(description, _tag("MeasurementUnit")).text = "pixel"
    image = ET.SubElement(description, _tag("sourceImageInformation"))
    ET.SubElement(image, _tag("fileName")).text = source
    processing = ET.SubElement(description, _tag("Processing"), {"ID": "vnocr"})
    ET.SubElement(processing, _tag("processingCategory")).text = "contentGeneration"
    ET.SubElement(
        processing, _tag("processingStepDescription")
    ).text = "Tesseract OCR, then diacritic restoration and correction by vnocr"
    software = ET.SubElement(processing, _tag("processingSoftware"))
    ET.SubElement(software, _tag("softwareName")).text = "vnocr"
    ET.SubElement(software, _tag("softwareVersion")).text = version("vnocr")


def _page(
    layout_element: ET.Element, number: int, words: Sequence[BoxedWord], size: tuple[int, int]
) -> None:
    width, height = size
    page = ET.SubElement(
        layout_element,
        _tag("Page"),
        {
            "ID": f"page_{number}",
            "PHYSICAL_IMG_NR": str(number),
            "WIDTH": str(width),
            "HEIGHT": str(height),
        },
    )
    space = _position(ET.SubElement(page, _tag("PrintSpace")), (0, 0, width, height))
    blocks = lines = strings = 0
    for block in layout.blocks(words):
        for paragraph in block.paragraphs:
            blocks += 1
            text_block = ET.SubElement(space, _tag("TextBlock"), {"ID": f"p{number}_b{blocks}"})
            _position(text_block, paragraph.box)
            for line in paragraph.lines:
                lines += 1
                text_line = ET.SubElement(
                    text_block, _tag("TextLine"), {"ID": f"p{number}_l{lines}"}
                )
                _position(text_line, line.box)
                previous: BoxedWord | None = None
                for word in line.words:
                    if previous is not None:
                        gap = word.box[0] - (previous.box[0] + previous.box[2])
                        sp = ET.SubElement(text_line, _tag("SP"))
                        sp.set("HPOS", str(previous.box[0] + previous.box[2]))
                        sp.set("VPOS", str(min(previous.box[1], word.box[1])))
                        sp.set("WIDTH", str(max(0, gap)))
                    strings += 1
                    string = ET.SubElement(
                        text_line, _tag("String"), {"ID": f"p{number}_w{strings}"}
                    )
                    string.set("CONTENT", word.text)
                    _position(string, word.box)
                    if word.conf >= 0:
                        string.set("WC", f"{min(100.0, word.conf) / 100:.2f}")
                    previous = word


def document(
    source: str, pages: Iterable[tuple[int, Sequence[BoxedWord], tuple[int, int]]]
) -> bytes:
    """The ALTO XML of one document: `pages` are (page number, words, image size)."""
    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(
        _tag("alto"),
        {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION, "SCHEMAVERSION": SCHEMA_VERSION},
    )
    _description(root, source)
    layout_element = ET.SubElement(root, _tag("Layout"))
    for number, words, size in pages:
        _page(layout_element, number, words, size)
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def _box(element: ET.Element) -> Box:
    left, top, width, height = (
        round(float(element.get(name, 0))) for name in ("HPOS", "VPOS", "WIDTH", "HEIGHT")
    )
    return (left, top, width, height)


def read_words(data: bytes) -> dict[int, list[tuple[str, Box]]]:
    """The words and boxes of each page (PHYSICAL_IMG_NR) of an ALTO 4 document."""
    root = ET.fromstring(data)
    pages: dict[int, list[tuple[str, Box]]] = {}
    for order, page in enumerate(root.iter(_tag("Page")), start=1):
        number = order
        with contextlib.suppress(ValueError):
            number = int(float(page.get("PHYSICAL_IMG_NR", order)))
        pages[number] = [
            (string.get("CONTENT", ""), _box(string)) for string in page.iter(_tag("String"))
        ]
    return pages
