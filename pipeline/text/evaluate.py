"""Evaluation: character and word error rates after normalisation.

Both texts are put in NFC, every whitespace run (spaces, newlines, form feeds) becomes one
space, and tone marks are moved to the old placement (hoà -> hòa, thuỷ -> thủy), so the two
accepted placement styles count as equal.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import regex
from rapidfuzz.distance import Levenshtein

from vnocr.text.orthography import restyle_text

_WHITESPACE = regex.compile(r"\s+")


def normalize_for_eval(text: str) -> str:
    """NFC, whitespace runs folded to one space, trimmed, tone marks in the old style."""
    text = unicodedata.normalize("NFC", text)
    text = _WHITESPACE.sub(" ", text).strip()
    return unicodedata.normalize("NFC", restyle_text(text, "old"))


def _rate(distance: int, length: int) -> float:
    """distance / length; against an empty reference every hypothesis unit is an error."""
    return distance / max(length, 1)


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: Levenshtein distance over characters / reference length."""
    ref, hyp = normalize_for_eval(reference), normalize_for_eval(hypothesis)
    return _rate(Levenshtein.distance(ref, hyp), len(ref))


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: Levenshtein distance over word lists / reference word count."""
    ref = normalize_for_eval(reference).split()
    hyp = normalize_for_eval(hypothesis).split()
    return _rate(Levenshtein.distance(ref, hyp), len(ref))


def compare(reference: str, hypothesis: str) -> dict[str, Any]:
    """CER, WER, the edit distances and the reference sizes."""
    ref, hyp = normalize_for_eval(reference), normalize_for_eval(hypothesis)
    ref_words, hyp_words = ref.split(), hyp.split()
    char_distance = Levenshtein.distance(ref, hyp)
    word_distance = Levenshtein.distance(ref_words, hyp_words)
    return {
        "cer": _rate(char_distance, len(ref)),
        "wer": _rate(word_distance, len(ref_words)),
        "char_distance": char_distance,
        "word_distance": word_distance,
        "ref_chars": len(ref),
        "ref_words": len(ref_words),
        "hyp_chars": len(hyp),
        "hyp_words": len(hyp_words),
    }


def summary_line(figures: dict[str, Any]) -> str:
    """One line: `CER 3.21%  WER 9.80%  (ref 1234 chars, 250 words)`."""
    return (
        f"CER {figures['cer'] * 100:.2f}%  WER {figures['wer'] * 100:.2f}%  "
        f"(ref {figures['ref_chars']} chars, {figures['ref_words']} words)"
    )
