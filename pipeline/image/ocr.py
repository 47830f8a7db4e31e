"""OCR stage: run Tesseract on a page image and rebuild the text from its words."""

from __future__ import annotations

import functools
import os
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from vnocr.errors import DependencyError, OcrError
from vnocr.image import engine
from vnocr.image.engine import TESSERACT_INSTALL, lang_install_command  # noqa: F401

# Tesseract's OpenMP threads slow it down when cores are shared (batch workers, busy hosts):
# one thread per Tesseract process is faster overall. Set OMP_THREAD_LIMIT to override.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

#: Alternatives kept per character position (best first).
MAX_CHOICES = 3

#: One word's per-character alternatives: for each character, (glyph, probability 0-1), best first.
Choices = list[list[tuple[str, float]]]


@dataclass(frozen=True)
class Word:
    """One word from Tesseract; box is (left, top, width, height) in pixels.

    block/par/line/word are numbered as in Tesseract's TSV output. `choices` has one entry per
    character of `text` (Tesseract's LSTM alternatives, best first; the first is usually the
    character itself), or is empty when not available.
    """

    text: str
    conf: float
    box: tuple[int, int, int, int]
    block: int
    par: int
    line: int
    word: int
    choices: Choices = field(default_factory=list, hash=False)


@dataclass
class PageOCR:
    """The OCR result of one page."""

    words: list[Word] = field(default_factory=list)
    text: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class TesseractInfo:
    """What is installed: the Tesseract version the OCR engine runs and its language models."""

    version: str
    languages: tuple[str, ...]
    engine: str = ""
    tessdata: str = ""


@functools.lru_cache(maxsize=4)
def _engine_info(name: str, pid: int) -> TesseractInfo:
    found = engine.current().info()
    return TesseractInfo(found.version, found.languages, found.name, found.tessdata)


def tesseract_info() -> TesseractInfo:
    """Version and languages of this process's OCR engine; DependencyError if it cannot run."""
    return _engine_info(engine.engine_choice(), os.getpid())


# Callers and tests clear the cached answer as they did when it was an lru_cache.
tesseract_info.cache_clear = _engine_info.cache_clear  # type: ignore[attr-defined]


def check_tesseract(lang: str) -> TesseractInfo:
    """Check Tesseract and every model in `lang` ("vie" or "vie+eng") are installed."""
    info = tesseract_info()
    for code in lang.split("+"):
        if code and code not in info.languages:
            raise DependencyError(
                f"Tesseract language model '{code}' is not installed ({lang_install_command(code)})"
            )
    return info


def _as_int(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def words_from_data(data: dict[str, list[Any]]) -> list[Word]:
    """The non-empty words (level 5 rows) of a pytesseract `image_to_data` dict, in order."""
    words: list[Word] = []
    for index, text in enumerate(data.get("text", [])):
        text = str(text).strip() if text is not None else ""
        if not text or _as_int(data["level"][index]) != 5:
            continue
        try:
            conf = float(data["conf"][index])
        except (TypeError, ValueError):
            conf = -1.0
        words.append(
            Word(
                text=text,
                conf=conf,
                box=(
                    _as_int(data["left"][index]),
                    _as_int(data["top"][index]),
                    _as_int(data["width"][index]),
                    _as_int(data["height"][index]),
                ),
                block=_as_int(data["block_num"][index]),
                par=_as_int(data["par_num"][index]),
                line=_as_int(data["line_num"][index]),
                word=_as_int(data["word_num"][index]),
            )
        )
    return words


_XHTML = "{http://www.w3.org/1999/xhtml}"
_BBOX = re.compile(r"\bbbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)")
_WCONF = re.compile(r"\bx_wconf (-?[\d.]+)")
_XCONFS = re.compile(r"\bx_confs (-?[\d.eE+-]+)")


def _class(element: ET.Element) -> str:
    return element.get("class", "")


def _children(element: ET.Element, prefix: str) -> list[ET.Element]:
    """Direct children whose hOCR class starts with `prefix`."""
    return [child for child in element if _class(child).startswith(prefix)]


def _id_number(element: ET.Element, fallback: int) -> int:
    """The trailing number of an hOCR id (`block_1_3` -> 3), else `fallback`."""
    match = re.search(r"_(\d+)$", element.get("id", ""))
    return int(match.group(1)) if match else fallback


def _word_text(element: ET.Element) -> str:
    """The text of an ocrx_word, without its ocrx_cinfo (choices) children."""
    parts = [element.text or ""]
    for child in element:
        if _class(child) != "ocrx_cinfo":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts).strip()


