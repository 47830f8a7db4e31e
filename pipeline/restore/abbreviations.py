"""Abbreviations and the letter parts of document codes: restore what OCR lost in them.

Raw OCR made without a Vietnamese model writes QĐ as QD or QB and HĐND as HDND or HPND, and text
typed without marks writes them as QD and HDND. The syllable decoder never touches such tokens
(an unknown word in capitals is a name or an abbreviation), so this stage compares them with the
abbreviations our domain lexicon knows (document types and their code parts, bodies, offices:
`lexicon/domain/`) and puts the known form back when the error model finds it close.

    known = Abbreviations.load(channel, shipped.domain_dir())
    known.restore_code("1157-QB/TU", bare=False)   # "1157-QĐ/TU"
    known.restore_word("HDND", bare=True)          # "HĐND"
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache
from pathlib import Path

import regex

from vnocr.models.channel import ChannelModel
from vnocr.text import orthography
from vnocr.text.tokens import DOCUMENT_CODE_RE, ROMAN_NUMERAL_RE

# An abbreviation within this error-model cost (nats, frequency prior included) replaces an
# unknown one: one cheap confusion (D -> Đ) or one learned one (B -> Đ, O -> Q) ...
CLOSE_COST = 7.0
# ... or, up to this cost, two of them (HDPND -> HĐND, KIL -> KL) if it wins by as much as it
# costs beyond CLOSE_COST (SG is not taken for ST: PG and SL are nearly as close).
MAX_COST = 13.0
# The best known form must beat the runner-up by at least this much (nats).
MIN_LEAD = 1.0
_PART = regex.compile(r"\p{L}+")
_WORD = regex.compile(r"[\p{L}\d]+(?:[-/][\p{L}\d]+)*")


def is_abbreviation_like(word: str) -> bool:
    """Two or more letters, at least two of them capitals (UBND, HĐND, CTr, QĐi)."""
    # A word in lower case (most of the lexicon) has no capital: no need to count them.
    return (
        len(word) >= 2
        and word.isalpha()
        and not word.islower()
        and sum(ch.isupper() for ch in word) >= 2
    )


def _is_syllable_in_capitals(word: str) -> bool:
    """A Vietnamese syllable written in capitals (BÁO, CÁO in headings), not an abbreviation."""
    return word.isupper() and orthography.is_valid(word.lower())


def read_lexicon(directory: Path) -> Counter[str]:
    """Abbreviations of the domain lexicon with how often they occur there.

    From the abbreviation column of `document_types.txt`, the letter parts of the document codes
    in every file (15-NQ/TU gives NQ and TU), and words in capitals that are no syllable and
    no Roman numeral.
    """
    counts: Counter[str] = Counter()
    for path in sorted(directory.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            name, _, abbreviation = line.partition("\t")
            if abbreviation:
                counts.update(p for p in _PART.findall(abbreviation) if is_abbreviation_like(p))
            for word in _capitalised_words(name):
                # 15-NQ/TU, but not quý II/2020; a word of letters only is no code (no digit).
                if not word.isalpha() and DOCUMENT_CODE_RE.fullmatch(word):
                    counts.update(
                        p
                        for p in _PART.findall(word)
                        if is_abbreviation_like(p) and not ROMAN_NUMERAL_RE.fullmatch(p)
                    )
                elif (
                    is_abbreviation_like(word)
                    and not _is_syllable_in_capitals(word)
                    and not ROMAN_NUMERAL_RE.fullmatch(word)
                ):
                    counts[word] += 1
    return counts


def _capitalised_words(text: str) -> list[str]:
    """The words of `text` (`_WORD`) but those in lower case: only a word with a capital can be
    a code or an abbreviation.

    A word holds no space, so the words of a piece of text between spaces are its own; most
    pieces (running text) are in lower case and are not searched at all.
    """
    return [
        word
        for piece in text.split()
        if not piece.islower()
        for word in _WORD.findall(piece)
        if not word.islower()
    ]


class Abbreviations:
    """The known abbreviations and the error model that compares OCR'd ones with them."""

    def __init__(self, counts: Counter[str], channel: ChannelModel):
        self.counts = counts
        self.channel = channel
        total = sum(counts.values()) or 1
        # -log P(abbreviation) as a mild prior between equally close known forms.
        self._rarity = {a: -math.log(n / total) for a, n in counts.items()}
        self._by_length: dict[int, list[str]] = {}
        for a in counts:
            self._by_length.setdefault(len(a), []).append(a)
        self.restore_part = lru_cache(maxsize=20_000)(self._restore_part)

    @classmethod
    def load(cls, channel: ChannelModel, directory: Path) -> Abbreviations:
        """The abbreviations of a domain folder (`lexicon/domain/`)."""
        return cls(read_lexicon(directory), channel)

    def __contains__(self, part: str) -> bool:
        return part in self.counts

    def _restore_part(self, part: str, bare: bool) -> tuple[str, float] | None:
        """The known abbreviation `part` stands for and its lead over the next best, or None.

        `bare`: the text was written without marks, so only a form with the same letters
        (QD for QĐ) can be meant; otherwise any form the error model finds close.
        """
        if part in self.counts or not part.isalpha():
            return None
        scored = []
        for length in (len(part) - 1, len(part), len(part) + 1):
            for known in self._by_length.get(length, ()):
                if bare:
                    if orthography.skeleton(known) != orthography.skeleton(part):
                        continue
                    cost = 0.0
                else:
                    cost = self.channel.cost(part, known)
                scored.append((cost + 0.1 * self._rarity[known], known))
        scored.sort()
        if not scored or scored[0][0] > MAX_COST:
            return None
        best = scored[0][0]
        lead = scored[1][0] - best if len(scored) > 1 else MAX_COST
        if lead < max(MIN_LEAD, best - CLOSE_COST):
            return None
        return scored[0][1], lead

    def restore_word(self, word: str, bare: bool) -> tuple[str, float] | None:
        """The known abbreviation an unknown word in capitals stands for (HPND -> HĐND).

        A word whose letters spell a syllable (NO, CAC in a heading) is the decoder's to judge.
        """
        if not is_abbreviation_like(word) or orthography.by_skeleton(orthography.skeleton(word)):
            return None
        return self.restore_part(word, bare)

    def restore_code(self, code: str, bare: bool) -> tuple[str, float] | None:
        """A document code with its letter parts restored (25-NO/TW -> 25-NQ/TW) and the
        smallest lead of a restored part, or None when no part changes."""
        leads: list[float] = []

        def fix(match: regex.Match[str]) -> str:
            part = match.group()
            if not is_abbreviation_like(part) or ROMAN_NUMERAL_RE.fullmatch(part):
                return part  # quý III/2024 is no code part to restore
            found = self.restore_part(part, bare)
            if found is None:
                return part
            leads.append(found[1])
            return found[0]

        restored = _PART.sub(fix, code)
        return (restored, min(leads)) if leads else None
