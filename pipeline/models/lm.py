"""Syllable language model: interpolated Kneser-Ney trigrams over lower-case, old-style syllables.

Text is turned into sequences of LM symbols by `symbols_of_line`: Vietnamese syllables (lower case,
old tone style), `<num>` for numbers and dates, `<code>` for document codes, `<w>` for other words,
`,` for commas; sentence punctuation ends a sequence. The decoder uses the same mapping, so what the
model learned about "số <code>" or "ngày <num>" is what it sees when correcting.

On disk a model is one `.npz` file (NumPy arrays, no pickle): vocabulary, unigram log-probabilities,
back-off weights, the seen bigrams as sorted int64 keys with their log-probabilities, and the seen
trigrams likewise with the back-off weight of each two-symbol context (models written before
trigrams were added load as bigram models).
"""

from __future__ import annotations

import math
import os
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from pathlib import Path

import numpy as np

from vnocr.errors import InputError
from vnocr.models import shipped
from vnocr.text import orthography
from vnocr.text.tokens import Kind, tokenize

BOS = "<s>"
EOS = "</s>"
NUM = "<num>"
CODE = "<code>"
OTHER = "<w>"
COMMA = ","
SPECIAL = (BOS, EOS, NUM, CODE, OTHER, COMMA)

_SENTENCE_END = set(".!?;:…")
_KEY_SHIFT = 32  # bigram key = (id of previous << 32) | id of next
# Trigram key = (id of u << 42) | (id of v << 21) | id of w, its context's key (u << 21) | v:
# room for 2 million symbols (a vocabulary holds at most the ~16,000 valid syllables and SPECIAL).
_ID_BITS = 21
_DISCOUNT = 0.75
# Trigram discount, as a share of one occurrence's count (`build`'s `unit`): chosen by the
# perplexity of held-out VLSP sentences (0.25 -> 58.1, 0.5 -> 50.3, 0.67 -> 48.4, 0.83 -> 48.0,
# 1.0 -> 51.8) and the decoding of held-out pages.
_TRIGRAM_DISCOUNT = 2 / 3
_UNSEEN_LOGP = math.log(1e-9)  # log-probability of a symbol the model has never seen
_TRIGRAM_ARRAYS = ("trigram_keys", "trigram_logp", "context_keys", "context_logw")


@lru_cache(maxsize=65_536)  # asked for every word, several times per pass
def normalize_syllable(word: str) -> str | None:
    """The LM form of a word (lower case, old tone style); None if not a Vietnamese syllable."""
    lower = word.lower()
    if not orthography.is_valid(lower):
        return None
    return orthography.restyle_word(lower, "old")


def symbol_of(text: str, kind: Kind) -> str | None:
    """The LM symbol for one non-space token, EOS for sentence punctuation, None to skip it."""
    if kind is Kind.WORD:
        return normalize_syllable(text) or OTHER
    if kind in (Kind.NUMBER, Kind.DATE, Kind.ROMAN):
        return NUM
    if kind in (Kind.CODE, Kind.URL, Kind.EMAIL):
        return CODE
    if kind is Kind.PUNCT:
        if text in _SENTENCE_END:
            return EOS
        if text == ",":
            return COMMA
    return None


def symbols_of_line(line: str) -> Iterator[list[str]]:
    """Split a line of clean text into sentences of LM symbols."""
    sentence: list[str] = []
    for token in tokenize(line):
        if token.kind is Kind.SPACE:
            continue
        symbol = symbol_of(token.text, token.kind)
        if symbol == EOS:
            if sentence:
                yield sentence
            sentence = []
        elif symbol is not None:
            sentence.append(symbol)
    if sentence:
        yield sentence


@dataclass
class Counts:
    """Raw n-gram counts, the input of `build`."""

    unigrams: Counter[str]
    bigrams: Counter[tuple[str, str]]
    trigrams: Counter[tuple[str, str, str]]

    @classmethod
    def empty(cls) -> Counts:
        return cls(Counter(), Counter(), Counter())

    def add_sentence(self, symbols: list[str], weight: int = 1, trigrams: bool = True) -> None:
        """Count one sentence, with sentence boundaries (one BOS: the first word is a bigram).

        `trigrams=False` for the entries of a word list: words, not sentences.
        """
        seq = [BOS, *symbols, EOS]
        for word in seq[1:]:
            self.unigrams[word] += weight
        for pair in zip(seq, seq[1:], strict=False):
            self.bigrams[pair] += weight
        if trigrams:
            for triple in zip(seq, seq[1:], seq[2:], strict=False):
                self.trigrams[triple] += weight

    def add_text(self, text: str, weight: int = 1, trigrams: bool = True) -> None:
        """Count every sentence of a text (see `add_sentence`)."""
        for line in text.splitlines():
            for sentence in symbols_of_line(line):
                self.add_sentence(sentence, weight, trigrams)


