"""Tests for pipeline.orthography."""

from __future__ import annotations

import pytest

from pipeline.orthography import restyle_text, restyle_word


@pytest.mark.parametrize(
    ("old", "new"),
    [("hòa", "hoà"), ("Hòa", "Hoà"), ("HÒA", "HOÀ"), ("thủy", "thuỷ"), ("khỏe", "khoẻ"),
     ("ủy", "uỷ"), ("Ủy", "Uỷ"), ("xóa", "xoá"), ("lũy", "luỹ")],
)
def test_restyle_word_pairs(old: str, new: str) -> None:
    assert restyle_word(old, "new") == new
    assert restyle_word(new, "old") == old
    assert restyle_word(old, "old") == old
    assert restyle_word(new, "new") == new


@pytest.mark.parametrize(
    "word", ["hoàn", "thuyết", "quý", "quyết", "giá", "hoa", "toán", "ngoài", "thuở", "abc",
             "Paris", "x", "123", "hòaa"],
)
def test_restyle_word_leaves_others(word: str) -> None:
    assert restyle_word(word, "new") == word
    assert restyle_word(word, "old") == word


def test_restyle_text_only_moves_marks() -> None:
    old = "Hòa bình,  THỦY lợi;\tkhỏe 123 hoàn-hảo\n\nx=y hòa. Café 2024!"
    new = "Hoà bình,  THUỶ lợi;\tkhoẻ 123 hoàn-hảo\n\nx=y hoà. Café 2024!"
    assert restyle_text(old, "new") == new
    assert restyle_text(new, "old") == old
    assert restyle_text("", "new") == ""
