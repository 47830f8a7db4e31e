"""Decoder: Viterbi search over a paragraph, error-model cost plus language-model score.

Every WORD token is a slot with candidates; numbers, codes and commas are fixed LM symbols, so the
model's context runs through them (and across line breaks inside a paragraph); sentence punctuation
resets the context. A word stays as written unless a candidate beats leaving it by `min_margin`.

The search runs in two steps: a bigram Viterbi over all candidates, then, when the model has
trigrams, a second-order Viterbi with trigram scores over the candidates that the bigram search
left within `TRIGRAM_BEAM` of the best path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vnocr.models import lm as lmmod
from vnocr.models.lm import SyllableModel
from vnocr.restore.candidates import Candidate, CandidateGenerator, WordHint
from vnocr.restore.policy import NO_HINT, DecoderWeights, WordPolicy
from vnocr.restore.profile import CLEAN_TEXT, DocumentProfile
from vnocr.text.tokens import Kind, Token, in_capitals

# When a noisy document's error model is adapted to it, its own first-pass alignments count
# this many times as much as everything the shipped model was learned from.
ADAPT_SHARE = 4.0
# Slots whose LM scores are looked up together (see `Decoder._transitions`).
TRANSITION_BATCH = 256
# LM scores kept for reuse between neighbouring words that recur (see `Decoder._transitions`):
# at most this many numbers (8 bytes each) per decoder, then the store starts afresh.
TRANSITION_CACHE_CELLS = 2_000_000
# The trigram search weighs the candidates whose best bigram path scores within this many nats
# of the best path, at most TRIGRAM_WIDTH of them per slot (its cost grows with the cube).
TRIGRAM_BEAM = 5.0
TRIGRAM_WIDTH = 3


@dataclass(frozen=True)
class Scored:
    """What the search needs of a slot's candidates, worked out once per distinct word."""

    firsts: list[str]  # each candidate's first syllable, scored after the slot before
    contexts: list[str]  # its last syllable, the context of the next slot (EOS read as BOS)
    penults: list[str | None]  # the syllable before the last in a two-syllable candidate
    local: list[float]  # `Decoder._local` of each candidate
    local_array: np.ndarray  # the same as an array
    keep: int | None  # the candidate that leaves the word as written, if any


@dataclass(frozen=True)
class Slot:
    """One position of the search: a word with candidates, or a fixed LM symbol."""

    token: Token | None  # the WORD token, None for a fixed symbol
    candidates: tuple[Candidate, ...]  # for a fixed symbol, one candidate holding the symbol
    line: int  # index of the line in the paragraph
    scored: Scored  # from `Decoder._scored`


@dataclass(frozen=True)
class Choice:
    """The decision for one WORD token."""

    token: Token
    line: int
    candidate: Candidate
    margin: float  # how much better the choice scored than leaving the word as written


def _runs(indexes: list[int], gap: int) -> list[tuple[int, int]]:
    """(first, last) of the runs of sorted `indexes` whose neighbours lie at most `gap` apart."""
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and i - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


OPEN_END = "<open>"


def _paragraph_end(lines: list[list[Token]], slots: list[Slot]) -> str:
    """What follows a paragraph's last word: EOS, or OPEN_END for a paragraph of several lines
    that stops without closing its sentence (its text goes on after a page break or a table).

    One-line paragraphs (headings, signatures) end where they stop.
    """
    last = slots[-1]
    closed = last.token is None and last.candidates[0].syllable == lmmod.EOS
    return OPEN_END if len(lines) >= 2 and not closed else lmmod.EOS


