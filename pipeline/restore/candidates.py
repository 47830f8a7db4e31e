"""Candidate generation: the lexicon syllables an OCR word may stand for, with channel costs.

A word is first folded to letter skeletons (marks removed, OCR noise such as 6 or & read as the
letters the error model says they stand for), then syllables are looked up whose skeleton is within
one edit of a fold (exact, one deletion or insertion, one substitution; a symmetric-deletion index
makes this a few dictionary look-ups; two edits for words that are no known syllable). The error
model then scores every syllable found.
"""

from __future__ import annotations

import copy
import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Levenshtein

from vnocr.models.channel import ChannelModel
from vnocr.models.lm import SPECIAL, SyllableModel, normalize_syllable
from vnocr.text import orthography

MAX_FOLDS = 6  # letter skeletons tried per word
MAX_SCORED = 96  # syllables scored by the error model per word searched one edit around
# Per word searched two edits around (unknown, or doubted by the OCR engine): its reading may
# rank low by edit count (cude -> cuộc).
MAX_SCORED_WIDE = 128
MAX_CANDIDATES = 16  # candidates handed to the decoder per word
PER_SKELETON = 8  # syllables tried per neighbouring skeleton, most frequent first
MAX_READINGS = 6  # strings built from Tesseract's per-character alternatives
PRIOR_WEIGHT = 1.0  # share of a syllable's unigram log-probability used to pick the candidates
BEAM = 9.0  # nats: drop candidates this much costlier than the best one
MIN_NEIGHBOUR_LOGP = -13.0  # one-edit neighbours rarer than this are not tried for known words
MIN_SPLIT_LENGTH = 5  # unknown words this long may be two syllables glued together
# Longer words are not tried as two glued syllables (each split point searches both halves,
# and the halves split again: the work grows with the square of the length).
MAX_SPLIT_LENGTH = 16
# A "word" longer than this is no syllable nor two glued ones: it gets no candidates and is
# left as written (the search cost per word stays bounded).
MAX_WORD_LENGTH = 24
MAX_SPLITS = 2
SPLIT_COST = 3.0  # nats: the missing space


@dataclass(frozen=True)
class Candidate:
    """A syllable (LM form: lower case, old style) the word may stand for; `keep` = leave as is.

    A word OCR glued together gets two-syllable candidates, written with a space ("với nhân").
    """

    syllable: str
    channel: float  # -log P(observed word | syllable), nats
    keep: bool = False


# Per character position of a word, Tesseract's alternatives with their probabilities.
Choices = tuple[tuple[tuple[str, float], ...], ...]


@dataclass(frozen=True)
class WordHint:
    """What is known of one word beyond its text: OCR confidence (0-100), alternatives."""

    confidence: float | None = None
    choices: Choices = ()
    protected: bool = False  # an abbreviation or unit by its context: leave it as written


def readings(choices: Choices, limit: int = MAX_READINGS) -> list[tuple[str, float]]:
    """The most probable strings spelled by per-position alternatives, with -log probability."""
    beam: list[tuple[float, str]] = [(0.0, "")]
    for position in choices:
        options = [(p, ch) for ch, p in position if p > 0] or [(1.0, "")]
        beam = heapq.nsmallest(
            limit, ((cost - math.log(p), text + ch) for cost, text in beam for p, ch in options)
        )
    return [(text, cost) for cost, text in beam if text]


def _deletions(text: str) -> set[str]:
    return {text[:i] + text[i + 1 :] for i in range(len(text))}


