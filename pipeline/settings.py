"""Run settings shared by every stage (picklable, so batch workers can receive them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Default limit on the pixels of one page image (200 megapixels: an A0 sheet at 300 dpi is ~140).
DEFAULT_MAX_PIXELS = 200_000_000

TONE_STYLES = ("old", "new", "keep")


@dataclass(frozen=True)
class Settings:
    """How to OCR and correct a document."""

    lang: str = "vie"
    psm: int = 3
    dpi: int = 300
    correct: bool = True
    tone_style: str = "keep"
    lexicon: Path | None = None
    preprocess: str = "auto"  # "none", "auto" or steps, see vnocr.image.preprocess.parse_mode
    max_pixels: int = DEFAULT_MAX_PIXELS
    #: Ask Tesseract for per-character alternatives (lstm_choice_mode=2) for the corrector.
    #: Off by default: it costs OCR time (see the README) for little gain so far.
    alternatives: bool = False
    #: Encoding of text inputs: None detects it (UTF-8 first, then the Vietnamese legacy
    #: encodings); else a vnocr.text.legacy_encodings name ("utf-8", "tcvn3", "vni", ...).
    encoding: str | None = None