class Decoder:
    """Chooses one candidate per word for a whole paragraph of one document."""

    def __init__(
        self,
        lm: SyllableModel,
        generator: CandidateGenerator,
        weights: DecoderWeights,
        profile: DocumentProfile = CLEAN_TEXT,
    ):
        self.lm = lm
        self.generator = generator
        self.weights = weights
        self.profile = profile
        self.policy = WordPolicy(lm, generator, weights, profile)
        # A document repeats its words: each distinct word's candidates and their scores once,
        # by what they depend on (see `slots`); fixed symbols by symbol.
        self._words: dict[tuple[str, bool, WordHint], tuple[tuple[Candidate, ...], Scored]]
        self._words = {}
        self._symbols: dict[str, tuple[tuple[Candidate, ...], Scored]] = {}
        # Weighted LM scores between two neighbouring slots' candidates, by the identity of
        # their `Scored` (None: the sentence start); each entry holds its two `Scored` so that
        # their identities stay theirs (see `_transitions`).
        self._steps: dict[tuple[int, int], tuple[Scored | None, Scored, np.ndarray]] = {}
        self._step_cells = 0

    def adapted(self, pairs: list[tuple[str, str]], profile: DocumentProfile) -> Decoder:
        """A decoder whose error model also counts this document's (observed, chosen) words,
        for its `profile` as the first pass left it (see `DocumentProfile.garbled_numbers`)."""
        channel = self.generator.channel
        document_chars = sum(len(observed) for observed, _ in pairs) or 1
        weight = ADAPT_SHARE * sum(channel.counts.values()) / document_chars
        channel = channel.adapted(pairs, weight)
        return Decoder(self.lm, self.generator.with_channel(channel), self.weights, profile)

    def for_document(self, profile: DocumentProfile) -> Decoder:
        """A decoder sharing the models for a document of this `profile`: the cleaner the text
        (the fewer unknown words), the dearer a change (see `DecoderWeights.for_document`)."""
        weights = self.weights.for_document(profile.unknown_share)
        return Decoder(self.lm, self.generator, weights, profile)

    def slots(
        self, lines: list[list[Token]], hints: dict[tuple[int, int], WordHint] | None = None
    ) -> list[Slot]:
        """The search positions of a paragraph given as tokenized lines.

        `hints` maps (line, token start) to what the OCR engine said of that word.
        """
        slots: list[Slot] = []
        hints = hints or {}
        policy = self.policy
        for line_no, tokens in enumerate(lines):
            heading = in_capitals(tokens, shortest=2)
            protected = policy.protected_words(tokens)
            for i, token in enumerate(tokens):
                if token.kind is Kind.WORD:
                    hint = hints.get((line_no, token.start), NO_HINT)
                    if i in protected:
                        hint = WordHint(confidence=hint.confidence, protected=True)
                    key = (token.text, heading, hint)
                    found = self._words.get(key)
                    if found is None:
                        candidates = policy.word_candidates(token, heading, hint)
                        found = candidates, self._scored(candidates, policy.confidence_bonus(hint))
                        self._words[key] = found
                    slots.append(Slot(token, found[0], line_no, found[1]))
                elif (number := policy.number_candidates(tokens, i)) is not None:
                    slots.append(Slot(token, number, line_no, self._scored(number)))
                elif token.kind is not Kind.SPACE:
                    symbol = lmmod.symbol_of(token.text, token.kind)
                    if symbol is not None:
                        found = self._symbols.get(symbol)
                        if found is None:
                            candidates = (Candidate(symbol, 0.0, keep=True),)
                            found = self._symbols[symbol] = candidates, self._scored(candidates)
                        slots.append(Slot(None, found[0], line_no, found[1]))
        return slots

    def _scored(self, candidates: tuple[Candidate, ...], keep_bonus: float = 0.0) -> Scored:
        """The LM edges and `_local` scores of a slot's candidates.

        `keep_bonus` is extra score for leaving the word as written (OCR confidence).
        """
        firsts = lasts = [c.syllable for c in candidates]
        penults: list[str | None] = [None] * len(candidates)
        if " " in "".join(firsts):  # a two-syllable candidate joins its neighbours by its edges
            firsts = [syllable.split(" ", 1)[0] for syllable in lasts]
            penults = [s.split(" ", 1)[0] if " " in s else None for s in lasts]
            lasts = [syllable.rsplit(" ", 1)[-1] for syllable in lasts]
        contexts = [lmmod.BOS if last == lmmod.EOS else last for last in lasts]
        local = [
            self._local(c, keep_bonus) if c.keep or " " in c.syllable else 0.0 - c.channel
            for c in candidates
        ]
        keep = next((k for k, c in enumerate(candidates) if c.keep), None)
        return Scored(firsts, contexts, penults, local, np.array(local, dtype=np.float64), keep)

    def _local(self, candidate: Candidate, slot_bonus: float = 0.0) -> float:
        """Channel cost, the keep bonuses, and the LM score inside a two-syllable candidate."""
        bonus = 0.0
        if candidate.keep:
            known = candidate.syllable != lmmod.OTHER
            bonus = (self.weights.min_margin if known else 0.0) + slot_bonus
        if " " not in candidate.syllable:
            return bonus - candidate.channel
        first, second = candidate.syllable.split(" ", 1)
        return bonus + self.weights.lm_weight * self.lm.logp(first, second) - candidate.channel

    def _transitions(self, slots: list[Slot]) -> list[np.ndarray]:
        """For each slot, weighted LM scores of its candidates (rows) after each candidate of
        the slot before (columns); the first slot follows the sentence start.

        Two-syllable candidates join their neighbours by their edges. A document repeats its
        word pairs (and `slots` shares one `Scored` between the slots of one word), so each
        pair of neighbouring `Scored` is looked up once per decoder; the LM is asked for
        TRANSITION_BATCH new pairs at a time: few numpy calls, bounded memory.
        """
        keys: list[tuple[int, int]] = []
        found: dict[tuple[int, int], np.ndarray] = {}
        missing: dict[tuple[int, int], tuple[Scored | None, Scored]] = {}
        before: Scored | None = None
        for slot in slots:
            key = (id(before), id(slot.scored))
            keys.append(key)
            if key not in found and key not in missing:
                known = self._steps.get(key)
                if known is None:
                    missing[key] = (before, slot.scored)
                else:
                    found[key] = known[2]
            before = slot.scored
        weight = self.weights.lm_weight
        pending = [(key, before, scored) for key, (before, scored) in missing.items()]
        for start in range(0, len(pending), TRANSITION_BATCH):
            batch = pending[start : start + TRANSITION_BATCH]
            pairs = [
                ([lmmod.BOS] if before is None else before.contexts, scored.firsts)
                for _, before, scored in batch
            ]
            for (key, before, scored), (contexts, words), table in zip(
                batch, pairs, self.lm.blocks(pairs), strict=True
            ):
                if lmmod.EOS in words:  # an empty sentence costs nothing
                    ends = [i for i, word in enumerate(words) if word == lmmod.EOS]
                    starts = [k for k, context in enumerate(contexts) if context == lmmod.BOS]
                    table[np.ix_(ends, starts)] = 0.0
                step = weight * table
                step.flags.writeable = False  # shared by every slot pair with this key
                found[key] = step
                self._remember_step(key, before, scored, step)
        return [found[key] for key in keys]

    def _remember_step(
        self, key: tuple[int, int], before: Scored | None, scored: Scored, step: np.ndarray
    ) -> None:
        """Keep `step` for `_transitions`, within TRANSITION_CACHE_CELLS."""
        if self._step_cells + step.size > TRANSITION_CACHE_CELLS:
            self._steps.clear()
            self._step_cells = 0
        self._steps[key] = (before, scored, step)
        self._step_cells += step.size

    def _transition(self, prev: str, word: str) -> float:
        """LM score of `word` after `prev` (two-syllable candidates join by their edges)."""
        prev = prev.rsplit(" ", 1)[-1]
        word = word.split(" ", 1)[0]
        if prev == lmmod.EOS:
            prev = lmmod.BOS
        if (word == lmmod.EOS and prev == lmmod.BOS) or word == OPEN_END:
            return 0.0
        return self.weights.lm_weight * self.lm.logp(prev, word)

    def decode(
        self,
        lines: list[list[Token]],
        hints: dict[tuple[int, int], WordHint] | None = None,
        final: bool = True,
    ) -> list[Choice]:
        """Best candidate for every WORD token of the paragraph, in order.

        `hints`: OCR confidences and alternatives by (line, token start), see `slots`.
        `final`: False for a first pass, whose choices are only learned from: the bigram
        search alone.
        """
        slots = self.slots(lines, hints)
        if not slots:
            return []
        # Viterbi: scores[j] = best score of a path ending in candidate j of the current slot.
        scores = np.zeros(1)
        back: list[np.ndarray] = []
        steps = self._transitions(slots)  # per slot, weighted LM scores
        forward: list[np.ndarray] = []  # per slot, the best score of a path ending in each
        for slot, step in zip(slots, steps, strict=True):
            # totals[j, k]: candidate j of this slot after candidate k of the slot before;
            # argmax keeps the first of equal scores.
            totals = scores + step
            back.append(totals.argmax(axis=1))
            scores = totals.max(axis=1) + slot.scored.local_array
            forward.append(scores)
        end = _paragraph_end(lines, slots)
        ends = [self._transition(c.syllable, end) for c in slots[-1].candidates]
        finish = [s + end for s, end in zip(scores.tolist(), ends, strict=True)]
        j = max(range(len(finish)), key=finish.__getitem__)
        path = [0] * len(slots)
        for i in range(len(slots) - 1, -1, -1):
            path[i] = j
            j = int(back[i][j])
        if not self.lm.trigram_count or not final:
            return self._choices(slots, path, steps, ends)
        kept = self._within_beam(slots, steps, forward, ends, finish[path[-1]])
        path = self._trigram_path(slots, kept, path, end)
        return self._trigram_choices(slots, path, end)

    def _within_beam(
        self,
        slots: list[Slot],
        steps: list[np.ndarray],
        forward: list[np.ndarray],
        ends: list[float],
        best: float,
    ) -> list[list[int]]:
        """Per slot, the candidates whose best bigram path scores within TRIGRAM_BEAM of `best`.

        A candidate's best path: the best path to it (`forward`) plus the best from it to the
        end, found by a backward pass over the same scores. Best first, at most TRIGRAM_WIDTH;
        an empty list where only the bigram path's candidate is left.
        """
        after = np.array(ends)  # per candidate of slot i, the best score from it to the end
        afters = [after] * len(slots)
        for i in range(len(slots) - 1, 0, -1):
            local = slots[i].scored.local_array
            if len(local) == 1:  # most slots: one candidate, one numpy operation
                after = steps[i][0] + float(local[0] + after[0])
            else:
                after = (steps[i] + (local + after)[:, None]).max(axis=0)
            afters[i - 1] = after
        # All slots at once: which candidates lie within the beam, and the slots with several.
        sizes = [len(a) for a in afters]
        near = np.concatenate(forward) + np.concatenate(afters) >= best - TRIGRAM_BEAM
        starts = np.cumsum(sizes) - np.asarray(sizes)
        several = np.flatnonzero(np.add.reduceat(near, starts) > 1).tolist()
        kept: list[list[int]] = [[]] * len(slots)  # [] where one candidate is left
        for i in several:
            through = forward[i] + afters[i]
            order = np.argsort(-through, kind="stable")[:TRIGRAM_WIDTH].tolist()
            kept[i] = [k for k in order if through[k] >= best - TRIGRAM_BEAM]
        return kept

    @staticmethod
    def _context(
        slots: list[Slot], i: int, before: int | None, prev: int | None
    ) -> tuple[str, str]:
        """The two LM symbols before slot `i` when slot i-1 holds its candidate `prev` and slot
        i-2 its candidate `before` ("" where the paragraph has none)."""
        if i == 0 or prev is None:
            return "", lmmod.BOS
        scored = slots[i - 1].scored
        u = scored.penults[prev]
        if u is None:
            u = slots[i - 2].scored.contexts[before] if i >= 2 and before is not None else lmmod.BOS
        return u, scored.contexts[prev]

    def _trigram_scores(self, triples: list[tuple[str, str, str]]) -> list[float]:
        """Weighted trigram scores of (u, v, w) triples; an empty sentence (the end right after
        a start) and an open end cost 0."""
        if not triples:
            return []
        us, vs, ws = (list(part) for part in zip(*triples, strict=True))
        scores = self.weights.lm_weight * self.lm.trigram_logps(us, vs, ws)
        ends = [k for k, w in enumerate(ws) if w == lmmod.EOS]
        scores[[k for k in ends if vs[k] == lmmod.BOS]] = 0.0
        scores[[k for k, w in enumerate(ws) if w == OPEN_END]] = 0.0
        return scores.tolist()

    def _trigram_path(
        self, slots: list[Slot], kept: list[list[int]], path: list[int], end: str
    ) -> list[int]:
        """Second-order Viterbi over the `kept` candidates, starting from the bigram `path`.

        A state is the candidates of two neighbouring slots, each step scored by the trigram of
        the two before and the next. Only windows around slots with more than one kept
        candidate are searched: elsewhere the path is fixed (one look-up for all windows).
        """
        n = len(slots)
        path = list(path)

        def options(p: int, first: int, last: int) -> list[int | None]:
            """Candidates of slot `p` in the window of ambiguous slots first..last."""
            if p < 0 or p == n:  # before the paragraph, or its end
                return [None]
            chosen: list[int | None] = [*kept[p]] if first <= p <= last and kept[p] else [path[p]]
            return chosen

        windows = []
        triples = []
        for first, last in _runs([i for i, k in enumerate(kept) if len(k) > 1], gap=2):
            # Slot `last` is in the trigrams of the two steps after it (or of the end).
            stop = min(last + 2, n)
            windows.append((first, last, stop))
            for t in range(first, stop + 1):
                for a in options(t - 2, first, last):
                    for b in options(t - 1, first, last):
                        u, v = self._context(slots, t, a, b)
                        for c in options(t, first, last):
                            word = end if c is None else slots[t].scored.firsts[c]
                            triples.append((u, v, word))
        scores = iter(self._trigram_scores(triples))
        for first, last, stop in windows:
            # best[x][y]: best score with slot t-2 at option x and slot t-1 at option y.
            best: list[list[float]] = [[0.0]]
            back: list[list[list[int]]] = []
            for t in range(first, stop + 1):
                before = options(t - 2, first, last)
                prev = options(t - 1, first, last)
                nexts = options(t, first, last)
                local = slots[t].scored.local if t < n else [0.0]
                new = [[-math.inf] * len(nexts) for _ in prev]
                pointer = [[0] * len(nexts) for _ in prev]
                for x in range(len(before)):
                    for y in range(len(prev)):
                        for z, c in enumerate(nexts):
                            total = best[x][y] + next(scores) + local[0 if c is None else c]
                            if total > new[y][z]:
                                new[y][z], pointer[y][z] = total, x
                best = new
                back.append(pointer)
            # Walk back from the window's best final state.
            y, z = max(
                ((y, z) for y in range(len(best)) for z in range(len(best[0]))),
                key=lambda state: best[state[0]][state[1]],
            )
            for t in range(stop, first - 1, -1):
                c = options(t, first, last)[z]
                if c is not None:
                    path[t] = c
                y, z = back[t - first][y][z], y
        return path

    def _trigram_choices(self, slots: list[Slot], path: list[int], end: str) -> list[Choice]:
        """Each word's choice with its margin over leaving it as written, the choices around
        it fixed, scored with trigrams (a word touches the scores of itself and the two after)."""
        n = len(slots)
        scored = [slot.scored for slot in slots]
        changed = [  # (slot, the candidate that leaves it as written)
            (i, keep)
            for i, (slot, j) in enumerate(zip(slots, path, strict=True))
            if slot.token is not None
            and not slot.candidates[j].keep
            and (keep := slot.scored.keep) is not None
        ]
        lasts = [s.contexts[j] for s, j in zip(scored, path, strict=True)]
        penults = [s.penults[j] for s, j in zip(scored, path, strict=True)]
        # The path's step into slot t (t = n: into the end) is scored by (us[t], vs[t], ws[t]),
        # as `_context` gives them.
        vs = [lmmod.BOS, *lasts]
        us = ["", *(p or u for p, u in zip(penults, [lmmod.BOS, *lasts], strict=False))]
        ws = [*(s.firsts[j] for s, j in zip(scored, path, strict=True)), end]
        # Scored: the path's steps that a changed word touches, then each changed word's
        # three steps (fewer at the end) with the word left as written, a single syllable.
        steps = sorted({t for i, _ in changed for t in range(i, min(i + 3, n + 1))})
        at = {t: k for k, t in enumerate(steps)}
        triples = [(us[t], vs[t], ws[t]) for t in steps]
        for i, keep in changed:
            kept_as = scored[i].contexts[keep]
            triples.append((us[i], vs[i], scored[i].firsts[keep]))
            triples.append((vs[i], kept_as, ws[i + 1]))
            if i + 2 <= n:
                triples.append((penults[i + 1] or kept_as, vs[i + 2], ws[i + 2]))
        scores = self._trigram_scores(triples)
        kept_scores = iter(scores[len(steps) :])
        margins = {}
        for i, keep in changed:
            span = range(i, min(i + 3, n + 1))
            chosen = sum(scores[at[t]] for t in span)
            kept = sum(next(kept_scores) for _ in span)
            local = scored[i].local
            margins[i] = local[path[i]] + chosen - local[keep] - kept
        return [
            Choice(slot.token, slot.line, slot.candidates[j], margins.get(i, 0.0))
            for i, (slot, j) in enumerate(zip(slots, path, strict=True))
            if slot.token is not None
        ]

    def _choices(
        self,
        slots: list[Slot],
        path: list[int],
        steps: list[np.ndarray],
        ends: list[float],
    ) -> list[Choice]:
        """Attach to each word its choice and its margin over leaving it as written.

        The margin compares the two with the choices around them fixed, from the scores the
        search used: `steps[i][j, k]` is the weighted LM score of candidate j of slot i after
        candidate k of slot i - 1, and `ends` that of the end after each candidate of the last.
        """
        choices = []
        last = len(slots) - 1
        for i, (slot, j) in enumerate(zip(slots, path, strict=True)):
            if slot.token is None:
                continue
            cand = slot.candidates[j]
            margin = 0.0
            keep = slot.scored.keep
            if not cand.keep and keep is not None:
                before = steps[i][:, path[i - 1] if i else 0]
                after = ends if i == last else steps[i + 1][path[i + 1]]
                local = slot.scored.local
                chosen, kept = (local[k] + float(before[k]) + float(after[k]) for k in (j, keep))
                margin = chosen - kept
            choices.append(Choice(slot.token, slot.line, cand, margin))
        return choices
