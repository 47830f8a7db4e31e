"""Garbled Roman numerals are put back only where a Roman numeral is expected."""

from __future__ import annotations

import pytest

from vnocr.restore.correct import Corrector
from vnocr.restore.numerals import read_roman


def test_characters_read_for_i_spell_a_numeral() -> None:
    assert read_roman("X1") == "XI"
    assert read_roman("XIIT") == "XIII"
    assert read_roman("1fI") == "III"
    assert read_roman("XTIV") == "XIV"  # no numeral with T as I: the stray T is dropped


def test_numerals_read_right_and_other_words_are_no_garbles() -> None:
    for word in ("XIV", "1", "12", "Tổ", "VIỆT", "TTg", "Ml"):
        assert read_roman(word) is None


@pytest.fixture(scope="module")
def corrector() -> Corrector:
    return Corrector()


def test_numerals_are_restored_in_headings_after_khoa_and_in_lists(corrector: Corrector) -> None:
    text = "\n".join(
        [
            "1I- KET QUA THUC HIEN",
            "Ban Chấp hành Trung ương Đảng khóa X1 và các địa phương",
            "Nghi quyét Trung uong 4 (khoa XI, XII, XIIT) dugc trien khai.",
        ]
    )
    lines = corrector.correct(text).text.split("\n")
    assert lines[0].startswith("II- KẾT QUẢ")
    assert "khóa XI và" in lines[1]
    assert "(khóa XI, XII, XIII)" in lines[2]


def test_arabic_numbers_and_words_elsewhere_are_left(corrector: Corrector) -> None:
    text = "1. Két qua dat dugc\nDoan cong tac cé 1I thanh vién."
    lines = corrector.correct(text).text.split("\n")
    assert lines[0].startswith("1. ")
    assert "II" not in lines[1]  # not where a Roman numeral is expected
