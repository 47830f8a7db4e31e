"""Footnote marks: superscript numbers that OCR read as stray marks (tỉnh!. for tỉnh1.).

Reports number their footnotes 1, 2, 3 ... through the document. A mark in the text comes before
the note at the foot of its page, and each note starts its line with its number. OCR made without
a Vietnamese model reads the small superscript digits as ! ? * ’ ' ® % or “, glued to the word
before them. This stage finds such marks after words and at the start of lines, and numbers them
only where the numbering leaves no doubt:

- notes: digits read right anchor the sequence (the longest increasing run of them); the marks
  between two anchors are numbered when their count fills the gap exactly, and the marks after
  the last anchor follow it one by one;
- marks in the text: those between one page's notes and the next page's are that page's marks,
  numbered when their count equals the number of notes they stand for.

A document without read footnote numbers is left as it is. Marks that are numbered become
`Kind.FOOTNOTE` tokens, which the language model skips.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import regex

from vnocr.text.tokens import Kind, Token, tokenize

# What OCR reads for a small superscript digit (besides the digits themselves).
_MARK_GLYPHS = "!?*'’\"®°%¹²³⁴⁵⁶⁷⁸⁹⁰"
# A mark in the text: right after a letter (or a closing quote or bracket after one), before a
# space, the end of the line or punctuation.
_TEXT_MARK = regex.compile(
    rf"(?<=[\p{{L}}\p{{M}}][”)]?)[{regex.escape(_MARK_GLYPHS)}0-9]{{1,3}}(?=[\s.,;:)]|$)"
)
# A note: its number (or what OCR read for it) starts the line, then a space and a capital or
# a number.
_NOTE_MARK = regex.compile(rf"^\s*\K[{regex.escape(_MARK_GLYPHS)}“0-9]{{1,3}}(?= [\p{{Lu}}0-9])")
# Units whose superscript (km², m³) OCR reads as it reads footnote marks.
_UNITS = frozenset({"km", "m", "cm", "dm", "mm", "co", "h"})


@dataclass(frozen=True)
class Mark:
    """A possible footnote mark: where it is, what OCR read and the number read, if any."""

    line: int
    start: int
    text: str

    @property
    def digits(self) -> str:
        return "".join(ch for ch in self.text if ch.isdigit())

    @property
    def read_number(self) -> int | None:
        """The number, when OCR read the mark as digits only."""
        return int(self.text) if self.text.isdigit() else None

    def may_be(self, number: int) -> bool:
        """Whether this mark can stand for `number` (its digits, if any, are part of it)."""
        return _is_subsequence(self.digits, str(number))


def number_marks(lines: list[str]) -> dict[tuple[int, int], tuple[str, str]]:
    """The footnote marks of a document whose number is sure: (line, start) -> (read, number).

    Marks already read as their number are included (read == number).
    """
    notes = [m for n, line in enumerate(lines) for m in _note_marks(n, line)]
    numbered_notes = _number_sequence(notes)
    if not numbered_notes:
        return {}
    in_text = [m for n, line in enumerate(lines) for m in _text_marks(n, line)]
    numbered = dict(numbered_notes)
    numbered.update(_number_text_marks(in_text, numbered_notes))
    return {(m.line, m.start): (m.text, str(number)) for m, number in numbered.items()}


def split_marks(
    line: str, tokens: list[Token], marks: list[tuple[int, str]], noisy: bool
) -> list[Token]:
    """`tokens` of `line` with each mark (start, text) as a FOOTNOTE token of its own."""
    if not marks:
        return tokens
    result: list[Token] = []
    position = 0
    for start, text in sorted(marks):
        result += _tokenize_piece(line[position:start], position, noisy)
        result.append(Token(text, Kind.FOOTNOTE, start))
        position = start + len(text)
    result += _tokenize_piece(line[position:], position, noisy)
    return result


def _tokenize_piece(piece: str, offset: int, noisy: bool) -> list[Token]:
    return [Token(t.text, t.kind, t.start + offset) for t in tokenize(piece, noisy)]


def _text_marks(line_no: int, line: str) -> list[Mark]:
    """The possible footnote marks glued to words in one line."""
    found = []
    for match in _TEXT_MARK.finditer(line):
        text, start = match.group(), match.start()
        word_before = regex.search(r"[\p{L}\p{M}]+[”)]?$", line[:start])
        if word_before is None:
            continue
        word = word_before.group()
        if word.lower() in _UNITS:
            continue
        if not _looks_like_mark(text, word, line[match.end() :], "‘" in line[:start]):
            continue
        found.append(Mark(line_no, start, text))
    return found


def _looks_like_mark(text: str, word: str, rest: str, single_quote_open: bool) -> bool:
    """Whether `text` after `word` (and before `rest`) is more likely a mark than punctuation."""
    if text.isdigit():
        # Digits glued to a lower-case word of three letters or more (tỉnh1); not a code in
        # capitals (GRDP2) or a short garble with a digit for a letter (s6, sb6, t61).
        return len(word) >= 3 and word.isalpha() and not word.isupper()
    if any(ch.isdigit() for ch in text):
        return False  # digits mixed with marks after a word: more likely a garble
    if len(text) > 1 or text in "®°*¹²³⁴⁵⁶⁷⁸⁹⁰":
        return True
    if text in "’'":
        # Neither a closing quote (no opening ‘ before it) nor the horn of ư or ơ (su’ for sự).
        return not single_quote_open and word[-1] not in "uoUO"
    # A lone ! ? or " is punctuation, unless more punctuation follows at once (tỉnh!.).
    return text != '"' and bool(rest) and rest[0] in ".,;:"


def _note_marks(line_no: int, line: str) -> list[Mark]:
    return [Mark(line_no, m.start(), m.group()) for m in _NOTE_MARK.finditer(line)]


def _number_sequence(notes: list[Mark]) -> dict[Mark, int]:
    """Number the notes: anchors are the longest increasing run of numbers read; the marks
    between two anchors (or before the first, counting from 1) are numbered when they fill the
    gap exactly; those after the last anchor follow it while they may be the next number."""
    anchors = _longest_increasing([(i, m.read_number) for i, m in enumerate(notes)])
    if len(anchors) < 2:
        return {}  # one number at a line start is no evidence of footnotes
    numbered = {notes[i]: number for i, number in anchors}
    bounds = [(-1, 0), *anchors]
    for (i, low), (j, high) in zip(bounds, bounds[1:], strict=False):
        numbered.update(_fill(notes[i + 1 : j], low, high))
    last_index, number = anchors[-1]
    for mark in notes[last_index + 1 :]:
        number += 1
        if not mark.may_be(number):
            break
        numbered[mark] = number
    return numbered


def _number_text_marks(marks: list[Mark], notes: dict[Mark, int]) -> dict[Mark, int]:
    """Number the marks in the text from the numbered notes.

    The notes at one page's foot are those with no mark in the text between them; the marks
    after the previous page's notes and before these are numbered (last number before) + 1 to
    (last of these), when there are exactly that many of them.
    """
    positions = [(m.line, m.start) for m in marks]
    ordered = sorted(notes.items(), key=lambda item: (item[0].line, item[0].start))
    pages: list[list[tuple[Mark, int]]] = []
    for note, number in ordered:
        previous = pages[-1][-1][0] if pages else None
        if previous is None or _marks_between(positions, previous, note):
            pages.append([])
        pages[-1].append((note, number))
    numbered: dict[Mark, int] = {}
    previous_last, previous_position = 0, (-1, -1)
    for page in pages:
        first_note, last = page[0][0], page[-1][1]
        start = bisect.bisect_right(positions, previous_position)
        end = bisect.bisect_left(positions, (first_note.line, first_note.start))
        numbered.update(_fill(marks[start:end], previous_last, last + 1))
        previous_last = last
        previous_position = (page[-1][0].line, page[-1][0].start)
    return numbered


def _marks_between(positions: list[tuple[int, int]], first: Mark, second: Mark) -> bool:
    start = bisect.bisect_right(positions, (first.line, first.start))
    return start < len(positions) and positions[start] < (second.line, second.start)


def _fill(marks: list[Mark], low: int, high: int) -> dict[Mark, int]:
    """Number `marks` low+1 .. high-1 in order, if that is exactly one number each and each
    mark may be its number; nothing otherwise."""
    numbers = range(low + 1, high)
    if len(marks) != len(numbers):
        return {}
    if not all(m.may_be(n) for m, n in zip(marks, numbers, strict=True)):
        return {}
    return dict(zip(marks, numbers, strict=True))


def _longest_increasing(items: list[tuple[int, int | None]]) -> list[tuple[int, int]]:
    """The longest run of (index, number) with rising numbers; None numbers are skipped.

    Patience sorting: `tails[k]` ends the best run of length k + 1 found so far.
    """
    known = [(i, n) for i, n in items if n is not None]
    tails: list[int] = []  # positions in `known`
    tail_numbers: list[int] = []  # their numbers, rising
    before: list[int | None] = []  # the position before each in its best run
    for position, (_, number) in enumerate(known):
        k = bisect.bisect_left(tail_numbers, number)
        before.append(tails[k - 1] if k else None)
        if k == len(tails):
            tails.append(position)
            tail_numbers.append(number)
        else:
            tails[k], tail_numbers[k] = position, number
    run: list[tuple[int, int]] = []
    at = tails[-1] if tails else None
    while at is not None:
        run.append(known[at])
        at = before[at]
    return run[::-1]


def _is_subsequence(short: str, long: str) -> bool:
    characters = iter(long)
    return all(ch in characters for ch in short)