def clean_choices(positions: Choices, text: str) -> Choices:
    """Per-character alternatives of one word from Tesseract's LSTM choices (0-1, any order).

    Positions whose best glyph is a space (the gap before the word) are dropped; glyphs with
    probability 0 are dropped except the best; at most MAX_CHOICES are kept. Empty unless
    there is exactly one position per character of `text`.
    """
    kept: Choices = []
    for position in positions:
        glyphs = [(unicodedata.normalize("NFC", g or ""), round(p, 6)) for g, p in position]
        glyphs.sort(key=lambda glyph: -glyph[1])
        if not glyphs or not glyphs[0][0].strip():
            continue
        best, rest = glyphs[0], [g for g in glyphs[1:] if g[1] > 0 and g[0].strip()]
        kept.append([best, *rest][:MAX_CHOICES])
    return kept if len(kept) == len(text) else []


def parse_choices(element: ET.Element, text: str) -> Choices:
    """Per-character alternatives of one hOCR ocrx_word (Tesseract's lstm_choice_mode=2).

    Each `lstm_choices` span is one position holding `x_confs` (0-100) glyphs; see
    `clean_choices` for what is kept.
    """
    positions: Choices = []
    for span in _children(element, "ocrx_cinfo"):
        if not span.get("id", "lstm_choices").startswith("lstm_choices"):
            continue  # lstm_choice_mode=1 timesteps or other per-character info
        glyphs: list[tuple[str, float]] = []
        for choice in _children(span, "ocrx_cinfo"):
            match = _XCONFS.search(choice.get("title", ""))
            if match:
                glyphs.append((choice.text or "", min(1.0, max(0.0, float(match.group(1)) / 100))))
        positions.append(glyphs)
    return clean_choices(positions, text)


def words_from_hocr(hocr: bytes | str) -> list[Word]:
    """The non-empty words of Tesseract hOCR output, numbered like its TSV output.

    Blocks keep Tesseract's own number (hOCR ids count blocks without words, as TSV does);
    paragraphs, lines and words are counted within their parent. `choices` is filled when
    the hOCR carries lstm_choices (lstm_choice_mode=2).
    """
    try:
        root = ET.fromstring(hocr)
    except ET.ParseError as exc:
        raise OcrError(f"tesseract produced unreadable hOCR ({exc})") from None
    words: list[Word] = []
    areas = [div for div in root.iter(f"{_XHTML}div") if _class(div) == "ocr_carea"]
    for block_index, area in enumerate(areas, start=1):
        block = _id_number(area, block_index)
        for par, paragraph in enumerate(_children(area, "ocr_par"), start=1):
            # ocr_line, ocr_header, ocr_caption, ocr_textfloat: every kind of text line
            lines = [span for span in _children(paragraph, "ocr_") if _class(span) != "ocr_par"]
            for line, line_element in enumerate(lines, start=1):
                for number, element in enumerate(_children(line_element, "ocrx_word"), start=1):
                    text = _word_text(element)
                    if not text:
                        continue
                    title = element.get("title", "")
                    bbox = _BBOX.search(title)
                    left, top, right, bottom = (int(v) for v in bbox.groups()) if bbox else (0,) * 4
                    wconf = _WCONF.search(title)
                    words.append(
                        Word(
                            text=text,
                            conf=float(wconf.group(1)) if wconf else -1.0,
                            box=(left, top, right - left, bottom - top),
                            block=block,
                            par=par,
                            line=line,
                            word=number,
                            choices=parse_choices(element, text),
                        )
                    )
    return words


def rebuild_text(words: list[Word]) -> str:
    """Lines from the words (joined by one space); a blank line between paragraphs and blocks."""
    lines: list[str] = []
    current: list[str] = []
    previous: tuple[int, int, int] | None = None
    for word in words:
        key = (word.block, word.par, word.line)
        if previous is not None and key != previous:
            lines.append(" ".join(current))
            current = []
            if key[:2] != previous[:2]:
                lines.append("")
        current.append(word.text)
        previous = key
    if current:
        lines.append(" ".join(current))
    return "\n".join(lines)


def mean_confidence(words: list[Word]) -> float | None:
    """Mean word confidence (0-100) over words with a confidence, None if there are none."""
    confs = [word.conf for word in words if word.conf >= 0]
    if not confs:
        return None
    return round(sum(confs) / len(confs), 2)


def image_dpi(image: Image.Image, default: int) -> int:
    """The resolution the image carries (70-2400 dpi), else `default`."""
    dpi = image.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if 70 <= value <= 2400 else default


def ocr_image(
    image: Image.Image,
    lang: str = "vie",
    psm: int = 3,
    dpi: int = 300,
    alternatives: bool = False,
) -> PageOCR:
    """OCR one page image with Tesseract; `dpi` is used when the image carries no resolution.

    The process's OCR engine (`engine.current()`: Tesseract in this process, or its CLI) gives
    the words, boxes and confidences; with `alternatives`, also each word's per-character
    choices (`lstm_choice_mode=2`), with the same words and numbering.
    """
    words = engine.current().read(image, lang, int(psm), image_dpi(image, dpi), alternatives)
    return PageOCR(words=words, text=rebuild_text(words), confidence=mean_confidence(words))