class CandidateGenerator:
    """Finds and scores candidates; results are cached per distinct word."""

    def __init__(self, lm: SyllableModel, channel: ChannelModel):
        self.lm = lm
        self.channel = channel
        # Skeleton -> its syllables with their unigram log-probabilities, most frequent first.
        self.by_skeleton: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for word in lm.vocab:
            if word not in SPECIAL:
                self.by_skeleton[orthography.skeleton(word)].append((word, lm.unigram(word)))
        for syllables in self.by_skeleton.values():
            syllables.sort(key=lambda pair: -pair[1])
        # For ranking, every syllable of the lexicon grouped by skeleton, most frequent first, with
        # 0.3 * its log-probability; a skeleton's pools are ranges of these (see `_near_syllables`).
        self._syllables: list[str] = []
        rarity: list[float] = []
        # Skeleton -> (first position, sizes of its pools: all, most frequent, not too rare).
        self._pools: dict[str, tuple[int, int, int, int]] = {}
        for skeleton, syllables in self.by_skeleton.items():
            # Most frequent first: the syllables not rarer than MIN_NEIGHBOUR_LOGP come first.
            frequent = sum(logp >= MIN_NEIGHBOUR_LOGP for _, logp in syllables[:PER_SKELETON])
            top = min(len(syllables), PER_SKELETON)
            self._pools[skeleton] = (len(self._syllables), len(syllables), top, frequent)
            self._syllables.extend(syllable for syllable, _ in syllables)
            rarity.extend(0.3 * logp for _, logp in syllables)
        self._rarity = np.array(rarity, dtype=np.float64)
        # Depends on the lexicon only: shared with the copies made by `with_channel`.
        self._near = lru_cache(maxsize=8192)(self._near_syllables)
        # Every string one or two deletions away from a lexicon skeleton -> those skeletons.
        self.by_deletion: dict[str, set[str]] = defaultdict(set)
        for skeleton in self.by_skeleton:
            once = _deletions(skeleton)
            for shorter in once | {d for s in once for d in _deletions(s)}:
                self.by_deletion[shorter].add(skeleton)
        self.cleanup = channel.cleanup_map()
        self._longest_noise = max((len(k) for k in self.cleanup), default=1)
        self._generated = lru_cache(maxsize=200_000)(self._generate)

    def with_channel(self, channel: ChannelModel) -> CandidateGenerator:
        """The same lexicon indexes with another error model (and an empty cache)."""
        other = copy.copy(self)
        other.channel = channel
        other.cleanup = channel.cleanup_map()
        other._longest_noise = max((len(k) for k in other.cleanup), default=1)
        other._generated = lru_cache(maxsize=200_000)(other._generate)
        return other

    def generate(self, word: str, bare: bool = False, wide: bool = False) -> tuple[Candidate, ...]:
        """Candidates for one word as written, most likely first (see `_generate`).

        Case is ignored: the word's case forms share one cached result. A word longer than
        MAX_WORD_LENGTH gets none.
        """
        if len(word) > MAX_WORD_LENGTH:
            return ()
        return self._generated(word.lower(), bare, wide)

    def folds(self, word: str) -> list[tuple[str, float]]:
        """Letter skeletons the lower-case `word` may fold to, cheapest first, with their costs."""
        options: list[list[tuple[int, str, float]]] = [[] for _ in range(len(word) + 1)]
        for i in range(len(word)):
            for n in range(1, min(self._longest_noise, len(word) - i) + 1):
                piece = word[i : i + n]
                for letters, cost in self.cleanup.get(piece, ()):
                    options[i].append((n, letters, cost))
            if word[i].isalpha():
                options[i].append((1, orthography.skeleton(word[i]), 0.0))
        # Best-first search over segmentations, keeping the MAX_FOLDS cheapest complete folds.
        heap: list[tuple[float, int, str]] = [(0.0, 0, "")]
        done: dict[str, float] = {}
        seen: set[tuple[int, str]] = set()
        while heap and len(done) < MAX_FOLDS:
            cost, pos, text = heapq.heappop(heap)
            if pos == len(word):
                done.setdefault(text, cost)
                continue
            if (pos, text) in seen:
                continue
            seen.add((pos, text))
            for n, letters, step in options[pos]:
                heapq.heappush(heap, (cost + step, pos + n, text + letters))
        return sorted(done.items(), key=lambda kv: kv[1])

    def neighbours(self, skeleton: str, max_distance: int) -> dict[str, int]:
        """Lexicon skeletons within `max_distance` (0, 1 or 2) edits of `skeleton`, with distance.

        Symmetric deletion: two strings are within d edits only if deleting at most d letters
        from each makes them meet, so look-ups of the word's deletions in the index of the
        lexicon's deletions find every neighbour; a true edit distance then filters them.
        """
        probes = {skeleton}
        frontier = {skeleton}
        for _ in range(max_distance):
            frontier = {d for f in frontier for d in _deletions(f)}
            probes |= frontier
        near: set[str] = set()
        for probe in probes:
            if probe in self.by_skeleton:
                near.add(probe)
            near.update(self.by_deletion.get(probe, ()))
        found = {}
        for s in sorted(near):  # sorted: ties break the same way in every run
            distance = Levenshtein.distance(skeleton, s, score_cutoff=max_distance)
            if distance <= max_distance:
                found[s] = distance
        return found

    def _near_syllables(self, fold: str, narrow: bool) -> tuple[np.ndarray, np.ndarray]:
        """The syllables ranked for one fold of a word: positions in `_syllables`, and 10 nats
        per edit between the fold and the syllable's skeleton.

        The syllables of the fold's own skeleton all count; a neighbouring skeleton gives its
        PER_SKELETON most frequent, and for a known word (`narrow`) only those not too rare.
        """
        starts, sizes, distances = [], [], []
        for skeleton, distance in self.neighbours(fold, 1 if narrow else 2).items():
            start, every, top, frequent = self._pools[skeleton]
            starts.append(start)
            sizes.append(every if distance == 0 else frequent if narrow else top)
            distances.append(distance)
        counts = np.array(sizes, dtype=np.int64)
        ends = np.cumsum(counts)
        offsets = np.array(starts, dtype=np.int64) - (ends - counts)
        positions = np.arange(ends[-1] if len(ends) else 0) + np.repeat(offsets, counts)
        return positions, np.repeat(10.0 * np.array(distances, dtype=np.float64), counts)

    def _generate(self, word: str, bare: bool = False, wide: bool = False) -> tuple[Candidate, ...]:
        """Candidates for one word as written (case is ignored), most likely first.

        `bare` says the text was written without marks (see `profile.mark_rate`): the error
        model then compares the word with each candidate's skeleton, since the marks were never
        there.
        A known syllable is searched one edit around (its frequent neighbours only), an unknown
        word, or any word when `wide` (the OCR engine doubted it), two edits around.
        """
        lower = word.lower()
        known = normalize_syllable(lower)
        known = known if known is not None and known in self.lm else None
        narrow = known is not None and not wide
        # Rank by edit distance first, then by a cheap mix of fold cost and frequency.
        ids, ranks = [], []
        for fold, fold_cost in self.folds(lower):
            near, edits = self._near(fold, narrow)
            ids.append(near)
            ranks.append((edits + fold_cost) - self._rarity[near])
        limit = MAX_SCORED if narrow else MAX_SCORED_WIDE
        shortlist = [self._syllables[i] for i in _lowest(ids, ranks, limit)]
        if known:
            shortlist = list(dict.fromkeys([known, *shortlist]))

        def cost(syllable: str) -> float:
            return self.channel.cost(lower, orthography.skeleton(syllable) if bare else syllable)

        targets = [orthography.skeleton(s) for s in shortlist] if bare else shortlist
        costs = self.channel.costs(lower, targets)
        kept = known if known and not bare else None  # the candidate leaving the word as it is
        cutoff = min(costs, default=math.inf) + BEAM
        pairs = [(s, c) for s, c in zip(shortlist, costs, strict=True) if c <= cutoff or s == kept]
        # Keep the candidates most likely a priori: error-model cost plus a share of the
        # syllable's own rarity (the decoder adds the full context score later).
        pairs.sort(key=lambda pair: pair[1] - PRIOR_WEIGHT * self.lm.unigram(pair[0]))
        scored = [Candidate(s, c, keep=(s == kept)) for s, c in pairs[:MAX_CANDIDATES]]
        if known and not bare and not any(c.keep for c in scored):
            scored.append(Candidate(known, cost(known), keep=True))
        if not known and MIN_SPLIT_LENGTH <= len(lower) <= MAX_SPLIT_LENGTH:
            scored.extend(self._splits(lower, bare))
        return tuple(scored)

    def with_readings(
        self, word: str, candidates: tuple[Candidate, ...], choices: Choices
    ) -> tuple[Candidate, ...]:
        """Add the syllables spelled by the OCR engine's own alternatives to `candidates`.

        Such a reading costs the lower of its error-model cost and its -log probability under
        the engine's alternatives.
        """
        have = {c.syllable: i for i, c in enumerate(candidates)}
        extra = list(candidates)
        for text, cost in readings(choices):
            syllable = normalize_syllable(text)
            if syllable is None or syllable not in self.lm:
                continue
            cost = min(cost, self.channel.cost(word.lower(), syllable))
            if syllable in have:
                old = extra[have[syllable]]
                if cost < old.channel:
                    extra[have[syllable]] = Candidate(syllable, cost, old.keep)
            else:
                have[syllable] = len(extra)
                extra.append(Candidate(syllable, cost))
        return tuple(extra)

    def _splits(self, word: str, bare: bool) -> list[Candidate]:
        """Two-syllable readings of a word that OCR glued together (voinhan -> với nhân)."""
        found = []
        for i in range(2, len(word) - 1):
            left, right = self.generate(word[:i], bare), self.generate(word[i:], bare)
            if left and right and not left[0].keep and not right[0].keep:
                pair = f"{left[0].syllable} {right[0].syllable}"
                found.append(Candidate(pair, left[0].channel + right[0].channel + SPLIT_COST))
        return sorted(found, key=lambda c: c.channel)[:MAX_SPLITS]


def _lowest(ids: list[np.ndarray], ranks: list[np.ndarray], limit: int) -> list[int]:
    """The `limit` distinct ids of lowest rank (an id's rank is the lowest of its entries),
    lowest first; equal ranks in the order the ids first appear (as a dict of minima would).

    `ids` and `ranks` come in parts, one per fold; an id appears at most once in a part.
    """
    if len(ids) == 1:  # every id once: only their order is left to find
        return ids[0][np.argsort(ranks[0], kind="stable")[:limit]].tolist()
    if not ids:
        return []
    unique, first, inverse = np.unique(np.concatenate(ids), return_index=True, return_inverse=True)
    lowest = np.full(len(unique), np.inf)
    np.minimum.at(lowest, inverse, np.concatenate(ranks))
    return unique[np.lexsort((first, lowest))[:limit]].tolist()
