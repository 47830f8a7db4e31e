"""Text correction stage: Unicode clean-up, then (later) diacritic restoration."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.normalize import clean_unicode


@dataclass(frozen=True)
class CorrectOptions:
    """How to correct: tone style old|new|keep, an extra user language model, and the engine on/off."""

    tone_style: str = "keep"
    lexicon: Path | None = None
    restore: bool = True


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


class Corrector:
    """Holds loaded models; `correct` is then cheap to call many times."""

    def __init__(self, options: CorrectOptions | None = None):
        self.options = options or CorrectOptions()

    def correct(self, text: str, confidences: list[float] | None = None) -> Correction:
        """Correct `text`; line count, spacing, punctuation and numbers are kept."""
        return Correction(text=clean_unicode(text))


def correct_text(text: str, options: CorrectOptions | None = None) -> Correction:
    """Correct one text with a fresh Corrector."""
    return Corrector(options).correct(text)
