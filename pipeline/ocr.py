"""OCR stage: run Tesseract on a page image and rebuild the text from its words."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from typing import Any

import pytesseract
from PIL import Image

from pipeline.errors import DependencyError, OcrError

TESSERACT_INSTALL = "sudo apt-get install tesseract-ocr"

# Tesseract's OpenMP threads slow it down when cores are shared (batch workers, busy hosts):
# one thread per Tesseract process is faster overall. Set OMP_THREAD_LIMIT to override.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def lang_install_command(lang: str) -> str:
    """The apt-get command that installs the Tesseract model for `lang` (e.g. vie)."""
    return f"sudo apt-get install tesseract-ocr-{lang.replace('_', '-').lower()}"


@dataclass(frozen=True)
class Word:
    """One word from Tesseract's TSV output; box is (left, top, width, height) in pixels."""

    text: str
    conf: float
    box: tuple[int, int, int, int]
    block: int
    par: int
    line: int
    word: int


@dataclass
class PageOCR:
    """The OCR result of one page."""

    words: list[Word] = field(default_factory=list)
    text: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class TesseractInfo:
    """What is installed: Tesseract's version and its language models."""

    version: str
    languages: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def tesseract_info() -> TesseractInfo:
    """Tesseract version and available languages; DependencyError if Tesseract is missing."""
    try:
        version = str(pytesseract.get_tesseract_version())
        languages = tuple(sorted(pytesseract.get_languages(config="")))
    except pytesseract.TesseractNotFoundError:
        raise DependencyError(f"tesseract is not installed ({TESSERACT_INSTALL})") from None
    except (pytesseract.TesseractError, OSError) as exc:
        raise DependencyError(
            f"tesseract does not run ({exc}); reinstall it ({TESSERACT_INSTALL})"
        ) from None
    return TesseractInfo(version=version, languages=languages)


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


def _image_dpi(image: Image.Image, default: int) -> int:
    dpi = image.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if 70 <= value <= 2400 else default


def ocr_image(image: Image.Image, lang: str = "vie", psm: int = 3, dpi: int = 300) -> PageOCR:
    """OCR one page image with Tesseract; `dpi` is used when the image carries no resolution."""
    config = f"--psm {int(psm)} --dpi {_image_dpi(image, dpi)}"
    try:
        data = pytesseract.image_to_data(
            image, lang=lang, config=config, output_type=pytesseract.Output.DICT
        )
    except pytesseract.TesseractNotFoundError:
        raise DependencyError(f"tesseract is not installed ({TESSERACT_INSTALL})") from None
    except pytesseract.TesseractError as exc:
        message = str(exc.message if hasattr(exc, "message") else exc)
        missing = re.search(r"Failed loading language '([^']+)'", message)
        if missing:
            code = missing.group(1)
            raise DependencyError(
                f"Tesseract language model '{code}' is not installed ({lang_install_command(code)})"
            ) from None
        first = next((line for line in message.splitlines() if line.strip()), "unknown error")
        raise OcrError(f"tesseract failed: {first.strip()}") from None
    words = words_from_data(data)
    return PageOCR(words=words, text=rebuild_text(words), confidence=mean_confidence(words))
