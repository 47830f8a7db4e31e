"""Word policy: what the decoder may do with each word of a document, before any search.

Which words are protected (foreign phrases in clean text, abbreviations and units their
neighbours mark), what leaving a word as written costs (dearer for a known syllable, a name, a
word with OCR noise inside; scaled by the document's cleanliness and the OCR confidence), and
which lone numbers may be misread words. `decode` searches over the candidates it gives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from vnocr.models import lm as lmmod
from vnocr.models.lm import SyllableModel
from vnocr.restore.candidates import Candidate, CandidateGenerator, WordHint
from vnocr.restore.profile import DocumentProfile
from vnocr.text.tokens import Kind, Token

CONFIDENT = 90.0  # Tesseract word confidence at or above which a word is protected
DOUBTFUL = 60.0  # below which a word gets a wider candidate search and less protection
NO_HINT = WordHint()


@dataclass(frozen=True)
class DecoderWeights:
    """Score = lm_weight * log P_lm - channel cost; the constants are in nats."""

    lm_weight: float = 1.0
    # Cost of leaving a word that is no known syllable as it is (a name, a foreign word, a garble
    # no candidate explains): a candidate must be cheaper than this to replace it.
    keep_unknown: float = 11.0
    # Extra score for leaving a known syllable as written: a change must win by this much.
    min_margin: float = 0.5
    # Unknown words in UPPER or Title case are likely names or abbreviations: harder to replace.
    keep_unknown_capitalised: float = 12.0
    # More for a word with OCR noise inside (huy€a, hr(mg, v4i): as written it is surely wrong,
    # so a likely syllable is the better guess.
    keep_garbled_extra: float = 8.0
    # Bonus for leaving a lone number between words as a number (see `_may_be_garbled_word`).
    keep_number: float = 4.0
    # How much the keep costs grow with the odds that a word of this document is read right.
    trust_weight: float = 1.0
    # Alternatives kept for a known syllable in clean text (the decoder's cost grows with the
    # square of the candidate count); in noisy text the generator's own limit applies.
    clean_known_candidates: int = 6
    # Tesseract's word confidence: protection for sure words, less for doubtful ones (nats).
    confident_bonus: float = 1.0
    doubtful_penalty: float = 1.0

    def for_document(self, unknown_share: float) -> DecoderWeights:
        """Weights for a document where `unknown_share` of the words are no known syllable.

        Clean OCR (a Vietnamese model on a good scan) has few unknown words, raw OCR without a
        Vietnamese model very many: the cleaner the text, the less a word should be changed.
        The keep costs grow with the log-odds that a word was read right.
        """
        share = min(max(unknown_share, 0.005), 0.5)
        trust = self.trust_weight * math.log((1 - share) / share)
        return replace(
            self,
            keep_unknown=self.keep_unknown + trust,
            keep_unknown_capitalised=self.keep_unknown_capitalised + trust,
            min_margin=self.min_margin + 0.5 * trust,
        )


def _nearest(tokens: list[Token], i: int, step: int) -> Token | None:
    """The first token that is no space before (`step` -1) or after (+1) `tokens[i]`.

    Spaces come in runs of one token, so it is one or two steps away (constant time on
    lines of any length)."""
    for k in (i + step, i + 2 * step):
        if 0 <= k < len(tokens) and tokens[k].kind is not Kind.SPACE:
            return tokens[k]
    return None


def _is_abbreviation(word: str) -> bool:
    """An all-capitals word of plain letters (UBND, HĐND, WTO) in running text: never changed."""
    return len(word) >= 2 and word.isalpha() and word.isupper()


def is_known(lm: SyllableModel, word: str) -> bool:
    """True for a syllable the language model knows."""
    syllable = lmmod.normalize_syllable(word)
    return syllable is not None and syllable in lm


def unknown_share(lm: SyllableModel, lines: list[list[Token]]) -> float:
    """Share of the words in `lines` that are no syllable the language model knows."""
    words = [t.text for tokens in lines for t in tokens if t.kind is Kind.WORD]
    if not words:
        return 0.0
    return 1 - sum(is_known(lm, w) for w in words) / len(words)


class WordPolicy:
    """The decoder's rules for the words of one document (`profile`)."""

    def __init__(
        self,
        lm: SyllableModel,
        generator: CandidateGenerator,
        weights: DecoderWeights,
        profile: DocumentProfile,
    ):
        self.lm = lm
        self.generator = generator
        self.weights = weights
        self.profile = profile

    def is_known(self, word: str) -> bool:
        """True for a syllable the language model knows."""
        return is_known(self.lm, word)

    def protected_words(self, tokens: list[Token]) -> set[int]:
        """Indexes of the words of a line to leave as written: a foreign phrase, and the words
        their neighbours mark as an abbreviation or a unit."""
        foreign = self._inside_foreign_text(tokens)
        return foreign | {
            i
            for i, token in enumerate(tokens)
            if token.kind is Kind.WORD
            and i not in foreign
            and self._is_abbreviation_in_context(tokens, i)
        }

    def number_candidates(self, line: list[Token], i: int) -> tuple[Candidate, ...] | None:
        """For a lone number (`line[i]`) that may be a misread word (see
        `_may_be_garbled_word`), keeping it (with the `keep_number` bonus, unless this document
        writes it for a word) and its readings as syllables; None for any other token."""
        token = line[i]
        if not self._may_be_garbled_word(line, i):
            return None
        candidates = self.generator.generate(token.text, self.profile.bare)
        garbled = token.text in self.profile.garbled_numbers
        bonus = 0.0 if garbled else self.weights.keep_number
        return (Candidate(lmmod.NUM, -bonus, keep=True), *candidates)

    def _is_foreign(self, word: str) -> bool:
        """An unknown word that no syllable explains for less than the cost of keeping it."""
        if self.is_known(word):
            return False
        candidates = self.generator.generate(word, self.profile.bare)
        return not candidates or candidates[0].channel > self.weights.keep_unknown

    def _inside_foreign_text(self, tokens: list[Token]) -> set[int]:
        """Indexes of the words of a foreign phrase on this line, to be left as written.

        Seeds are foreign words (`_is_foreign`); the phrase then grows over unknown words next to
        it, and over known syllables (the, to, on in English) next to it whose other neighbour is
        foreign, unknown or the line's edge. Not in noisy text, where most words that no
        syllable explains are OCR garbles rather than foreign words.
        """
        if self.profile.noisy:
            return set()
        words = [i for i, t in enumerate(tokens) if t.kind is Kind.WORD]
        phrase = {i for i in words if self._is_foreign(tokens[i].text)}
        grew = bool(phrase)
        while grew:
            grew = False
            for n, i in enumerate(words):
                if i in phrase:
                    continue
                sides = [words[m] for m in (n - 1, n + 1) if 0 <= m < len(words)]
                touches = any(side in phrase for side in sides)
                if self.is_known(tokens[i].text):  # only between foreign or unknown words
                    touches = touches and all(
                        side in phrase or not self.is_known(tokens[side].text) for side in sides
                    )
                if touches:
                    phrase.add(i)
                    grew = True
        return phrase

    def _may_be_garbled_word(self, line: list[Token], i: int) -> bool:
        """A lone number of up to three digits that OCR may have read for a word (6 for ở,
        161 for lối).

        Only in noisy text (a clean document's numbers are never touched), only digits the
        error model knows as letters, with a word (or a comma) before and a word after on the
        same line. Such a number stays a number unless a reading wins by the `keep_number`
        bonus, which a number this document writes for a word loses (see `DocumentProfile`).
        """
        token = line[i]
        if token.kind is not Kind.NUMBER or len(token.text) > 3 or not token.text.isdigit():
            return False
        if not self.profile.noisy or any(ch not in self.generator.cleanup for ch in token.text):
            return False
        before, after = _nearest(line, i, -1), _nearest(line, i, 1)
        if before is None or after is None or after.kind is not Kind.WORD:
            return False
        return before.kind is Kind.WORD or before.text == ","

    def _is_abbreviation_in_context(self, tokens: list[Token], i: int) -> bool:
        """A word that its neighbours mark as an abbreviation or a unit.

        Any word glued to a slash (b/c, KL/TU); an unknown word in capitals right before '.'
        or ':' (TM., KT:); and, in a clean document, an unknown word right after a number
        (42,8 km, 10 kg).
        """
        token = tokens[i]
        before = tokens[i - 1] if i else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if (before is not None and before.text == "/") or (after is not None and after.text == "/"):
            return True
        if self.is_known(token.text):
            return False
        if after is not None and after.text in ".:" and _is_abbreviation(token.text):
            return True
        if self.profile.noisy:  # "10 nim" is "10 năm" there
            return False
        previous = _nearest(tokens, i, -1)
        return previous is not None and previous.kind is Kind.NUMBER

    def confidence_bonus(self, hint: WordHint) -> float:
        """Protection for a word the OCR engine was sure of; less for one it doubted (nats)."""
        if hint.confidence is None:
            return 0.0
        if hint.confidence >= CONFIDENT:
            return self.weights.confident_bonus
        if hint.confidence < DOUBTFUL:
            return -self.weights.doubtful_penalty
        return 0.0

    def word_candidates(
        self, token: Token, heading: bool, hint: WordHint = NO_HINT
    ) -> tuple[Candidate, ...]:
        """A word's candidates, with the one that leaves it as written at its keep cost.

        A protected word keeps only that one; a known word in clean text keeps its few
        likeliest alternatives; an unknown word in capitals outside a `heading` in capitals is
        an abbreviation; an unknown word is dearer to keep if capitalised (a name) and more so
        with noise inside (surely misread).
        """
        doubtful = hint.confidence is not None and hint.confidence < DOUBTFUL
        candidates = self.generator.generate(token.text, self.profile.bare, doubtful)
        if hint.choices:
            candidates = self.generator.with_readings(token.text, candidates, hint.choices)
        keep = next((c for c in candidates if c.keep), None)
        if hint.protected:
            return (keep or Candidate(lmmod.OTHER, 0.0, keep=True),)
        if keep is not None:
            limit = self.weights.clean_known_candidates
            if not self.profile.noisy and len(candidates) > limit + 1:
                # A known word in clean text: its few likeliest alternatives are enough.
                return (keep, *[c for c in candidates if not c.keep][:limit])
            return candidates
        if _is_abbreviation(token.text) and not heading:
            return (Candidate(lmmod.OTHER, 0.0, keep=True),)
        keep_cost = self.weights.keep_unknown
        # A capitalised unknown word is likely a name or an abbreviation, except in a heading
        # written all in capitals, where every word is capitalised.
        if token.text[:1].isupper() and not heading:
            keep_cost = self.weights.keep_unknown_capitalised
        if token.noisy:
            keep_cost += self.weights.keep_garbled_extra
        return (*candidates, Candidate(lmmod.OTHER, keep_cost, keep=True))
