"""Tokenizer: split a line into tokens that rebuild it exactly.

`"".join(t.text for t in tokenize(line)) == line` holds for every line. Tokens that the restoration
stage may change are WORD tokens; everything else (numbers, document codes, dates, URLs, e-mails,
Roman numerals, punctuation, spaces) is passed through untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import regex


class Kind(StrEnum):
    """What a token is."""

    SPACE = "space"
    WORD = "word"  # letters, possibly with OCR noise inside (s6, v&i, ciia, 1a)
    NUMBER = "number"  # 10, 3.895, 1,9, 98,1%
    CODE = "code"  # 25-NQ/TW, 120/KH-UBND, 82-KH/BDVTW, km2, Covid-19
    DATE = "date"  # 03/6/2013, 8/2013
    ROMAN = "roman"  # I, II, XIV (before a heading mark); list markers a), (ii)
    URL = "url"
    EMAIL = "email"
    PUNCT = "punct"
    FOOTNOTE = "footnote"  # a footnote number after a word or starting a note (see footnotes)
    LONG = "long"  # a run without spaces longer than any real token: passed through untouched


@dataclass(frozen=True)
class Token:
    """A piece of a line: its text, its kind and where it starts (0-based column)."""

    text: str
    kind: Kind
    start: int

    @property
    def noisy(self) -> bool:
        """True for a WORD with non-letters inside (a likely OCR garble such as s6 or v&i); an
        apostrophe is no noise (H'Mông)."""
        return self.kind is Kind.WORD and any(
            not ch.isalpha() and ch not in "'’" for ch in self.text
        )


def in_capitals(tokens: list[Token], shortest: int = 1) -> bool:
    """A line of two or more words, at least 60% of them in capitals of `shortest` letters or
    more (a heading; T/M HUYEN UY with `shortest` 1)."""
    words = [
        t.text
        for t in tokens
        if t.kind is Kind.WORD and (t.text.isalpha() or any(ch.isalpha() for ch in t.text))
    ]
    upper = sum(w.isupper() and len(w) >= shortest for w in words)
    return len(words) >= 2 and upper >= 0.6 * len(words)


# Characters OCR engines put in place of Vietnamese letters; inside a word they mark it as garbled.
_NOISE = r"0-9&@¢£¥§©®°µß|"
_LETTER = r"\p{L}\p{M}"

# Document codes: a number then letter groups joined by - or /, e.g. 25-NQ/TW, 120/KH-UBND,
# 44-CTr/TU, 01/2023/NĐ-CP; or letter groups then a number (QĐ-123). The letter groups of the
# second form are possessive (giving letters back could never end them in [-/] and a digit): a
# long run of them (A-A-A...) is then scanned once, not again and again.
_DOCUMENT_CODE = (
    r"(?<![\w/])\d+(?:/\d+)*[-/](?:\p{Lu}[\p{L}]*)(?:[-/.]\p{Lu}[\p{L}]*|[-/]\d+)*(?![\w/])"
    r"|(?<![\w/])\p{Lu}[\p{Lu}\p{Ll}]*+(?:[-/]\p{Lu}[\p{L}]*+)*+[-/]\d+(?:[-/]\w+)*(?![\w/])"
)
# Roman numerals: only upper case, standing alone (heading numbers such as "II-" or "IV.").
_ROMAN_NUMERAL = (
    r"(?<![\w])(?=[IVXLC])M{0,3}(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})"
    r"(?![\w&@])"
)
# The same two, for telling whether a whole string is one (`fullmatch`).
DOCUMENT_CODE_RE = regex.compile(_DOCUMENT_CODE)
ROMAN_NUMERAL_RE = regex.compile(_ROMAN_NUMERAL)

_PATTERNS: list[tuple[Kind, str]] = [
    (Kind.SPACE, r"\s+"),
    (Kind.URL, r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]]"),
    # Starts only where its run of name characters starts: a leftmost match starts there anyway,
    # and the scan stays linear on long runs of dots or dashes.
    (Kind.EMAIL, r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # 03/6/2013, 18/5/2023, 8/2013, 03-6-2013
    (
        Kind.DATE,
        r"(?<![\w/])(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}-\d{1,2}-\d{4}|\d{1,2}\.\d{1,2}\.\d{4}"
        r"|\d{1,2}/\d{4})(?![\w/])",
    ),
    (Kind.CODE, _DOCUMENT_CODE),
    # Numbers: 10, 3.895, 1,9, 98,1%, 2010-2015 (a range is two numbers and a dash).
    (Kind.NUMBER, r"(?<!\w)\d++(?:[.,]\d+)*+%?(?![\p{L}\p{M}&@])"),
    # List markers: a single letter and a closing bracket at the start of a line: a), b), đ).
    # (The letter and bracket are matched before the look back, which is then tried rarely.)
    (Kind.ROMAN, r"\p{L}(?=\))(?<=^[\s\-–•(]*\p{L})"),
    # Lower-case Roman numerals as list markers in parentheses: (i), (ii), (iv).
    (Kind.ROMAN, r"(?<=\()(?:i{1,3}|iv|vi{0,3}|ix|xi{0,3})(?=\))"),
    (Kind.ROMAN, _ROMAN_NUMERAL),
    # Words with a letter (or a letter-like &, ¢, ¥) somewhere, allowing OCR noise characters
    # inside and an apostrophe (H'Mông).
    (
        Kind.WORD,
        rf"[{_NOISE}]*[{_LETTER}&¢¥][{_LETTER}{_NOISE}]*(?:['’][{_LETTER}]+)?",
    ),
    (Kind.PUNCT, r"."),
]

# In raw OCR without a Vietnamese model, brackets, quotes and € also stand for parts of letters
# (Thu(mg for Thường, [ãnh for lãnh, huy€n for huyện): glued to letters, they belong to the word,
# and so does a closing bracket inside such a run (h()“p for hợp). An apostrophe after u or o
# that ends the word is the horn of ư or ơ (su’ for sự, co’ for cơ). @ may start a word, as &
# does (@ for ở).
_GLUED_NOISE = r"(\[\]{}‘“€\\"
_HORN = rf"(?<=[uoUO])['’](?![{_LETTER}])"
_NOISY_WORD = (
    rf"(?:[\[{{](?=\p{{Ll}}))?[{_NOISE}]*[{_LETTER}&@¢¥][{_LETTER}{_NOISE}]*"
    rf"(?:[{_GLUED_NOISE}][{_GLUED_NOISE})]*[{_LETTER}{_NOISE}]*[{_LETTER}][{_LETTER}{_NOISE}]*)*"
    rf"(?:['’][{_LETTER}]+|{_HORN})?"
)


def _compile(patterns: list[tuple[Kind, str]]) -> regex.Pattern[str]:
    return regex.compile(
        "|".join(f"(?P<{kind.name}{i}>{pattern})" for i, (kind, pattern) in enumerate(patterns)),
        regex.V0 | regex.DOTALL,
    )


# Lines without any of these tokenize the same way with and without `noisy`.
_NOISY_DIFFERENCE = regex.compile(
    rf"[{_GLUED_NOISE}]|\d[{_LETTER}&¢¥{_NOISE}]|[{_LETTER}&¢¥{_NOISE}]\d|{_HORN}|@"
)
_TOKEN_RE = _compile(_PATTERNS)
_NOISY_TOKEN_RE = _compile(
    [(kind, _NOISY_WORD if kind is Kind.WORD else pattern) for kind, pattern in _PATTERNS]
)
_GROUP_KIND = {f"{kind.name}{i}": kind for i, (kind, _) in enumerate(_PATTERNS)}
_SPACE_RE = regex.compile(_PATTERNS[0][1])  # the pieces of a line are tokenized one by one
ROMAN_LETTERS = "IVXLCDM"
# Longer runs without spaces are no token anyone reads (base64, rules of dots, glued garbage).
MAX_TOKEN_LENGTH = 256


def tokenize(line: str, noisy: bool = False) -> list[Token]:
    """Split `line` into tokens; joining their texts gives `line` back exactly.

    `noisy`: the line is raw OCR made without a Vietnamese model, where brackets, quotes and €
    glued to letters are parts of the word (see _GLUED_NOISE).

    >>> [t.text for t in tokenize("Nghị quyết số 25-NQ/TW ngày 03/6/2013")]
    ['Nghị', ' ', 'quyết', ' ', 'số', ' ', '25-NQ/TW', ' ', 'ngày', ' ', '03/6/2013']
    """
    tokens: list[Token] = []
    start = 0
    for space in _SPACE_RE.finditer(line):
        _tokenize_piece(line, start, space.start(), noisy, tokens)
        tokens.append(Token(space.group(), Kind.SPACE, space.start()))
        start = space.end()
    _tokenize_piece(line, start, len(line), noisy, tokens)
    return tokens


def _tokenize_piece(line: str, start: int, stop: int, noisy: bool, tokens: list[Token]) -> None:
    """Append the tokens of `line[start:stop]`, a piece between spaces (no token holds one).

    Most pieces are one word of letters: a WORD, since every pattern before WORD needs a
    digit, punctuation or the letters of a Roman numeral; only the others are searched. A
    piece longer than MAX_TOKEN_LENGTH is one LONG token: no word, number or code is that
    long, and the patterns' cost stays bounded per character.
    """
    piece = line[start:stop]
    if stop - start > MAX_TOKEN_LENGTH:
        tokens.append(Token(piece, Kind.LONG, start))
        return
    if piece.isalpha() and piece.strip(ROMAN_LETTERS):
        tokens.append(Token(piece, Kind.WORD, start))
        return
    for match in (_NOISY_TOKEN_RE if noisy else _TOKEN_RE).finditer(line, start, stop):
        kind = _GROUP_KIND[match.lastgroup or ""]
        text = match.group()
        if (
            kind is Kind.WORD
            and _looks_like_code(text)
            and not (noisy and _looks_like_garbled_digits(text))
        ):
            kind = Kind.CODE
        if noisy and kind is Kind.WORD and text[-1] in "'’" and "‘" in line[: match.start()]:
            # After an opening ‘ the apostrophe closes a quotation: no horn (see _HORN).
            tokens.append(Token(text[:-1], kind, match.start()))
            tokens.append(Token(text[-1], Kind.PUNCT, match.end() - 1))
            continue
        tokens.append(Token(text, kind, match.start()))


def tokenize_raw_ocr(line: str, tokens: list[Token]) -> list[Token]:
    """`tokenize(line, noisy=True)`, given `tokens = tokenize(line)`: reused where they agree."""
    return tokenize(line, noisy=True) if _NOISY_DIFFERENCE.search(line) else tokens


def _looks_like_code(text: str) -> bool:
    """Words such as km2, GRDP2, H2O, 4G: letters and digits that are units or names, not garbles.

    A digit run of two or more, or a trailing digit after two or more letters in upper case, marks a
    code; a single digit inside a lower-case word (s6, d6i, 1a) is an OCR garble.
    """
    if text.isalpha():  # no digit (no letter is a digit): most words
        return False
    digits = sum(ch.isdigit() for ch in text)
    if digits == 0:
        return False
    letters = sum(ch.isalpha() for ch in text)
    if regex.search(r"\d{2,}", text):
        return True
    if text[-1].isdigit() and text[:-1].isupper() and letters >= 2:
        return True
    return text.lower() in _UNITS_WITH_DIGITS


def _looks_like_garbled_digits(text: str) -> bool:
    """In raw OCR, a short lower-case word with digits that is no unit (14p for lập, t61 for tới).

    A number glued to a unit after it (10kg, 15h30, 100m2) stays a code; letters first (t61)
    are no unit.
    """
    letters = "".join(ch for ch in text if ch.isalpha())
    return (
        len(text) <= 4
        and not any(ch.isupper() for ch in text)
        and not (letters in _UNITS and text[0].isdigit())
        and text.lower() not in _UNITS_WITH_DIGITS
    )


_UNITS = frozenset({"kg", "km", "m", "cm", "mm", "g", "ha", "h", "l", "ml", "t", "tr", "đ"})
_UNITS_WITH_DIGITS = frozenset(
    {"km2", "m2", "m3", "cm2", "cm3", "dm3", "co2", "h2o", "3g", "4g", "5g"}
)


def case_pattern(word: str) -> str:
    """'upper', 'title' or 'lower': the case shape to give a replacement of `word`."""
    letters = [ch for ch in word if ch.isalpha()]
    if len(letters) >= 2 and all(ch.isupper() for ch in letters):
        return "upper"
    # The first character decides; a noise character there (¢Ap for cấp) has no case.
    if word[:1].isupper():
        return "title"
    return "lower"


def apply_case(word: str, pattern: str) -> str:
    """Give `word` (lower case) the case shape `pattern` from `case_pattern`."""
    if pattern == "upper":
        return word.upper()
    if pattern == "title":
        return word[:1].upper() + word[1:]
    return word
