"""The types every stage shares: a correction, a page result, and the corrector protocol.

They sit low in the package (they import nothing of vnocr), so the restoration engine, the API,
the outputs and the batch all speak of the same objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

#: A box in pixels: (left, top, width, height), as Tesseract reports words.
Box = tuple[int, int, int, int]

#: Tesseract's per-character alternatives of one word: for each character, (glyph, probability)
#: pairs, best first.
WordChoices = Sequence[Sequence[tuple[str, float]]]


@dataclass(frozen=True)
class Change:
    """One token the corrector changed (1-based line and column in the input)."""

    line: int
    column: int
    old: str
    new: str
    margin: float


@dataclass
class Correction:
    """Corrected text and the list of changes made."""

    text: str
    changes: list[Change] = field(default_factory=list)


class TextCorrector(Protocol):
    """What the pipeline needs of a corrector: `vnocr.Corrector`, its wrappers and test stubs.

    `confidences` (Tesseract word confidences, 0-100) and `alternatives` (per-character
    choices), when given, have one entry per whitespace-separated word of `text`.
    """

    def correct(
        self,
        text: str,
        confidences: Sequence[float] | None = None,
        alternatives: Sequence[WordChoices] | None = None,
    ) -> Correction: ...


@dataclass(frozen=True)
class BoxedWord:
    """One word of a page's final text with its box on the page image as loaded.

    `conf` is Tesseract's confidence (0-100) of the OCR word(s) it came from; block, par and
    line are Tesseract's numbers of that line (vnocr.layout places the words).
    """

    text: str
    box: Box
    conf: float
    block: int
    par: int
    line: int


@dataclass
class PageResult:
    """One page: corrected text, raw OCR text, mean word confidence, corrections, time."""

    source: str
    page: int
    text: str
    raw_text: str
    confidence: float | None
    changes: list[Change] = field(default_factory=list)
    seconds: float = 0.0
    #: The legacy encoding a text input was in (a text.legacy_encodings name), None for Unicode.
    encoding: str | None = None
    #: The words of `text` with their boxes on the page image as loaded (vnocr.layout).
    words: list[BoxedWord] = field(default_factory=list)
    #: (width, height) in pixels of the page image as loaded, which the boxes refer to.
    image_size: tuple[int, int] | None = None
    #: What the loader noticed (a damaged PDF page): the text may be incomplete.
    warnings: list[str] = field(default_factory=list)
