"""Abbreviations and document codes: known forms put back in raw OCR and unmarked text only."""

from __future__ import annotations

import pytest

from vnocr.restore.abbreviations import Abbreviations
from vnocr.restore.correct import Corrector
from vnocr.restore.loader import load_models


@pytest.fixture(scope="module")
def known() -> Abbreviations:
    return load_models().abbreviations


def test_lexicon_gives_code_parts_and_bodies_not_heading_words(known: Abbreviations) -> None:
    for abbreviation in ("QĐ", "NQ", "TU", "TW", "HĐND", "UBND", "MTTQ", "CTr", "TTg"):
        assert abbreviation in known
    for not_one in ("BÁO", "CÁO", "XIII", "II"):  # heading syllables, Roman numerals
        assert not_one not in known


def test_raw_ocr_code_parts_are_restored(known: Abbreviations) -> None:
    assert known.restore_code("1157-QB/TU", bare=False)[0] == "1157-QĐ/TU"
    assert known.restore_code("274/QD-UBND", bare=False)[0] == "274/QĐ-UBND"
    assert known.restore_word("HPND", bare=False)[0] == "HĐND"


def test_two_confusions_are_restored_only_far_ahead_of_the_next(known: Abbreviations) -> None:
    assert known.restore_word("HDPND", bare=False)[0] == "HĐND"  # an extra letter and P for Đ
    assert known.restore_code("43-KIL/TW", bare=False)[0] == "43-KL/TW"
    assert known.restore_word("SG", bare=False) is None  # ST, but PG and SL are nearly as close


def test_roman_numerals_in_codes_are_no_parts(known: Abbreviations) -> None:
    assert known.restore_code("III/2024", bare=False) is None


def test_known_and_far_abbreviations_are_left_alone(known: Abbreviations) -> None:
    assert known.restore_code("25-NQ/TW", bare=False) is None
    assert known.restore_code("2023/NĐ-CP", bare=False) is None
    assert known.restore_word("WTO", bare=False) is None
    assert known.restore_word("ASEAN", bare=False) is None


def test_unmarked_text_only_gets_the_marks_back(known: Abbreviations) -> None:
    assert known.restore_code("120/QD-UBND", bare=True)[0] == "120/QĐ-UBND"
    assert known.restore_word("HDND", bare=True)[0] == "HĐND"
    assert known.restore_word("HPND", bare=True) is None  # a different letter, not a lost mark


def test_corrector_restores_codes_in_unmarked_text_but_not_in_clean_text() -> None:
    corrector = Corrector()
    bare = "Quyet dinh so 120/QD-UBND cua UBND tinh va Nghi quyet cua HDND tinh"
    result = corrector.correct(bare)
    assert "120/QĐ-UBND" in result.text and "HĐND" in result.text
    assert any(c.old == "120/QD-UBND" and c.new == "120/QĐ-UBND" for c in result.changes)
    clean = "Quyết định số 120/QD-UBND của Ủy ban nhân dân tỉnh về việc giao chỉ tiêu."
    assert corrector.correct(clean).text == clean
