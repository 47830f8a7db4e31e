"""Recurring garbles: a word that a document's OCR writes the same wrong way again and again.

Raw OCR without a Vietnamese model misreads a letter the same way on every page (Tỉnh ủy read as
"Tinh Gy" ten times). One occurrence cannot pay for an error the shipped model never saw (G for
ủ), but together the occurrences can: the hypothesis "this document writes ủy as Gy" costs the
error model once, while its language-model gain is earned at every occurrence.

`resolve` weighs that hypothesis for every unknown word that recurs, against what the first
decoding pass chose one by one, and returns the readings it accepts; the corrector lets the
error model adapt to them, and the second pass decides each occurrence in its own context.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pipeline import lm as lmmod
from pipeline.candidates import CandidateGenerator

MIN_REPEATS = 3  # occurrences a word needs before its occurrences are weighed together
MAX_EDITS = 1  # skeleton edits between the word and a syllable it may stand for
PER_SKELETON = 4  # most frequent syllables tried per skeleton
# The type-level reading must beat the first pass by this much (nats), summed over occurrences.
MIN_GAIN = 6.0


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a word: the first pass's choices around it and for it."""

    before: str  # LM symbol before (BOS at a sentence start)
    chosen: str  # the syllable the first pass chose, or OTHER when it kept the word
    after: str  # LM symbol after (EOS at a sentence end)
    cost: float  # what the first pass paid for its choice (error model or keep cost)


def resolve(
    occurrences: dict[str, list[Occurrence]], generator: CandidateGenerator
) -> dict[str, str]:
    """Observed word (lower case) -> the syllable it stands for, for the recurring words resolved.

    `occurrences` maps each unknown word (lower case) to its occurrences in the document.
    """
    lm = generator.lm
    resolved: dict[str, str] = {}
    for word, found in occurrences.items():
        if len(found) < MIN_REPEATS:
            continue
        first_pass = sum(context_of(lm, o.before, o.chosen, o.after) - o.cost for o in found)
        # The same neighbours recur: sum over the distinct ones, each times its count.
        befores = Counter(o.before for o in found)
        afters = Counter(o.after for o in found)
        best, best_score = None, first_pass + MIN_GAIN
        for syllable in _readings(word, generator):
            context = sum(n * lm.logp(before, syllable) for before, n in befores.items())
            context += sum(n * lm.logp(syllable, after) for after, n in afters.items())
            score = context - generator.channel.cost(word, syllable)
            if score > best_score:
                best, best_score = syllable, score
        if best is not None and Counter(o.chosen for o in found).most_common(1)[0][0] != best:
            resolved[word] = best
    return resolved


def context_of(lm: lmmod.LanguageModel, before: str, syllable: str, after: str) -> float:
    """LM log-probability of `syllable` between its neighbours."""
    return lm.logp(before, syllable) + lm.logp(syllable, after)


def _readings(word: str, generator: CandidateGenerator) -> list[str]:
    """Syllables whose skeleton is within MAX_EDITS of one of the word's letter folds."""
    found: dict[str, None] = {}
    for fold, _ in generator.folds(word):
        for skeleton in generator.neighbours(fold, MAX_EDITS):
            for syllable, _ in generator.by_skeleton[skeleton][:PER_SKELETON]:
                found[syllable] = None
    return list(found)
