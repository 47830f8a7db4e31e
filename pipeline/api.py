"""Library entry points: OCR a page or a file, correct a text. The CLI and batch call these."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import load, ocr, preprocess
from pipeline.errors import DependencyError, VnocrError
from pipeline.normalize import clean_unicode
from pipeline.settings import Settings

if TYPE_CHECKING:  # the restoration engine is imported only when correcting (it loads models)
    from pipeline.correct import Change, Correction, Corrector


@dataclass
class PageResult:
    """One OCR'd page: corrected text, raw OCR text, mean word confidence, corrections, time."""

    source: str
    page: int
    text: str
    raw_text: str
    confidence: float | None
    changes: list[Change] = field(default_factory=list)
    seconds: float = 0.0


def make_corrector(settings: Settings) -> Corrector:
    """The Corrector for these settings (build one per process and reuse it)."""
    from pipeline.correct import CorrectOptions, Corrector

    try:
        return Corrector(CorrectOptions(tone_style=settings.tone_style, lexicon=settings.lexicon))
    except OSError as exc:  # a model or lexicon file is missing or unreadable
        raise DependencyError(
            f"cannot load the correction models ({exc}); use --no-correct to skip correction"
        ) from None


def _locate(exc: VnocrError, path: str | Path, page: int | None) -> VnocrError:
    """Fill in the file and page of an error raised without them."""
    if exc.path is None:
        exc.path = str(path)
        if exc.page is None:
            exc.page = page
    return exc


def _line_count(text: str) -> int:
    return text.count("\n")


#: Per-character alternatives of one word: for each character, (glyph, probability), best first.
WordChoices = list[list[tuple[str, float]]]


def word_confidences(words: list[ocr.Word], text: str) -> list[float] | None:
    """Each word's confidence, aligned with `text.split()`; None when the word counts disagree."""
    if len(words) != len(text.split()):
        return None
    return [word.conf for word in words]


def word_alternatives(words: list[ocr.Word], text: str) -> list[WordChoices] | None:
    """Each word's choices, aligned with `text.split()` (one entry per whitespace word).

    None when the word counts disagree or no word has choices; a word whose choices do not
    have one position per character of its token gets [].
    """
    tokens = text.split()
    if len(tokens) != len(words) or not any(word.choices for word in words):
        return None
    return [
        word.choices if len(word.choices) == len(token) else []
        for word, token in zip(words, tokens, strict=True)
    ]


def _correct(
    corrector: Corrector,
    text: str,
    confidences: list[float] | None,
    alternatives: list[WordChoices] | None,
) -> Correction:
    """corrector.correct, passing `alternatives` only when there are some."""
    if alternatives is None:
        return corrector.correct(text, confidences)
    return corrector.correct(text, confidences, alternatives=alternatives)


def correct_text(
    text: str,
    corrector: Corrector,
    confidences: list[float] | None = None,
    alternatives: list[WordChoices] | None = None,
) -> Correction:
    """Correct `text`, guaranteeing the same number of lines as the input.

    `confidences` and `alternatives` (optional) have one entry per whitespace word of `text`.
    If the corrector changes the line count, the text is corrected line by line instead, each
    line with its own words' confidences and alternatives.
    """
    from pipeline.correct import Change, Correction

    text = clean_unicode(text)
    correction = _correct(corrector, text, confidences, alternatives)
    if _line_count(correction.text) == _line_count(text):
        return correction
    lines: list[str] = []
    changes: list[Change] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        end = start + len(line.split())
        line_confidences = confidences[start:end] if confidences is not None else None
        line_alternatives = alternatives[start:end] if alternatives is not None else None
        start = end
        fixed = _correct(corrector, line, line_confidences, line_alternatives)
        if "\n" in fixed.text:
            lines.append(line)
            continue
        lines.append(fixed.text)
        changes.extend(
            Change(number, change.column, change.old, change.new, change.margin)
            for change in fixed.changes
        )
    return Correction(text="\n".join(lines), changes=changes)


def process_page(
    path: str | Path, page: int, settings: Settings, corrector: Corrector | None = None
) -> PageResult:
    """Load, preprocess, OCR and (unless settings.correct is False) correct one page.

    A pure function of the file, the page number and the settings; errors carry path and page.
    """
    started = time.perf_counter()
    try:
        image = load.load_page(path, page, settings.dpi, settings.max_pixels)
        image = preprocess.prepare(image, settings.preprocess)
        if settings.alternatives:
            page_ocr = ocr.ocr_image(
                image, settings.lang, settings.psm, settings.dpi, alternatives=True
            )
        else:  # the plain call (test stubs of ocr_image take no alternatives keyword)
            page_ocr = ocr.ocr_image(image, settings.lang, settings.psm, settings.dpi)
    except VnocrError as exc:
        raise _locate(exc, path, page) from None
    raw_text = clean_unicode(page_ocr.text)
    text, changes = raw_text, []
    if settings.correct and raw_text.strip():
        corrector = corrector or make_corrector(settings)
        confidences = word_confidences(page_ocr.words, raw_text)
        alternatives = word_alternatives(page_ocr.words, raw_text)
        correction = correct_text(raw_text, corrector, confidences, alternatives)
        text, changes = correction.text, correction.changes
    return PageResult(
        source=str(path),
        page=page,
        text=text,
        raw_text=raw_text,
        confidence=page_ocr.confidence,
        changes=changes,
        seconds=round(time.perf_counter() - started, 3),
    )


def file_pages(
    path: str | Path, settings: Settings, pages: Iterable[int] | None = None
) -> list[int]:
    """The page numbers of `path` to process (all, or `pages` checked against the count)."""
    try:
        return load.select_pages(path, pages, settings.max_pixels)
    except VnocrError as exc:
        raise _locate(exc, path, None) from None


def ocr_file(
    path: str | Path,
    settings: Settings,
    pages: Iterable[int] | None = None,
    corrector: Corrector | None = None,
) -> Iterator[PageResult]:
    """OCR the selected pages of one image or PDF, one page at a time."""
    ocr.check_tesseract(settings.lang)
    selected = file_pages(path, settings, pages)
    if settings.correct and corrector is None:
        corrector = make_corrector(settings)
    for page in selected:
        yield process_page(path, page, settings, corrector)


def correct_file(
    path: str | Path, settings: Settings, corrector: Corrector | None = None
) -> Correction:
    """Read a text file (UTF-8, BOM-marked UTF-16, or a legacy Vietnamese encoding: see
    load.decode_document and settings.encoding) and correct it, keeping its lines."""
    text = load.read_document(path, settings.encoding).text
    return correct_text(text, corrector or make_corrector(settings))
