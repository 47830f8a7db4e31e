"""Tokenizer: exact round-trip and the kinds that protect numbers, codes and dates."""

from __future__ import annotations

import pytest

from vnocr.text.tokens import Kind, apply_case, case_pattern, tokenize, tokenize_raw_ocr

LINES = [
    "Nghị quyết số 25-NQ/TW ngày 03/6/2013 của Ban Chấp hành Trung ương",
    "  Kế hoạch số 82-KH/BDVTW, 120/KH-UBND; Nghị định 01/2023/NĐ-CP (tháng 8/2013)…",
    "dân số khoảng 1,9 triệu người, diện tích 3.895 km2, đạt 98,1%.",
    "Ciia Pang d6i v&i & x& 1a Gy\tcó\u00a0tab",
    "I- ĐẶC ĐIỂM TÌNH HÌNH; III. Liên hệ: vanphong@bacgiang.gov.vn, https://bacgiang.gov.vn/a?b=1.",
    "",
    "H'Mông, “trích dẫn” — Covid-19 ... ¢6",
]


NOISY_LINES = [
    "cua Ban Thu(mg vu [dnh dao huy€n d‘ao (Tinh Gy) “tu dién bién” x\\r {9/4",
    "a( b[ ]c €",
]


@pytest.mark.parametrize("noisy", [False, True])
@pytest.mark.parametrize("line", LINES + NOISY_LINES)
def test_tokens_rebuild_the_line_exactly(line: str, noisy: bool) -> None:
    tokens = tokenize(line, noisy=noisy)
    assert "".join(t.text for t in tokens) == line
    for token in tokens:
        assert line[token.start : token.start + len(token.text)] == token.text


def test_raw_ocr_noise_glued_to_letters_belongs_to_the_word() -> None:
    words = [t.text for t in tokenize(NOISY_LINES[0], noisy=True) if t.kind is Kind.WORD]
    for garbled in ("Thu(mg", "[dnh", "huy€n", "d‘ao", "x\\r"):
        assert garbled in words, garbled
    # Real brackets and quotes around words stay punctuation, as in clean text.
    assert "Tinh" in words and "Gy" in words and "tu" in words and "bién" in words
    assert "Thu(mg" not in [t.text for t in tokenize(NOISY_LINES[0])]


def test_raw_ocr_apostrophe_after_u_or_o_is_the_horn() -> None:
    line = "Vai tro’ cua co’ quan va su’ ‘phoi hop’ nay."
    words = [t.text for t in tokenize(line, noisy=True) if t.kind is Kind.WORD]
    assert "tro’" in words and "co’" in words and "su’" in words  # trở, cơ, sự
    assert "hop" in words  # after an opening ‘ it closes the quotation
    assert "co’" not in [t.text for t in tokenize(line)]  # clean text: punctuation
    assert tokenize_raw_ocr(line, tokenize(line)) == tokenize(line, noisy=True)


def test_raw_ocr_at_sign_may_be_a_letter_but_emails_stay() -> None:
    line = "nhà @ trên, vu @4 tranh, thư gửi a@b.vn"
    found = {t.text: t.kind for t in tokenize(line, noisy=True)}
    assert found["@"] is Kind.WORD and found["@4"] is Kind.WORD  # ở, đấu
    assert found["a@b.vn"] is Kind.EMAIL
    assert tokenize_raw_ocr(line, tokenize(line)) == tokenize(line, noisy=True)


def test_raw_ocr_bracket_runs_inside_a_word_stay_in_it() -> None:
    found = [t.text for t in tokenize("kết h()“p với (Tỉnh ủy) viên).", noisy=True)]
    assert "h()“p" in found  # not the fragments h and p, each read as a syllable
    assert found[-3:] == ["viên", ")", "."] and "Tỉnh" in found


def kinds(line: str) -> dict[str, Kind]:
    return {t.text: t.kind for t in tokenize(line) if t.kind is not Kind.SPACE}


def test_codes_dates_numbers_are_not_words() -> None:
    k = kinds(LINES[0] + " " + LINES[1] + " " + LINES[2])
    for code in ("25-NQ/TW", "82-KH/BDVTW", "120/KH-UBND", "01/2023/NĐ-CP", "km2"):
        assert k[code] is Kind.CODE, code
    assert k["03/6/2013"] is Kind.DATE
    assert k["8/2013"] is Kind.DATE
    for number in ("1,9", "3.895", "98,1%"):
        assert k[number] is Kind.NUMBER, number


def test_garbled_words_stay_whole_words() -> None:
    k = kinds(LINES[3])
    for word in ("Ciia", "Pang", "d6i", "v&i", "&", "x&", "1a", "Gy"):
        assert k[word] is Kind.WORD, word
    assert tokenize("d6i")[0].noisy
    assert not tokenize("đổi")[0].noisy
    assert not tokenize("H'Mông")[0].noisy  # an apostrophe is no noise


def test_numbers_glued_to_units_stay_whole() -> None:
    for noisy in (False, True):
        found = [t for t in tokenize("10kg 15h30 100m2 3.895,5", noisy) if t.kind is not Kind.SPACE]
        assert [(t.text, t.kind) for t in found] == [
            ("10kg", Kind.CODE),
            ("15h30", Kind.CODE),
            ("100m2", Kind.CODE),
            ("3.895,5", Kind.NUMBER),
        ]


def test_raw_ocr_letters_before_digits_are_a_garble_not_a_unit() -> None:
    (t61,) = tokenize("t61", noisy=True)  # tới: a unit (t for tấn) follows its number
    assert t61.kind is Kind.WORD
    (tons,) = tokenize("61t", noisy=True)
    assert tons.kind is Kind.CODE


@pytest.mark.parametrize("line", LINES + NOISY_LINES + ["&12 và 1& hoặc ¢6", "ca 10kg; t61"])
def test_raw_ocr_tokens_reuse_the_plain_ones_only_where_they_agree(line: str) -> None:
    assert tokenize_raw_ocr(line, tokenize(line)) == tokenize(line, noisy=True)


def test_short_digit_garbles_are_words_in_raw_ocr_only() -> None:
    for garble in ("14y", "18n"):
        assert tokenize(garble)[0].kind is Kind.CODE
        assert tokenize(garble, noisy=True)[0].kind is Kind.WORD


def test_roman_urls_emails() -> None:
    k = kinds(LINES[4])
    assert k["I"] is Kind.ROMAN and k["III"] is Kind.ROMAN
    assert k["vanphong@bacgiang.gov.vn"] is Kind.EMAIL
    assert k["https://bacgiang.gov.vn/a?b=1"] is Kind.URL
    assert k["ĐẶC"] is Kind.WORD


def test_apostrophe_names_and_units() -> None:
    k = kinds(LINES[6])
    assert k["H'Mông"] is Kind.WORD
    assert k["Covid-19"] is Kind.CODE


@pytest.mark.parametrize(
    ("word", "pattern", "lower", "expected"),
    [
        ("Pang", "title", "đảng", "Đảng"),
        ("KET", "upper", "kết", "KẾT"),
        ("ciia", "lower", "của", "của"),
        ("¢Ap", "lower", "cấp", "cấp"),  # a caseless noise character first: no capital
        ("&", "lower", "ở", "ở"),
    ],
)
def test_case_pattern_is_carried_over(word: str, pattern: str, lower: str, expected: str) -> None:
    assert case_pattern(word) == pattern
    assert apply_case(lower, case_pattern(word)) == expected
