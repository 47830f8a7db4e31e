"""Numbers inside the set formulas of administrative documents, repaired before correction.

In `ngày 01 tháng 11 năm 2019` every slot holds a number: day 1-31, month 1-12, a four-digit
year. OCR of a poor scan puts look-alike glyphs in those slots (`tháng 1] năm`, `ngày I5`),
which the corrector would otherwise "restore" into words (`tháng là năm`). A slot word whose
every glyph has a digit look-alike is read as that number, and kept only if the number fits
the slot; a slot that cannot be read so is left as it is. The slots are recognised only
inside a whole formula (`ngày _ tháng _ năm _` or `tháng _ năm YYYY`), never elsewhere, so
no word of running text is ever turned into a number. The number after `Số:` (document
number) is repaired the same way when it is mostly digits already.

Word count and spacing never change, so per-word confidences stay aligned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Glyphs OCR puts for digits on poor scans (upright and italic print).
DIGIT_LOOKALIKES = {
    "I": "1",
    "l": "1",
    "|": "1",
    "]": "1",
    "[": "1",
    "!": "1",
    "i": "1",
    "í": "1",
    "ì": "1",
    "Í": "1",
    "Ì": "1",
    "\\": "1",
    "O": "0",
    "o": "0",
    "Ø": "0",
    "ø": "0",
    "S": "5",
    "Š": "5",
    "$": "5",
    "Z": "2",
    "z": "2",
    "B": "8",
    "g": "9",
    "q": "9",
}
#: Punctuation a slot word may carry after its number (`2015;`, `11,`).
_TRAILING = ",.;:)"
_SPACE = re.compile(r"(\s+)")


@dataclass(frozen=True)
class Repair:
    """One repaired word: 0-based line and column, old and new text."""

    line: int
    column: int
    old: str
    new: str


def as_number(word: str, low: int, high: int, digits: tuple[int, int]) -> str | None:
    """`word` read as a number in [low, high] with a digit count in `digits`, or None.

    Trailing punctuation is kept; every other glyph must be a digit or a digit look-alike,
    and at least one must be a real digit unless the word is short (`I]` for 11).
    """
    core = word.rstrip(_TRAILING)
    tail = word[len(core) :]
    if not core or not digits[0] <= len(core) <= digits[1]:
        return None
    read = "".join(ch if ch.isdigit() else DIGIT_LOOKALIKES.get(ch, "?") for ch in core)
    if "?" in read or not low <= int(read) <= high:
        return None
    return read + tail


#: (keyword, number range, digit counts) of each slot, by the keyword before the slot.
SLOTS = {
    "ngày": (1, 31, (1, 2)),
    "tháng": (1, 12, (1, 2)),
    "năm": (1900, 2099, (4, 4)),
}


def _fold(word: str) -> str:
    return word.lower().rstrip(_TRAILING + ",")


def _date_slots(words: list[str]) -> list[tuple[int, str]]:
    """(word index, slot keyword) of the number slots of every whole date formula in `words`."""
    folded = [_fold(word) for word in words]
    slots: list[tuple[int, str]] = []
    for index in range(len(words) - 3):
        if folded[index] != "tháng" or folded[index + 2] != "năm":
            continue
        year_ok = as_number(words[index + 3], *SLOTS["năm"]) is not None
        has_day = index >= 2 and folded[index - 2] == "ngày"
        if not (has_day or year_ok):
            continue
        if has_day:
            slots.append((index - 1, "ngày"))
        slots += [(index + 1, "tháng"), (index + 3, "năm")]
    return slots


def _number_slots(words: list[str]) -> list[tuple[int, str]]:
    """The document number after `Số:` / `Số`, when it is already mostly digits."""
    slots = []
    for index, word in enumerate(words[:-1]):
        if _fold(word) not in ("số", "số:"):
            continue
        number = re.split(r"[-/]", words[index + 1])[0]
        if sum(ch.isdigit() for ch in number) >= max(1, len(number) // 2):
            slots.append((index + 1, "số"))
    return slots


def _repair_word(word: str, slot: str) -> str | None:
    if any(ch.isdigit() for ch in word) and word.rstrip(_TRAILING).isdigit():
        return None  # already a number
    if slot == "số":
        head = re.match(r"[^-/]+", word)
        if head is None or len(head.group()) > 5:
            return None
        fixed = as_number(head.group(), 1, 99999, (1, 5))
        return None if fixed is None else fixed + word[head.end() :]
    return as_number(word, *SLOTS[slot])


def repair_numbers(text: str) -> tuple[str, list[Repair]]:
    """`text` with garbled numbers in date and document-number formulas repaired.

    A formula may run across a line break (`ngày 22 tháng 6` / `năm 2015`).
    """
    parts = _SPACE.split(text)
    words = parts[::2]
    repairs: list[Repair] = []
    for index, slot in sorted(set(_date_slots(words) + _number_slots(words))):
        fixed = _repair_word(words[index], slot)
        if fixed is None or fixed == words[index]:
            continue
        offset = sum(len(part) for part in parts[: 2 * index])
        line = text.count("\n", 0, offset)
        column = offset - (text.rfind("\n", 0, offset) + 1)
        repairs.append(Repair(line, column, words[index], fixed))
        parts[2 * index] = fixed
    return "".join(parts), repairs
