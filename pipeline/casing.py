"""Case of a replaced word: is an OCR'd capital evidence of a capital?

A replacement takes the case shape of the word as OCR read it ("Tinh" -> "Tỉnh"). That is right
when the first letter was read as itself, but a misread capital may stand for a lower-case
letter: OCR without a Vietnamese model reads the marked lower-case ộ, ớ, ủ as G, and l as I,
while the capital P or B it writes for Đ does stand for a capital. The error model's counts keep
case (`lexicon/channel.tsv`), so they say which case such a misread capital stood for.

    evidence = CaseEvidence.load()
    evidence.capital_meant("G", "ủ")   # False: "Gy" is "ủy", not "Ủy"
    evidence.capital_meant("P", "đ")   # True: "Pang" is "Đảng"
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from pipeline.channel import DEFAULT_FILE, default_lexicon_dir, read_counts, skeleton

MIN_EVIDENCE = 5  # counts needed before a misread capital's case is decided by them


class CaseEvidence:
    """Counts of misread capitals by the case of the letter they stood for."""

    def __init__(self, counts: dict[tuple[str, str], float]):
        # (observed capital, intended letter in lower case) -> [lower-case count, capital count]
        self.by_pair: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
        self.by_capital: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for (observed, intended), n in counts.items():
            if not observed or not intended or not observed[0].isupper():
                continue
            o, t = observed[0], intended[0]
            if not t.isalpha() or skeleton(o) == skeleton(t):
                continue  # read as itself (marks aside): not a misread
            self.by_pair[(o, t.lower())][t.isupper()] += n
            self.by_capital[o][t.isupper()] += n

    @classmethod
    def load(cls, path: Path | None = None) -> CaseEvidence:
        """Evidence from the shipped error-model counts (or the TSV at `path`)."""
        counts, _ = read_counts(path or default_lexicon_dir() / DEFAULT_FILE)
        return cls(counts)

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
