"""Roman numerals that OCR garbled (X1 for XI, XIIT for XIII, 1fI for III), put back where a
Roman numeral is expected.

A word is read as a Roman numeral only if (1) it has a Roman letter and all its other characters
are ones OCR writes for I (1 l | ! T f i t), (2) replacing those by I (or, failing that, dropping
one of them: XTIV) spells a numeral, and (3) it stands where reports put Roman numerals: starting
a heading (II- CÔNG TÁC, III. KẾT QUẢ), after a word that takes one (khóa XI, Đại hội XIII,
quý III, lần thứ VII), or in a list beside another numeral (khóa XI, XII, XIII).
"""

from __future__ import annotations

from vnocr.text.tokens import ROMAN_LETTERS, ROMAN_NUMERAL_RE, Kind, Token

_READ_FOR_I = frozenset("1l|!Tfit")
# Words a Roman numeral follows in our domain text (lexicon/domain: khóa 105 times, thứ 57,
# quý 40, hội 12, loại 12, hạng 11), and the headings' own words.
WORDS_BEFORE = frozenset(
    {"khóa", "khoá", "thứ", "quý", "hội", "loại", "hạng", "chương", "phần", "mục"}
)
_HEADING_MARKS = frozenset("-.)")


def read_roman(word: str) -> str | None:
    """The Roman numeral a garbled `word` spells, or None (also for a numeral read right)."""
    if not any(ch in ROMAN_LETTERS for ch in word):
        return None
    if not all(ch in ROMAN_LETTERS or ch in _READ_FOR_I for ch in word):
        return None
    if not any(ch in _READ_FOR_I for ch in word):
        return None  # a numeral already, or letters only (LVX is no numeral)
    replaced = "".join("I" if ch in _READ_FOR_I else ch for ch in word)
    if ROMAN_NUMERAL_RE.fullmatch(replaced):
        return replaced
    dropped = {
        replaced[:i] + replaced[i + 1 :]
        for i, ch in enumerate(word)
        if ch in _READ_FOR_I and ROMAN_NUMERAL_RE.fullmatch(replaced[:i] + replaced[i + 1 :])
    }
    return dropped.pop() if len(dropped) == 1 else None


def expected_at(tokens: list[Token], index: int, word_before: str | None) -> bool:
    """Whether a Roman numeral is expected at `tokens[index]`; `word_before` is the syllable
    the corrector chose for the word before it, if there is one."""
    before = [t for t in tokens[:index] if t.kind is not Kind.SPACE]
    after = [t for t in tokens[index + 1 :] if t.kind is not Kind.SPACE]
    if not before and after and after[0].text in _HEADING_MARKS:
        return True
    if word_before is not None and word_before.lower() in WORDS_BEFORE:
        return True
    return _beside_numeral(before[::-1]) or _beside_numeral(after)


def _beside_numeral(neighbours: list[Token]) -> bool:
    """Whether the nearest tokens, across one comma, hold a Roman numeral read right."""
    if neighbours and neighbours[0].text == ",":
        neighbours = neighbours[1:]
    return bool(neighbours) and neighbours[0].kind is Kind.ROMAN and len(neighbours[0].text) > 1
