"""scripts/pagegen.py: fonts, rendering and deterministic degradation (no OCR)."""

from __future__ import annotations

import pytest

from scripts.pagegen import degrade, detokenize, find_fonts, render_page, wrap_words

FONTS = find_fonts()
pytestmark = pytest.mark.skipif(not FONTS, reason="no font with Vietnamese coverage installed")
LINES = ["Quyền được thông tin là một trong những", "", "quyền cơ bản của con người, Ủy ban"]


def test_find_fonts_are_files() -> None:
    assert all(f.is_file() for f in FONTS)
    assert all("Bold" not in f.name and "Italic" not in f.name for f in FONTS)


def test_render_page_one_box_per_line() -> None:
    page = render_page(LINES, FONTS[0], 12)
    assert page.mode == "L" and page.info["dpi"] == (300, 300)
    boxes = page.info["line_boxes"]
    assert len(boxes) == len(LINES)
    tops = [b[1] for b in boxes]
    assert tops == sorted(tops)
    assert boxes[0][2] > boxes[0][0] and boxes[1][2] == boxes[1][0]  # the blank line is empty


@pytest.mark.parametrize(("level", "dpi"), [("clean", 300), ("scan", 200), ("poor", 150)])
def test_degrade_is_deterministic(level: str, dpi: int) -> None:
    page = render_page(LINES, FONTS[0], 12)
    a, b = degrade(page, level, seed=3), degrade(page, level, seed=3)
    assert a.tobytes() == b.tobytes()
    assert a.info["dpi"] == (dpi, dpi)
    assert len(a.info["line_boxes"]) == len(LINES)
    if level != "clean":
        assert degrade(page, level, seed=4).tobytes() != a.tobytes()
        assert 0.4 <= abs(a.info["skew"]) <= 3.5


def test_degrade_rejects_unknown_level() -> None:
    with pytest.raises(ValueError):
        degrade(render_page(LINES, FONTS[0], 12), "awful", seed=0)


def test_wrap_words_fits_width() -> None:
    words = (" ".join(LINES) * 5).split()
    lines = wrap_words(words, FONTS[0], 11, 3.0)
    assert " ".join(lines).split() == words and len(lines) > 1


def test_detokenize() -> None:
    assert (
        detokenize(["Xin", "chào", ",", "thế giới", "(", "test", ")", "."])
        == "Xin chào, thế giới (test)."
    )
