"""Structural check of ALTO 4 documents against the rules of the ALTO 4.4 schema that apply to
the elements vnocr writes (the XSD itself is not shipped: it imports the XLink schema over the
network). Element order and required children follow the schema's sequences; attribute types
(xsd:float positions, WC in 0-1, unique xsd:ID values) its simple types.
"""

from __future__ import annotations

import re

from lxml import etree

NS = "http://www.loc.gov/standards/alto/ns-v4#"
_NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")
POSITION = ("HPOS", "VPOS", "WIDTH", "HEIGHT")


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _children(element: etree._Element) -> list[str]:
    return [etree.QName(child).localname for child in element]


def _float(element: etree._Element, name: str, required: bool = False) -> float | None:
    value = element.get(name)
    if value is None:
        assert not required, f"{element.tag} lacks required {name}"
        return None
    return float(value)  # raises on a value that is not an xsd:float


def _in_order(names: list[str], order: list[str]) -> bool:
    ranks = [order.index(name) for name in names]
    return ranks == sorted(ranks)


def check(data: bytes) -> etree._Element:
    """Parse ALTO 4 bytes and assert the schema rules; returns the root element."""
    root = etree.fromstring(data)
    assert root.tag == _q("alto")
    top = _children(root)
    assert top[-1] == "Layout" and top.count("Layout") == 1
    assert _in_order(top, ["Description", "Styles", "Tags", "ReadingOrder", "Layout"])
    description = root.find(_q("Description"))
    if description is not None:
        names = _children(description)
        assert names[0] == "MeasurementUnit"
        assert description.findtext(_q("MeasurementUnit")) in ("pixel", "mm10", "inch1200")
        assert _in_order(
            names, ["MeasurementUnit", "sourceImageInformation", "OCRProcessing", "Processing"]
        )
        for step in description.findall(_q("Processing")):
            assert step.get("ID")
            assert _in_order(
                _children(step),
                [
                    "processingCategory",
                    "processingDateTime",
                    "processingAgency",
                    "processingStepDescription",
                    "processingStepSettings",
                    "processingSoftware",
                ],
            )
    ids: set[str] = set()
    for element in root.iter():
        ident = element.get("ID")
        if ident is not None:
            assert _NCNAME.match(ident), f"bad xsd:ID {ident!r}"
            assert ident not in ids, f"duplicate ID {ident!r}"
            ids.add(ident)
    layout = root.find(_q("Layout"))
    pages = layout.findall(_q("Page"))
    assert pages and _children(layout) == ["Page"] * len(pages)
    for page in pages:
        assert page.get("ID")
        _float(page, "PHYSICAL_IMG_NR", required=True)
        for name in ("WIDTH", "HEIGHT"):
            _float(page, name)
        assert _in_order(
            _children(page),
            ["TopMargin", "LeftMargin", "RightMargin", "BottomMargin", "PrintSpace"],
        )
        for block in page.iter(_q("TextBlock")):
            assert block.get("ID"), "TextBlock needs an ID"
            for name in POSITION:
                _float(block, name)
            assert set(_children(block)) <= {"Shape", "TextLine"}
            for line in block.findall(_q("TextLine")):
                for name in POSITION:
                    _float(line, name)
                kinds = _children(line)
                assert kinds and kinds[0] == "String", "a TextLine starts with a String"
                for before, after in zip(kinds, kinds[1:], strict=False):
                    assert not (before == "SP" and after == "SP"), "two SP in a row"
                    assert after in ("String", "SP", "HYP")
                for string in line.findall(_q("String")):
                    assert string.get("CONTENT") is not None, "String needs CONTENT"
                    for name in POSITION:
                        _float(string, name)
                    wc = _float(string, "WC")
                    assert wc is None or 0.0 <= wc <= 1.0
    return root
