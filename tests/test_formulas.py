"""Numbers in date and document-number formulas: repaired from look-alikes, never made words."""

from __future__ import annotations

import pytest

from vnocr.restore.formulas import repair_numbers


@pytest.mark.parametrize(
    ("garbled", "repaired"),
    [
        ("Hà Nội, ngày 01 tháng 1] năm 2017", "Hà Nội, ngày 01 tháng 11 năm 2017"),
        ("ngày I5 tháng 1l năm 2022;", "ngày 15 tháng 11 năm 2022;"),
        ("Căn cứ Luật ngày 22 tháng 6\nnăm 2O15;", "Căn cứ Luật ngày 22 tháng 6\nnăm 2015;"),
        ("Số: 7O7/QĐ-TTg", "Số: 707/QĐ-TTg"),
        ("Số: \\64 -CV/ITB", "Số: 164 -CV/ITB"),
    ],
)
def test_garbled_formula_numbers_are_repaired(garbled: str, repaired: str) -> None:
    assert repair_numbers(garbled)[0] == repaired


@pytest.mark.parametrize(
    "text",
    [
        "ngày 01 tháng 1S năm 2017",  # 15 is no month: left for the corrector to see
        "ngày 40 tháng 10 năm 2017",  # already digits, even out of range
        "trong tháng là năm 2022 vẫn",  # no day and the year is fine, but `là` has no digit look
        "ngày càng tháng ít năm nay",  # not a date formula
        "Số lượng 5 người",  # not a document number
    ],
)
def test_text_that_is_not_a_fixable_formula_is_left_alone(text: str) -> None:
    assert repair_numbers(text) == (text, [])


def test_repairs_are_reported_with_line_and_column() -> None:
    _, repairs = repair_numbers("Quyết định\nngày 3 tháng I2 năm 2019")
    assert [(r.line, r.column, r.old, r.new) for r in repairs] == [(1, 13, "I2", "12")]


def test_the_corrector_path_never_turns_a_formula_number_into_a_word() -> None:
    from vnocr import api
    from vnocr.restore.correct import Corrector

    text = "Hà Nội, ngày 15 tháng 1l năm 2022"
    assert api.correct_text(text, Corrector()).text == "Hà Nội, ngày 15 tháng 11 năm 2022"
