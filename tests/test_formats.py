"""hOCR and ALTO writers, and atomic writes by file name (no Tesseract needed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from alto_check import NS, check

from vnocr.formats import alto, hocr
from vnocr.layout import BoxedWord
from vnocr.outputs import atomic_path

WORDS = [
    BoxedWord("Nghị", (100, 200, 90, 40), 96.0, 1, 1, 1),
    BoxedWord("quyết", (200, 200, 110, 40), 91.0, 1, 1, 1),
    BoxedWord("số", (100, 260, 40, 40), 88.0, 1, 1, 2),
    BoxedWord("25-NQ/TW", (150, 260, 200, 40), -1.0, 1, 1, 2),
    BoxedWord("Đảng", (100, 400, 100, 40), 97.0, 2, 1, 1),
]
SIZE = (2480, 3508)


def test_alto_has_one_page_per_page_and_strings_with_positions_and_confidence():
    data = alto.document("scan.pdf", [(1, WORDS, SIZE), (2, WORDS[:2], SIZE)])
    root = check(data)
    pages = root.findall(f".//{{{NS}}}Page")
    assert [(p.get("PHYSICAL_IMG_NR"), p.get("WIDTH"), p.get("HEIGHT")) for p in pages] == [
        ("1", "2480", "3508"),
        ("2", "2480", "3508"),
    ]
    strings = pages[0].findall(f".//{{{NS}}}String")
    assert [s.get("CONTENT") for s in strings] == [w.text for w in WORDS]
    first = strings[0]
    assert (first.get("HPOS"), first.get("VPOS"), first.get("WIDTH"), first.get("HEIGHT")) == (
        "100",
        "200",
        "90",
        "40",
    )
    assert first.get("WC") == "0.96"
    assert strings[3].get("WC") is None  # no confidence known
    lines = pages[0].findall(f".//{{{NS}}}TextLine")
    assert [len(line.findall(f"{{{NS}}}String")) for line in lines] == [2, 2, 1]
    assert root.findtext(f".//{{{NS}}}fileName") == "scan.pdf"


def test_alto_check_catches_what_the_schema_forbids():
    good = alto.document("a.png", [(1, WORDS, SIZE)])
    check(good)
    for bad in (
        good.replace(b'WC="0.96"', b'WC="96"'),
        good.replace(b'HPOS="100"', b'HPOS="left"', 1),
        good.replace(b'ID="p1_w2"', b'ID="p1_w1"'),
        good.replace(b"<MeasurementUnit>pixel</MeasurementUnit>", b""),
    ):
        with pytest.raises((AssertionError, ValueError)):
            check(bad)


def test_hocr_pages_lines_and_words_with_boxes():
    data = hocr.document([(1, WORDS, SIZE), (2, WORDS[4:], SIZE)])
    root = ET.fromstring(data)
    xhtml = "{http://www.w3.org/1999/xhtml}"
    pages = [e for e in root.iter(f"{xhtml}div") if e.get("class") == "ocr_page"]
    assert [p.get("title") for p in pages] == [
        "bbox 0 0 2480 3508; ppageno 0",
        "bbox 0 0 2480 3508; ppageno 1",
    ]
    words = [e for e in pages[0].iter(f"{xhtml}span") if e.get("class") == "ocrx_word"]
    assert [w.text for w in words] == [w.text for w in WORDS]
    assert words[1].get("title") == "bbox 200 200 310 240; x_wconf 91"
    lines = [e for e in pages[0].iter(f"{xhtml}span") if e.get("class") == "ocr_line"]
    assert [line.get("title") for line in lines] == [
        "bbox 100 200 310 240",
        "bbox 100 260 350 300",
        "bbox 100 400 200 440",
    ]
    assert "".join(lines[0].itertext()) == "Nghị quyết"
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_atomic_path_leaves_nothing_on_error(tmp_path, error):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    with pytest.raises(type(error)), atomic_path(target) as temp:
        temp.write_bytes(b"partial")
        raise error
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]


def test_atomic_path_renames_on_success(tmp_path):
    target = tmp_path / "out.pdf"
    with atomic_path(target) as temp:
        assert temp.parent == tmp_path and not temp.exists()
        temp.write_bytes(b"%PDF-new")
    assert target.read_bytes() == b"%PDF-new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]