class LanguageModel:
    """`logp(prev, word)` is the natural log of P(word | prev), `logp3(u, v, w)` of P(w | u v)."""

    def __init__(
        self,
        vocab: list[str],
        unigram_logp: np.ndarray,
        backoff_logw: np.ndarray,
        bigram_keys: np.ndarray,
        bigram_logp: np.ndarray,
        trigram_keys: np.ndarray | None = None,
        trigram_logp: np.ndarray | None = None,
        context_keys: np.ndarray | None = None,
        context_logw: np.ndarray | None = None,
    ):
        self.vocab = vocab
        self.index = {word: i for i, word in enumerate(vocab)}
        self.unigram_logp = unigram_logp.astype(np.float64).tolist()
        self.backoff_logw = backoff_logw.astype(np.float64).tolist()
        self.bigrams = dict(
            zip(bigram_keys.tolist(), bigram_logp.astype(np.float64).tolist(), strict=True)
        )
        # The same numbers as arrays, for `block`: keys sorted for binary search, closed by a
        # sentinel larger than any key so that every search lands on a valid index.
        order = np.argsort(bigram_keys, kind="stable")
        self._keys = np.append(bigram_keys.astype(np.int64)[order], np.iinfo(np.int64).max)
        self._key_logp = np.append(bigram_logp.astype(np.float64)[order], 0.0)
        self._unigram = np.asarray(self.unigram_logp, dtype=np.float64)
        self._backoff = np.asarray(self.backoff_logw, dtype=np.float64)
        # One bit per (prev, word) pair of ids, set for the seen bigrams: most pairs the decoder
        # asks about are unseen, and the bits tell them without searching the keys.
        self._seen = np.zeros((len(vocab) ** 2 + 7) // 8, dtype=np.uint8)
        pair = (bigram_keys >> _KEY_SHIFT) * len(vocab) + (bigram_keys & 0xFFFFFFFF)
        np.bitwise_or.at(self._seen, pair >> 3, np.left_shift(1, pair & 7).astype(np.uint8))
        # Trigrams: sorted keys, each array closed by a sentinel like the bigram keys.
        self._tri_keys, self._tri_logp = _sorted_with_sentinel(trigram_keys, trigram_logp)
        self._ctx_keys, self._ctx_logw = _sorted_with_sentinel(context_keys, context_logw)
        self.trigram_count = len(self._tri_keys) - 1

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def unigram(self, word: str) -> float:
        """log P(word) under the lower-order distribution."""
        i = self.index.get(word)
        return _UNSEEN_LOGP if i is None else self.unigram_logp[i]

    def logp(self, prev: str, word: str) -> float:
        """log P(word | prev), backing off to the unigram distribution for unseen pairs."""
        w = self.index.get(word)
        if w is None:
            return _UNSEEN_LOGP
        v = self.index.get(prev)
        if v is None:
            return self.unigram_logp[w]
        seen = self.bigrams.get((v << _KEY_SHIFT) | w)
        if seen is not None:
            return seen
        return self.backoff_logw[v] + self.unigram_logp[w]

    def logp3(self, before: str, prev: str, word: str) -> float:
        """log P(word | before prev): the trigram where seen, else backing off to `logp`."""
        return float(self.trigram_logps([before], [prev], [word])[0])

    def trigram_logps(self, befores: list[str], prevs: list[str], words: list[str]) -> np.ndarray:
        """`logp3` of many (before, prev, word) triples at once."""
        ids = self.index.get
        u = np.fromiter(map(ids, befores, repeat(-1)), np.int64, len(befores))
        v = np.fromiter(map(ids, prevs, repeat(-1)), np.int64, len(prevs))
        w = np.fromiter(map(ids, words, repeat(-1)), np.int64, len(words))
        result = self._bigram_logps(v, w)
        if not self.trigram_count:
            return result
        # Back off from a context (u, v) the model has seen; an unseen one leaves the bigram.
        known = (u >= 0) & (v >= 0) & (w >= 0)
        context = (np.maximum(u, 0) << _ID_BITS) | np.maximum(v, 0)
        at = np.searchsorted(self._ctx_keys, context)
        has_context = known & (self._ctx_keys[at] == context)
        result[has_context] += self._ctx_logw[at[has_context]]
        key = (context << _ID_BITS) | np.maximum(w, 0)
        at = np.searchsorted(self._tri_keys, key)
        seen = has_context & (self._tri_keys[at] == key)
        result[seen] = self._tri_logp[at[seen]]
        return result

    def _bigram_logps(self, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        """log P(w | v) for arrays of ids (-1: not in the vocabulary), as `logp` gives them."""
        flat = self._backoff[v] + self._unigram[w]
        # The seen pairs (by their bit; an unknown id's bit means nothing) take their own
        # log-probability, found among the sorted keys.
        pair = np.maximum(v, 0) * len(self.vocab) + np.maximum(w, 0)
        seen = np.flatnonzero((self._seen[pair >> 3] >> (pair & 7).astype(np.uint8)) & 1)
        seen = seen[(v[seen] >= 0) & (w[seen] >= 0)]
        keys = (v[seen] << _KEY_SHIFT) | w[seen]
        flat[seen] = self._key_logp[np.searchsorted(self._keys, keys)]
        # After an unknown prev the unigram; an unknown word gets the floor, whatever came
        # before.
        unknown_prev = v < 0
        flat[unknown_prev] = self._unigram[w[unknown_prev]]
        flat[w < 0] = _UNSEEN_LOGP
        return flat

    def block(self, prevs: list[str], words: list[str]) -> np.ndarray:
        """log P(word | prev) for every word (rows) after every prev (columns), as an array.

        The same numbers as `logp` pair by pair, without the call overhead.
        """
        return self.blocks([(prevs, words)])[0]

    def blocks(self, pairs: list[tuple[list[str], list[str]]]) -> list[np.ndarray]:
        """`block(prevs, words)` for each of many (prevs, words), with one look-up for all.

        The decoder asks for a whole paragraph at once: numpy's cost is per call, not per pair.
        """
        if not pairs:
            return []
        ids = self.index.get
        all_prevs = chain.from_iterable(prevs for prevs, _ in pairs)
        all_words = chain.from_iterable(words for _, words in pairs)
        prev_ids = np.fromiter(map(ids, all_prevs, repeat(-1)), np.int64)
        word_ids = np.fromiter(map(ids, all_words, repeat(-1)), np.int64)
        n_prevs = np.array([len(prevs) for prevs, _ in pairs])
        n_words = np.array([len(words) for _, words in pairs])
        # All blocks laid end to end, each row by row (a row: one word after each prev of its
        # block): for every entry, the (prev, word) pair it stands for.
        sizes = n_prevs * n_words
        width = np.repeat(n_prevs, n_words)  # of each row
        w = np.repeat(word_ids, width)
        # An entry's prev: its place in the row, from where its block's prevs begin.
        row_start = np.cumsum(width) - width
        prevs_start = np.repeat(np.cumsum(n_prevs) - n_prevs, n_words)
        v = prev_ids[np.arange(len(w)) + np.repeat(prevs_start - row_start, width)]
        flat = self._bigram_logps(v, w)
        stops = np.cumsum(sizes).tolist()
        return [
            flat[stop - rows * columns : stop].reshape(rows, columns)
            for stop, rows, columns in zip(stops, n_words.tolist(), n_prevs.tolist(), strict=True)
        ]

    def save(self, path: Path) -> None:
        """Write the model as one .npz file (written to a temp file, then renamed)."""
        keys = sorted(self.bigrams)
        tmp = Path(path).with_name(Path(path).name + ".tmp.npz")  # savez adds no suffix to this
        np.savez_compressed(
            tmp,
            vocab=np.array(self.vocab, dtype=np.str_),
            unigram_logp=np.array(self.unigram_logp, dtype=np.float32),
            backoff_logw=np.array(self.backoff_logw, dtype=np.float32),
            bigram_keys=np.array(keys, dtype=np.int64),
            bigram_logp=np.array([self.bigrams[k] for k in keys], dtype=np.float32),
            trigram_keys=self._tri_keys[:-1],
            trigram_logp=self._tri_logp[:-1].astype(np.float32),
            context_keys=self._ctx_keys[:-1],
            context_logw=self._ctx_logw[:-1].astype(np.float32),
        )
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path | None = None) -> LanguageModel:
        """Read a model written by `save` (the shipped one by default)."""
        path = Path(path or shipped.lm_path())
        try:
            with np.load(path, allow_pickle=False) as data:
                trigrams = [data[name] if name in data.files else None for name in _TRIGRAM_ARRAYS]
                return cls(
                    [str(w) for w in data["vocab"]],
                    data["unigram_logp"],
                    data["backoff_logw"],
                    data["bigram_keys"],
                    data["bigram_logp"],
                    *trigrams,
                )
        except FileNotFoundError:
            raise InputError("language model not found", path=str(path)) from None
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise InputError(
                f"not a vnocr language model ({exc}); build one with 'vnocr lexicon build'",
                path=str(path),
            ) from None

    def with_user_model(self, user: LanguageModel, weight: float = 0.5) -> MixedLanguageModel:
        """This model mixed with a user's model built from their own text."""
        return MixedLanguageModel(self, user, weight)


class MixedLanguageModel:
    """Linear interpolation of the shipped model and a user model: P = (1-w) P_base + w P_user."""

    def __init__(self, base: LanguageModel, user: LanguageModel, weight: float):
        self.base, self.user = base, user
        self.log_w, self.log_1w = math.log(weight), math.log(1 - weight)
        self.vocab = sorted(set(base.vocab) | set(user.vocab))

    def __contains__(self, word: str) -> bool:
        return word in self.base or word in self.user

    def _mix(self, a: float, b: float) -> float:
        x, y = self.log_1w + a, self.log_w + b
        hi = max(x, y)
        return hi + math.log(math.exp(x - hi) + math.exp(y - hi))

    def unigram(self, word: str) -> float:
        return self._mix(self.base.unigram(word), self.user.unigram(word))

    @property
    def trigram_count(self) -> int:
        return self.base.trigram_count + self.user.trigram_count

    def logp(self, prev: str, word: str) -> float:
        return self._mix(self.base.logp(prev, word), self.user.logp(prev, word))

    def logp3(self, before: str, prev: str, word: str) -> float:
        return float(self.trigram_logps([before], [prev], [word])[0])

    def trigram_logps(self, befores: list[str], prevs: list[str], words: list[str]) -> np.ndarray:
        """See `LanguageModel.trigram_logps`; mixed as `logp` mixes."""
        base = self.base.trigram_logps(befores, prevs, words)
        user = self.user.trigram_logps(befores, prevs, words)
        return np.logaddexp(self.log_1w + base, self.log_w + user)

    def block(self, prevs: list[str], words: list[str]) -> np.ndarray:
        return self.blocks([(prevs, words)])[0]

    def blocks(self, pairs: list[tuple[list[str], list[str]]]) -> list[np.ndarray]:
        """See `LanguageModel.blocks`; mixed pair by pair, exactly as `logp` mixes."""
        mixed = []
        for base, user in zip(self.base.blocks(pairs), self.user.blocks(pairs), strict=True):
            values = zip(base.ravel().tolist(), user.ravel().tolist(), strict=True)
            mixed.append(np.array([self._mix(a, b) for a, b in values]).reshape(base.shape))
        return mixed


def build(
    counts: Counts,
    prior: dict[str, float] | None = None,
    prior_weight: float = 0.5,
    unit: int = 1,
) -> LanguageModel:
    """Interpolated Kneser-Ney model (bigrams, trigrams on top) from counts.

    `prior` is an extra unigram distribution (e.g. wordfreq frequencies) mixed into the lower-order
    distribution with `prior_weight`; its words join the vocabulary even if never seen in context.
    `unit` is the weight one occurrence of running text was counted with (`Counts.add_text`).
    """
    vocab_set = set(counts.unigrams) | set(SPECIAL)
    if prior:
        vocab_set |= set(prior)
    vocab = sorted(vocab_set)
    index = {w: i for i, w in enumerate(vocab)}

    # Lower order: continuation counts (how many distinct words precede w), mixed with the prior.
    continuation: Counter[str] = Counter(w for (_, w) in counts.bigrams)
    total_types = sum(continuation.values()) or 1
    prior_total = sum(prior.values()) if prior else 0.0
    floor = 0.1 / len(vocab)
    unigram = np.empty(len(vocab))
    for w, i in index.items():
        p = continuation[w] / total_types
        if prior_total:
            p = (1 - prior_weight) * p + prior_weight * prior.get(w, 0.0) / prior_total
        unigram[i] = math.log(p + floor)
    unigram -= np.log(np.exp(unigram).sum())

    # Higher order: absolute discounting, back-off weight = mass set aside by the discount.
    context_total: Counter[str] = Counter()
    context_types: Counter[str] = Counter()
    for (v, _), c in counts.bigrams.items():
        context_total[v] += c
        context_types[v] += 1
    backoff = np.zeros(len(vocab))
    for v, total in context_total.items():
        backoff[index[v]] = math.log(_DISCOUNT * context_types[v] / total)
    bigrams: dict[int, float] = {}
    for (v, w), c in counts.bigrams.items():
        vi, wi = index[v], index[w]
        p = (c - _DISCOUNT) / context_total[v] + math.exp(backoff[vi] + unigram[wi])
        bigrams[(vi << _KEY_SHIFT) | wi] = math.log(p)
    keys = np.array(sorted(bigrams), dtype=np.int64)
    logps = np.array([bigrams[k] for k in keys.tolist()])
    bigram_model = LanguageModel(vocab, unigram, backoff, keys, logps)
    trigrams = _trigram_arrays(bigram_model, counts.trigrams, _TRIGRAM_DISCOUNT * unit)
    return LanguageModel(vocab, unigram, backoff, keys, logps, *trigrams)


def _trigram_arrays(
    model: LanguageModel, trigrams: Counter[tuple[str, str, str]], discount: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Interpolated absolute-discount trigrams on top of the bigram `model`:
    P(w | u v) = max(c(u v w) - D, 0) / c(u v .) + B(u v) * P(w | v), where the back-off
    weight B(u v) = sum of min(c(u v w), D) over the w seen after u v, divided by c(u v .).

    Returns the trigram keys and log-probabilities, the context keys and log back-off weights.
    """
    index = model.index
    context_total: Counter[tuple[str, str]] = Counter()
    context_set_aside: Counter[tuple[str, str]] = Counter()
    for (u, v, _), c in trigrams.items():
        context_total[u, v] += c
        context_set_aside[u, v] += min(c, discount)
    context_logw = {
        (index[u] << _ID_BITS) | index[v]: math.log(context_set_aside[u, v] / total)
        for (u, v), total in context_total.items()
    }
    triples = list(trigrams.items())
    lower = np.exp(
        model._bigram_logps(
            np.array([index[v] for (_, v, _), _ in triples], dtype=np.int64),
            np.array([index[w] for (_, _, w), _ in triples], dtype=np.int64),
        )
    )
    trigram_logp = {}
    for ((u, v, w), c), p_lower in zip(triples, lower.tolist(), strict=True):
        context = (index[u] << _ID_BITS) | index[v]
        kept = max(c - discount, 0) / context_total[u, v]
        p = kept + math.exp(context_logw[context]) * p_lower
        trigram_logp[(context << _ID_BITS) | index[w]] = math.log(p)
    return (
        np.fromiter(trigram_logp.keys(), np.int64, len(trigram_logp)),
        np.fromiter(trigram_logp.values(), np.float64, len(trigram_logp)),
        np.fromiter(context_logw.keys(), np.int64, len(context_logw)),
        np.fromiter(context_logw.values(), np.float64, len(context_logw)),
    )


def _sorted_with_sentinel(
    keys: np.ndarray | None, values: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Keys sorted for binary search (values alike), closed by a key larger than any."""
    if keys is None or values is None:
        keys, values = np.zeros(0, dtype=np.int64), np.zeros(0)
    order = np.argsort(keys, kind="stable")
    return (
        np.append(keys.astype(np.int64)[order], np.iinfo(np.int64).max),
        np.append(values.astype(np.float64)[order], 0.0),
    )


def counts_from_files(paths: Iterable[Path], weight: int = 1) -> Counts:
    """Count the sentences of UTF-8 text files (the user's own clean text)."""
    from vnocr.text.decoding import read_text

    counts = Counts.empty()
    for path in paths:
        counts.add_text(read_text(Path(path)), weight)
    return counts
