"""Case of a replaced word: is an OCR'd capital evidence of a capital?

A replacement takes the case shape of the word as OCR read it ("Tinh" -> "Tỉnh"). That is right
when the first letter was read as itself, but a misread capital may stand for a lower-case
letter: OCR without a Vietnamese model reads the marked lower-case ộ, ớ, ủ as G, and l as I,
while the capital P or B it writes for Đ does stand for a capital. The error model's counts keep
case (`lexicon/channel.tsv`), so they say which case such a misread capital stood for.

    evidence = CaseEvidence(channel_counts)   # the counts of lexicon/channel.tsv
    evidence.capital_meant("G", "ủ")   # False: "Gy" is "ủy", not "Ủy"
    evidence.capital_meant("P", "đ")   # True: "Pang" is "Đảng"

A capital read without its mark (U for ủ) is a letter read as itself, so the counts above keep
it; but OCR without a Vietnamese model also writes a marked lower-case letter as its bare
capital, since the mark makes it as tall (U for ủ, O for ộ; the counts say which: never D for
đ). There the word before decides, as our domain text writes the pair (`ContextCase`):
"Tỉnh Uy" is "Tỉnh ủy", "Uy ban" stays "Ủy ban".

    ContextCase.load(domain_dir).title_meant("tỉnh", "ủy")   # False: "Tỉnh ủy"
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import regex

from vnocr.text.orthography import skeleton

MIN_EVIDENCE = 5  # counts needed before a misread capital's case is decided by them
# Occurrences of a word after a word in our domain text before their case decides, and the
# share of one case it takes.
MIN_CONTEXT = 3
MIN_CONTEXT_SHARE = 0.8
# Two words with only spaces between them, the second starting with a marked letter (the only
# ones whose capital can be read without its mark); a match moves on one word at a time.
_MARKED_PAIR = regex.compile(r"(?<!\p{L})(\p{L}+) +(?=([^\x00-\x7f]\p{L}*))")


class CaseEvidence:
    """Counts of misread capitals by the case of the letter they stood for."""

    def __init__(self, counts: Mapping[tuple[str, str], float]):
        # (observed capital, intended letter in lower case) -> [lower-case count, capital count]
        self.by_pair: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
        self.by_capital: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        # (capital, marked lower-case letter it was read for without the mark) -> count: U for ủ
        self.unmarked_lower: dict[tuple[str, str], float] = defaultdict(float)
        for (observed, intended), n in counts.items():
            if not observed or not intended or not observed[0].isupper():
                continue
            o, t = observed[0], intended[0]
            if not t.isalpha():
                continue
            if skeleton(o) == skeleton(t):  # read as itself, marks aside: not a misread
                if t.islower() and t != o.lower():
                    self.unmarked_lower[(o, t)] += n
                continue
            self.by_pair[(o, t.lower())][t.isupper()] += n
            self.by_capital[o][t.isupper()] += n

    def capital_meant(self, observed: str, intended: str) -> bool:
        """Whether the capital `observed`, standing for the letter `intended`, meant a capital.

        True when the letter was read as itself or there is too little evidence either way.
        """
        if not observed.isupper() or skeleton(observed) == skeleton(intended):
            return True
        for lower, upper in (
            self.by_pair.get((observed, intended.lower()), (0.0, 0.0)),
            self.by_capital.get(observed, (0.0, 0.0)),
        ):
            if lower + upper >= MIN_EVIDENCE:
                return upper >= lower
        return True

    def may_be_lower(self, observed: str, intended: str) -> bool:
        """Whether OCR has been seen writing the capital `observed` for the marked lower-case
        letter `intended` (U for ủ: yes; D for đ: no, that D is a capital Đ)."""
        return self.unmarked_lower.get((observed, intended), 0.0) >= MIN_EVIDENCE


class ContextCase:
    """How our domain text writes the case of a word that starts with a marked letter after
    another word, mid-sentence: counts by (word before, word), both in lower case."""

    def __init__(self, counts: dict[tuple[str, str], list[int]]):
        self.counts = counts  # [lower-case count, capitalised count]

    @classmethod
    def load(cls, directory: Path) -> ContextCase:
        """Counts from the running text and phrases of a domain folder (`lexicon/domain/`)."""
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for path in sorted(directory.glob("*.txt")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith("#"):
                    continue
                for match in _MARKED_PAIR.finditer(line):
                    before, word = match.group(1), match.group(2)
                    if word.isupper() and len(word) > 1 or before.isupper() and len(before) > 1:
                        continue  # a heading in capitals says nothing of case
                    counts[(before.lower(), word.lower())][word[0].isupper()] += 1
        return cls(dict(counts))

    def title_meant(self, before: str, word: str) -> bool | None:
        """Whether `word` after `before` is capitalised in our text; None if it does not say."""
        lower, upper = self.counts.get((before.lower(), word.lower()), (0, 0))
        if lower + upper < MIN_CONTEXT:
            return None
        if upper >= MIN_CONTEXT_SHARE * (lower + upper):
            return True
        if lower >= MIN_CONTEXT_SHARE * (lower + upper):
            return False
        return None
