"""Junk OCR words and lines (rules, stamp edges, seal and signature ink) are dropped."""

from __future__ import annotations

from vnocr.image import junk
from vnocr.image.ocr import PageOCR, Word, rebuild_text


def line(texts: list[str], conf: float, number: int) -> list[Word]:
    return [
        Word(text, conf, (10 * i, 20 * number, 8, 10), 1, 1, number, i + 1)
        for i, text in enumerate(texts)
    ]


def page(*lines: list[Word]) -> PageOCR:
    words = [word for words in lines for word in words]
    return PageOCR(words=words, text=rebuild_text(words), confidence=None)


def test_rule_noise_is_dropped_and_stripped_from_word_ends() -> None:
    result = junk.drop_junk(page(line(["_VĂN", "PHÒNG", "___", "CỘNG", "HOÀ|"], 90, 1)))
    assert result.text == "VĂN PHÒNG CỘNG HOÀ"


def test_a_lone_tilde_is_a_printed_dash() -> None:
    result = junk.drop_junk(page(line(["~", "Ban", "Bí", "thư;"], 92, 1)))
    assert result.text == "- Ban Bí thư;"


def test_a_doubtful_line_of_non_words_is_dropped() -> None:
    text = line(["Kính", "gửi:", "Công", "ty", "In", "Tiến", "Bộ,"], 91, 1)
    seal = line(["tí", "9-7184", "4U", "Đá_.", "nợ,"], 21, 2)
    assert junk.drop_junk(page(text, seal)).text == "Kính gửi: Công ty In Tiến Bộ,"


def test_a_confident_line_of_codes_and_abbreviations_is_kept() -> None:
    kept = page(line(["-", "Lưu:", "VT,", "ĐMDN", "(2b).KN"], 88, 1))
    assert junk.drop_junk(kept).text == "- Lưu: VT, ĐMDN (2b).KN"


def test_a_doubtful_line_of_real_words_is_kept() -> None:
    words = line(["ngày", "12", "tháng", "10", "năm", "2017"], 35, 1)
    assert junk.drop_junk(page(words)).text == "ngày 12 tháng 10 năm 2017"


def test_clean_page_is_returned_unchanged() -> None:
    clean = page(line(["Hà", "Nội,", "ngày", "01", "tháng", "11", "năm", "2017"], 95, 1))
    assert junk.drop_junk(clean) is clean
