"""OCR words that are not text: ruled lines, stamp edges, seal and signature ink read as glyphs.

Runs on Tesseract's words before the text is rebuilt, so a junk line is dropped rather than
"restored" into words by the corrector.

- Characters typed administrative text does not use (underscores, em-dash runs, |, ~, ¬ ...)
  come from ruled lines and the edges of stamps: a word made only of them is dropped (one or
  two dash-like ones alone are a printed dash, `~ Ban` -> `- Ban`), and runs of them glued to
  the ends of a real word are cut off (`_VĂN` -> `VĂN`).
- A line that Tesseract itself doubts (low mean confidence) and whose words are mostly not
  Vietnamese syllables, numbers or document codes is ink that is not print (seal text,
  signatures, handwriting): it is dropped whole.
"""

from __future__ import annotations

import dataclasses
import re
from itertools import groupby

from vnocr.image.ocr import PageOCR, Word, mean_confidence, rebuild_text
from vnocr.text import orthography

#: Characters of rules, frames and specks: typed administrative text does not contain them.
RULE_CHARS = "_—~|¬`⁄§©®«»ˆ˜¦¡¿‹›"
#: Lone punctuation tokens that printed text does have (list dashes, the * under a header ...).
LONE_PUNCTUATION = {"-", "–", "*", "+", "(", ")", '"', "“", "”", ".", ",", ":", ";", "/", "./."}
#: A short run of these standing alone is a printed dash that OCR misread (`~ Ban` for `- Ban`).
DASHES = "~—–-"
#: A line is junk when its mean confidence is below a limit and less than the paired share of
#: its words are syllables, numbers or codes: the more Tesseract doubts, the less it takes.
JUNK_LINE_RULES = ((50.0, 0.5), (30.0, 0.75))

_EDGE_RULES = re.compile(rf"^[{re.escape(RULE_CHARS)}]+|[{re.escape(RULE_CHARS)}]+$")
_NUMBERISH = re.compile(r"\d+(?:[.,/-]\d+)*[.,;:)]*")
_CODE = re.compile(r"[\w&.]*\d[\w&.]*(?:[-/][\w&.]+)+[.,;:)]*")
_EDGE_PUNCTUATION = "\"'“”‘’()[].,;:!?-–*"


def is_rule_noise(text: str) -> bool:
    """A word with no letter or digit that is not a lone punctuation mark print uses."""
    return not any(ch.isalnum() for ch in text) and text not in LONE_PUNCTUATION


def strip_rule_edges(text: str) -> str:
    """The word without runs of rule characters glued to its ends (`_VĂN` -> `VĂN`)."""
    return _EDGE_RULES.sub("", text)


def is_text_word(text: str) -> bool:
    """A Vietnamese syllable (any case), a number, a date or a document code."""
    core = text.strip(_EDGE_PUNCTUATION)
    if not core:
        return False
    if _NUMBERISH.fullmatch(core) or _CODE.fullmatch(core):
        return True
    return orthography.is_valid(core.lower())


def is_junk_line(words: list[Word]) -> bool:
    """Low mean confidence and mostly words that are not text (see JUNK_LINE_RULES)."""
    confidence = sum(max(word.conf, 0.0) for word in words) / len(words)
    good = sum(is_text_word(word.text) for word in words) / len(words)
    return any(confidence < limit and good < share for limit, share in JUNK_LINE_RULES)


def _clean_word(word: Word) -> Word | None:
    if is_rule_noise(word.text):
        if len(word.text) <= 2 and all(ch in DASHES for ch in word.text):
            return dataclasses.replace(word, text="-", choices=[])  # a list or motto dash
        return None
    text = strip_rule_edges(word.text) if any(ch.isalnum() for ch in word.text) else word.text
    if text == word.text:
        return word
    if not text:
        return None
    return dataclasses.replace(word, text=text, choices=[])


def drop_junk(page: PageOCR) -> PageOCR:
    """The page without rule noise and junk lines; text and confidence rebuilt."""
    kept: list[Word] = []
    for _, line in groupby(page.words, key=lambda word: (word.block, word.par, word.line)):
        words = [word for word in map(_clean_word, line) if word is not None]
        if words and not is_junk_line(words):
            kept.extend(words)
    if len(kept) == len(page.words) and all(a is b for a, b in zip(kept, page.words, strict=True)):
        return page
    return PageOCR(words=kept, text=rebuild_text(kept), confidence=mean_confidence(kept))
