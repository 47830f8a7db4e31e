"""The page loop and the library entry points: OCR a page or a file, correct a text.

`process_page` (an image or PDF page) and `text_pages` (an OCR text file's pages) are the one
place where a page result is made: `vnocr ocr`, `vnocr batch` and the Python API all call them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vnocr import layout
from vnocr.errors import DependencyError, VnocrError
from vnocr.image import junk, load, missed, ocr, preprocess
from vnocr.results import Change, Correction, PageResult, TextCorrector, WordChoices
from vnocr.settings import Settings
from vnocr.text import decoding
from vnocr.text.normalize import clean_unicode

if TYPE_CHECKING:  # the restoration engine is imported only when correcting (it loads models)
    from vnocr.restore.correct import Corrector


def make_corrector(settings: Settings) -> Corrector:
    """The Corrector for these settings (build one per process and reuse it)."""
    from vnocr.restore.correct import CorrectOptions, Corrector

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


def correct_text(
    text: str,
    corrector: TextCorrector,
    confidences: Sequence[float] | None = None,
    alternatives: Sequence[WordChoices] | None = None,
) -> Correction:
    """Correct `text`, guaranteeing the same number of lines as the input.

    Garbled numbers in date and document-number formulas are repaired first (`formulas`).
    `confidences` and `alternatives` (optional) have one entry per whitespace word of `text`.
    If the corrector changes the line count, the text is corrected line by line instead, each
    line with its own words' confidences and alternatives.
    """
    from vnocr.restore.formulas import repair_numbers

    text, repairs = repair_numbers(clean_unicode(text))
    repaired = [Change(r.line + 1, r.column + 1, r.old, r.new, 0.0) for r in repairs]
    correction = corrector.correct(text, confidences, alternatives)
    if _line_count(correction.text) == _line_count(text):
        return Correction(text=correction.text, changes=repaired + correction.changes)
    lines: list[str] = []
    changes: list[Change] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        end = start + len(line.split())
        line_confidences = confidences[start:end] if confidences is not None else None
        line_alternatives = alternatives[start:end] if alternatives is not None else None
        start = end
        fixed = corrector.correct(line, line_confidences, line_alternatives)
        if "\n" in fixed.text:
            lines.append(line)
            continue
        lines.append(fixed.text)
        changes.extend(
            Change(number, change.column, change.old, change.new, change.margin)
            for change in fixed.changes
        )
    return Correction(text="\n".join(lines), changes=repaired + changes)


def process_page(
    path: str | Path, page: int, settings: Settings, corrector: TextCorrector | None = None
) -> PageResult:
    """Load, preprocess, OCR and (unless settings.correct is False) correct one page.

    A pure function of the file, the page number and the settings; errors carry path and page.
    """
    started = time.perf_counter()
    try:
        image = load.load_page(path, page, settings.dpi, settings.max_pixels)
        warnings = load.page_warnings(image)
        image_size = (image.width, image.height)
        image, transform = preprocess.prepare_page(image, settings.preprocess)
        if settings.alternatives:
            page_ocr = ocr.ocr_image(
                image, settings.lang, settings.psm, settings.dpi, alternatives=True
            )
        else:  # the plain call (test stubs of ocr_image take no alternatives keyword)
            page_ocr = ocr.ocr_image(image, settings.lang, settings.psm, settings.dpi)
        if settings.preprocess != "none":  # a second look at lines the page layout dropped
            page_ocr = missed.read_missed_lines(image, page_ocr, settings.lang, settings.dpi)
        page_ocr = junk.drop_junk(page_ocr)
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
    page_words = [replace(word, box=transform.to_page(word.box)) for word in page_ocr.words]
    return PageResult(
        source=str(path),
        page=page,
        text=text,
        raw_text=raw_text,
        confidence=page_ocr.confidence,
        changes=changes,
        seconds=round(time.perf_counter() - started, 3),
        words=layout.place_words(page_words, text),
        image_size=image_size,
        warnings=warnings,
    )


def text_pages(
    path: str | Path, settings: Settings, corrector: TextCorrector | None = None
) -> list[PageResult]:
    """Correct an OCR text file page by page (form feeds separate its pages).

    Each page keeps its lines; a trailing form feed makes no empty last page. The file may be
    in a legacy Vietnamese encoding (settings.encoding, else detected; see
    decoding.read_document). It is read first, so a file that cannot be decoded fails before
    any model is loaded.
    """
    try:
        decoded = decoding.read_document(path, settings.encoding)
    except VnocrError as exc:
        raise _locate(exc, path, None) from None
    pages = decoded.text.split("\f")
    if len(pages) > 1 and not pages[-1].strip():
        pages.pop()
    if settings.correct and corrector is None:
        corrector = make_corrector(settings)
    results = []
    for number, page_text in enumerate(pages, start=1):
        started = time.perf_counter()
        raw = clean_unicode(page_text)
        correction = Correction(raw)
        if corrector is not None and settings.correct and raw.strip():
            correction = correct_in_chunks(raw, corrector)
        results.append(
            PageResult(
                source=str(path),
                page=number,
                text=correction.text,
                raw_text=raw,
                confidence=None,
                changes=correction.changes,
                seconds=round(time.perf_counter() - started, 3),
                encoding=decoded.encoding,
            )
        )
    return results


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
    corrector: TextCorrector | None = None,
) -> Iterator[PageResult]:
    """OCR the selected pages of one image or PDF, one page at a time."""
    ocr.check_tesseract(settings.lang)
    selected = file_pages(path, settings, pages)
    if settings.correct and corrector is None:
        corrector = make_corrector(settings)
    for page in selected:
        yield process_page(path, page, settings, corrector)


# ---------------------------------------------------------------------------------------------
# The public functions (exported as vnocr.correct and vnocr.ocr)


def correct(text: str, corrector: TextCorrector | None = None, **options: Any) -> str:
    """Restore the diacritics of `text` (raw OCR or unmarked Vietnamese); keeps its lines.

    `options` are Settings fields (tone_style, lexicon). Pass a `corrector`
    (`vnocr.Corrector()`) to correct many texts without loading the models each time.

    >>> vnocr.correct("Nghi quyét s6 25-NQ/TW ciia Ban Chép hanh")  # doctest: +SKIP
    'Nghị quyết số 25-NQ/TW của Ban Chấp hành'
    """
    if corrector is None:
        corrector = make_corrector(Settings(**options))
    return correct_text(text, corrector).text


def ocr_document(
    path: str | Path,
    pages: Iterable[int] | None = None,
    corrector: TextCorrector | None = None,
    **options: Any,
) -> list[PageResult]:
    """OCR and correct an image, a multi-page TIFF or a PDF: one PageResult per page.

    `pages` are 1-based page numbers (default all); `options` are Settings fields (lang,
    psm, dpi, correct, tone_style, lexicon, preprocess, alternatives, max_pixels).

    >>> [page.text for page in vnocr.ocr("scan.pdf", pages=[1])]  # doctest: +SKIP
    """
    return list(ocr_file(path, Settings(**options), pages, corrector))


def correct_in_chunks(text: str, corrector: TextCorrector) -> Correction:
    """`correct_text` with the corrector's working memory bounded: a text longer than a
    chunk is corrected chunk by chunk (see `correct_blocks`)."""
    parts: list[str] = []
    changes: list[Change] = []
    for part, found in correct_blocks([text], corrector):
        parts.append(part)
        changes.extend(found)
    return Correction("".join(parts), changes)


def correct_blocks(
    blocks: Iterable[str], corrector: TextCorrector
) -> Iterator[tuple[str, list[Change]]]:
    """Correct a text of any length given as consecutive blocks, one chunk at a time.

    Yields the corrected text of each chunk (its pieces joined as in the input) and its
    changes, with line and column in the whole text. Memory stays bounded by the chunk limits
    of `vnocr.text.stream`; a text that fits in one chunk is corrected as `correct_text` does.
    """
    from vnocr.text import stream

    for chunk in stream.chunks(stream.pieces(blocks)):
        correction = correct_text("\n".join(piece.text for piece in chunk), corrector)
        fixed = correction.text.split("\n")
        text = "".join(
            new + ("\n" if piece.ends_line else "") for new, piece in zip(fixed, chunk, strict=True)
        )
        changes = [
            replace(change, line=piece.line, column=piece.column + change.column)
            for change in correction.changes
            for piece in (chunk[change.line - 1],)
        ]
        yield text, changes
