"""Recurring garbles: a word that a document's OCR writes the same wrong way again and again.

Raw OCR without a Vietnamese model misreads a letter the same way on every page (Tỉnh ủy read as
"Tinh Gy" ten times). One occurrence cannot pay for an error the shipped model never saw (G for
ủ), but together the occurrences can: the hypothesis "this document writes ủy as Gy" costs the
error model once, while its language-model gain is earned at every occurrence.

`resolve` weighs that hypothesis for every possible garble that recurs (an unknown word, or a
known syllable that the first pass replaced at most of its occurrences, such as vy read for
ủy), against what the first decoding pass chose one by one, and returns the readings it
accepts; the corrector lets the error model adapt to them, and the second pass decides each
occurrence in its own context. A lone number between words (6 read for ở) is weighed the same
way, except that it may stand for the reading at some places only: real numbers stay numbers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from vnocr.models import lm as lmmod
from vnocr.restore.candidates import CandidateGenerator

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

    `occurrences` maps each possible garble (lower case) to its occurrences in the document.
    """
    lm = generator.lm
    recurring = {word: found for word, found in occurrences.items() if len(found) >= MIN_REPEATS}
    # Per word: its readings and its distinct neighbours with their counts, so that one LM
    # look-up gives every reading after every neighbour before it, and before every one after.
    plans = []
    for word, found in recurring.items():
        befores = Counter(o.before for o in found)
        afters = Counter(o.after for o in found)
        plans.append((word, found, _readings(word, generator), befores, afters))
    tables = lm.blocks(
        [
            pair
            for _, _, readings, befores, afters in plans
            for pair in ((list(befores), readings), (readings, list(afters)))
        ]
    )
    resolved: dict[str, str] = {}
    for k, (word, found, readings, befores, afters) in enumerate(plans):
        if not readings:
            continue
        reading_given_before = tables[2 * k]  # log P(reading | before): rows readings
        after_given_reading = tables[2 * k + 1]  # log P(after | reading): rows afters
        chosen = np.array([context_of(lm, o.before, o.chosen, o.after) - o.cost for o in found])
        if word.isdigit():
            # A number is often just a number: the hypothesis is that this document writes
            # the reading as it at some places, each occurrence keeping the likelier of the two.
            column = {before: i for i, before in enumerate(befores)}
            row = {after: i for i, after in enumerate(afters)}
            each = reading_given_before[:, [column[o.before] for o in found]]
            each += after_given_reading[[row[o.after] for o in found], :].T
            context = np.maximum(each, chosen).sum(axis=1)
        else:
            context = reading_given_before @ np.array(list(befores.values()), dtype=float)
            context += np.array(list(afters.values()), dtype=float) @ after_given_reading
        costs = np.array(generator.channel.costs(word, readings))
        scores = context - costs
        best = int(np.argmax(scores))
        first_pass = float(chosen.sum())
        if scores[best] <= first_pass + MIN_GAIN:
            continue
        if Counter(o.chosen for o in found).most_common(1)[0][0] != readings[best]:
            resolved[word] = readings[best]
    return resolved


def context_of(lm: lmmod.SyllableModel, before: str, syllable: str, after: str) -> float:
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
