"""hOCR output: the corrected words of each page at their positions (XHTML, hOCR 1.2 classes).

One `ocr_page` per page; its blocks (`ocr_carea`), paragraphs (`ocr_par`), lines (`ocr_line`)
and words (`ocrx_word`, with `x_wconf`) carry `bbox` in pixels of the page image as loaded.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from vnocr import layout
from vnocr.image.geometry import Box
from vnocr.layout import BoxedWord

XHTML = "http://www.w3.org/1999/xhtml"
DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)
CAPABILITIES = "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf"


def _bbox(box: Box) -> str:
    left, top, width, height = box
    return f"bbox {left} {top} {left + width} {top + height}"


def _element(parent: ET.Element, tag: str, cls: str, ident: str, title: str) -> ET.Element:
    return ET.SubElement(parent, tag, {"class": cls, "id": ident, "title": title})


def add_page(
    body: ET.Element,
    number: int,
    words: Sequence[BoxedWord],
    size: tuple[int, int],
    image: str = "",
    dpi: float | None = None,
    lang: str = "vie",
) -> ET.Element:
    """Append the `ocr_page` div of page `number` (1-based) to `body`."""
    title = f"bbox 0 0 {size[0]} {size[1]}; ppageno {number - 1}"
    if image:
        title = f'image "{image}"; {title}'
    if dpi:
        title += f"; scan_res {round(dpi)} {round(dpi)}"
    page = _element(body, "div", "ocr_page", f"page_{number}", title)
    counts = {"block": 0, "par": 0, "line": 0, "word": 0}

    def ident(kind: str) -> str:
        counts[kind] += 1
        return f"{kind}_{number}_{counts[kind]}"

    for block in layout.blocks(words):
        area = _element(page, "div", "ocr_carea", ident("block"), _bbox(block.box))
        for paragraph in block.paragraphs:
            par = _element(area, "p", "ocr_par", ident("par"), _bbox(paragraph.box))
            par.set("lang", lang)
            for line in paragraph.lines:
                span = _element(par, "span", "ocr_line", ident("line"), _bbox(line.box))
                element = None
                for word in line.words:
                    if element is not None:
                        element.tail = " "  # the text of a line reads with its spaces
                    conf = max(0, round(word.conf))
                    title = f"{_bbox(word.box)}; x_wconf {conf}"
                    element = _element(span, "span", "ocrx_word", ident("word"), title)
                    element.text = word.text
                span.tail = "\n"
    return page


def new_document(lang: str = "vie") -> tuple[ET.Element, ET.Element]:
    """An empty hOCR document: (html root, body)."""
    ET.register_namespace("", XHTML)
    html = ET.Element(f"{{{XHTML}}}html", {"xml:lang": "vi", "lang": "vi"})
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "title").text = ""
    ET.SubElement(
        head, "meta", {"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"}
    )
    ET.SubElement(head, "meta", {"name": "ocr-system", "content": "vnocr"})
    ET.SubElement(head, "meta", {"name": "ocr-capabilities", "content": CAPABILITIES})
    ET.SubElement(head, "meta", {"name": "ocr-langs", "content": lang})
    body = ET.SubElement(html, "body")
    return html, body


def serialize(html: ET.Element) -> bytes:
    """The document as UTF-8 XHTML bytes with its XML declaration and doctype."""
    _qualify(html)
    text = ET.tostring(html, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{DOCTYPE}\n{text}\n'.encode()


def _qualify(element: ET.Element) -> None:
    """Put every element in the XHTML namespace (hOCR readers expect it)."""
    for node in element.iter():
        if not node.tag.startswith("{"):
            node.tag = f"{{{XHTML}}}{node.tag}"


def document(pages: Iterable[tuple[int, Sequence[BoxedWord], tuple[int, int]]]) -> bytes:
    """An hOCR document of several pages: (page number, words, image size) each."""
    html, body = new_document()
    for number, words, size in pages:
        add_page(body, number, words, size)
    return serialize(html)


def read_words(data: bytes) -> dict[int, list[tuple[str, Box]]]:
    """The words and boxes of each page (ppageno + 1, else its order) of an hOCR document."""
    root = ET.fromstring(data)
    pages: dict[int, list[tuple[str, Box]]] = {}
    number = 0
    for div in root.iter(f"{{{XHTML}}}div"):
        if div.get("class") != "ocr_page":
            continue
        number += 1
        match = re.search(r"\bppageno (\d+)", div.get("title", ""))
        page = int(match.group(1)) + 1 if match else number
        words: list[tuple[str, Box]] = []
        for span in div.iter(f"{{{XHTML}}}span"):
            bbox = re.search(r"\bbbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)", span.get("title", ""))
            if span.get("class") == "ocrx_word" and bbox:
                x0, y0, x1, y1 = (int(v) for v in bbox.groups())
                words.append(("".join(span.itertext()).strip(), (x0, y0, x1 - x0, y1 - y0)))
        pages[page] = words
    return pages
