"""Word geometry through correction: the corrected words of a page, each with its box.

The corrector keeps the line count and changes words in place, so each line of the corrected
text is aligned with the OCR words of the same line (difflib over the words):

- a word kept or replaced takes the box of the OCR word it stands for;
- a word split in two shares the box, by character widths;
- words merged into one take the union of their boxes;
- an OCR word the corrector dropped (stamp noise) gives no text.

Lines, paragraphs and blocks are the groups of words with the same Tesseract numbers; their
boxes are the unions of their OCR words' boxes (dropped words included).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from vnocr.image.geometry import union
from vnocr.image.ocr import Word, rebuild_text
from vnocr.results import Box, BoxedWord

__all__ = ["BoxedWord", "Line", "Paragraph", "Block", "place_words", "align_line", "blocks"]


@dataclass
class Line:
    """A text line: its box and its words (possibly none, if all were dropped)."""

    box: Box
    words: list[BoxedWord]


@dataclass
class Paragraph:
    """A paragraph: its box and its lines."""

    box: Box
    lines: list[Line]


@dataclass
class Block:
    """A text block: its box and its paragraphs."""

    box: Box
    paragraphs: list[Paragraph]


def _ocr_lines(words: Sequence[Word]) -> list[list[Word]]:
    """The OCR words grouped by (block, par, line), in order."""
    lines: list[list[Word]] = []
    previous: tuple[int, int, int] | None = None
    for word in words:
        key = (word.block, word.par, word.line)
        if key != previous:
            lines.append([])
            previous = key
        lines[-1].append(word)
    return lines


def split_box(box: Box, texts: Sequence[str]) -> list[Box]:
    """Share `box` between `texts` written side by side, in proportion to their characters.

    One space's width is left between neighbours.
    """
    left, top, width, height = box
    units = sum(len(text) for text in texts) + len(texts) - 1
    boxes: list[Box] = []
    start = 0
    for text in texts:
        x0 = left + round(width * start / units)
        x1 = left + round(width * (start + len(text)) / units)
        boxes.append((x0, top, max(1, x1 - x0), height))
        start += len(text) + 1
    return boxes


def _as_word(word: BoxedWord) -> Word:
    return Word(word.text, word.conf, word.box, word.block, word.par, word.line, 0)


def _place(source: Sequence[Word], texts: Sequence[str]) -> list[BoxedWord]:
    """Boxed words for `texts`, which replace the OCR words `source` (at least one)."""
    first = source[0]
    if len(source) == len(texts):
        return [
            BoxedWord(text, word.box, word.conf, word.block, word.par, word.line)
            for word, text in zip(source, texts, strict=True)
        ]
    box = union(word.box for word in source) or first.box
    conf = min(word.conf for word in source)
    boxes = split_box(box, texts) if len(texts) > 1 else [box]
    return [
        BoxedWord(text, part, conf, first.block, first.par, first.line)
        for text, part in zip(texts, boxes, strict=True)
    ]


def align_line(ocr_words: Sequence[Word], corrected: str) -> list[BoxedWord]:
    """The words of the corrected line `corrected`, placed on the boxes of `ocr_words`."""
    texts = corrected.split()
    if not ocr_words or not texts:
        return []
    if len(texts) == len(ocr_words):
        return _place(ocr_words, texts)
    matcher = difflib.SequenceMatcher(None, [w.text for w in ocr_words], texts, autojunk=False)
    placed: list[BoxedWord] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "delete":
            continue  # OCR words the corrector dropped: no text
        if tag == "insert":  # new words without an OCR word: they share a neighbour's box
            if placed:
                anchor = placed.pop()
                placed.extend(_place([_as_word(anchor)], [anchor.text, *texts[j1:j2]]))
            else:
                placed.extend(_place(ocr_words[min(i1, len(ocr_words) - 1) :][:1], texts[j1:j2]))
            continue
        placed.extend(_place(ocr_words[i1:i2], texts[j1:j2]))
    return placed


def place_words(ocr_words: Sequence[Word], text: str) -> list[BoxedWord]:
    """Every word of the page text `text` with its box, line by line.

    `text` is the OCR text rebuilt from `ocr_words` (one text line per OCR line, blank lines
    between paragraphs) or its correction, which keeps the lines. Falls back to the OCR words
    themselves if the line structure does not match.
    """
    groups = _ocr_lines(ocr_words)
    raw_lines = rebuild_text(list(ocr_words)).split("\n")
    lines = text.split("\n")
    if len(lines) == len(raw_lines):  # the corrector kept the lines: pair them one to one
        lines = [line for line, raw in zip(lines, raw_lines, strict=True) if raw.strip()]
    else:
        lines = [line for line in lines if line.strip()]
    if len(lines) != len(groups):
        return [BoxedWord(w.text, w.box, w.conf, w.block, w.par, w.line) for w in ocr_words]
    placed: list[BoxedWord] = []
    for group, line in zip(groups, lines, strict=True):
        placed.extend(align_line(group, line))
    return placed


def _grouped(items: Sequence[BoxedWord], size: int) -> Iterator[list[BoxedWord]]:
    """Consecutive runs of words sharing their first `size` numbers of (block, par, line)."""
    run: list[BoxedWord] = []
    for word in items:
        if (
            run
            and (run[-1].block, run[-1].par, run[-1].line)[:size]
            != (
                word.block,
                word.par,
                word.line,
            )[:size]
        ):
            yield run
            run = []
        run.append(word)
    if run:
        yield run


def blocks(words: Sequence[BoxedWord]) -> list[Block]:
    """The page's blocks, paragraphs and lines, built from its words (boxes are unions)."""
    result: list[Block] = []
    for block_words in _grouped(words, 1):
        paragraphs: list[Paragraph] = []
        for par_words in _grouped(block_words, 2):
            lines = [
                Line(union(w.box for w in line_words) or line_words[0].box, line_words)
                for line_words in _grouped(par_words, 3)
            ]
            box = union(line.box for line in lines) or lines[0].box
            paragraphs.append(Paragraph(box, lines))
        box = union(par.box for par in paragraphs) or paragraphs[0].box
        result.append(Block(box, paragraphs))
    return result
