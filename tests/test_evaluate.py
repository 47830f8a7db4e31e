"""vnocr.text.evaluate: CER/WER on known strings, normalisation, tone-style equivalence."""

from __future__ import annotations

import pytest

from vnocr.text.evaluate import cer, compare, normalize_for_eval, summary_line, wer


def test_cer_known_values():
    assert cer("abcd", "abcd") == 0.0
    assert cer("abcd", "abed") == pytest.approx(1 / 4)
    assert cer("abcd", "ab") == pytest.approx(2 / 4)
    assert cer("ab", "abcd") == pytest.approx(2 / 2)


def test_wer_known_values():
    assert wer("một hai ba bốn", "một hai ba bốn") == 0.0
    assert wer("một hai ba bốn", "một hai ba bón") == pytest.approx(1 / 4)
    assert wer("một hai ba bốn", "một ba bốn") == pytest.approx(1 / 4)
    assert wer("một hai", "một hai ba bốn") == pytest.approx(2 / 2)


def test_diacritic_error_counts_one_character():
    assert cer("Việt Nam", "Viet Nam") == pytest.approx(1 / 8)
    assert wer("Việt Nam", "Viet Nam") == pytest.approx(1 / 2)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hòa", "hoà"),
        ("thủy", "thuỷ"),
        ("khỏe", "khoẻ"),
        ("Hòa Bình", "Hoà Bình"),
        ("THỦY LỢI", "THUỶ LỢI"),
    ],
)
def test_tone_styles_are_equal(old, new):
    assert cer(old, new) == 0.0
    assert wer(old, new) == 0.0


def test_tone_style_does_not_hide_real_errors():
    assert cer("hòa", "hóa") == pytest.approx(1 / 3)


def test_whitespace_and_nfc_are_folded():
    reference = "Cộng hòa\n\nxã hội\fchủ nghĩa"
    hypothesis = "  Cộng  ho\u0300a xa\u0303 hội\tchủ nghĩa \n"
    assert normalize_for_eval(hypothesis) == "Cộng hòa xã hội chủ nghĩa"
    assert cer(reference, hypothesis) == 0.0
    assert wer(reference, hypothesis) == 0.0


def test_empty_reference():
    assert cer("", "") == 0.0
    assert cer("", "abc") == pytest.approx(3.0)


def test_compare_and_summary():
    figures = compare("một hai ba bốn", "một hai ba bón")
    assert figures["char_distance"] == 1 and figures["word_distance"] == 1
    assert figures["ref_chars"] == 14 and figures["ref_words"] == 4
    assert summary_line(figures) == "CER 7.14%  WER 25.00%  (ref 14 chars, 4 words)"
