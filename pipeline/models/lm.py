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

import io
import math
import os
import struct
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from pathlib import Path
from typing import Literal

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
_PADDING_FIELD = 0xA1A1  # zip extra-field id of the alignment padding (no meaning to readers)
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
    """`logp(prev, word)` is the natural log of P(word | prev), `logp3(u, v, w)` of P(w | u v).

    The n-gram arrays may be memory-mapped from the model file (see `load`): they are only read,
    never copied, so a large model opens at once and shares its pages between processes.
    """

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
        self.unigram_logp = np.asarray(unigram_logp, dtype=np.float64).tolist()
        self.backoff_logw = np.asarray(backoff_logw, dtype=np.float64).tolist()
        self._unigram = np.asarray(self.unigram_logp, dtype=np.float64)
        self._backoff = np.asarray(self.backoff_logw, dtype=np.float64)
        # Keys sorted for binary search (a model file holds them sorted already).
        self._keys, self._key_logp = _sorted(bigram_keys, bigram_logp)
        # One bit per (prev, word) pair of ids, set for the seen bigrams: most pairs the decoder
        # asks about are unseen, and the bits tell them without searching the keys.
        self._seen = _pair_bits(self._keys, len(vocab))
        self._tri_keys, self._tri_logp = _sorted(trigram_keys, trigram_logp)
        self._ctx_keys, self._ctx_logw = _sorted(context_keys, context_logw)
        self.bigram_count = len(self._keys)
        self.trigram_count = len(self._tri_keys)

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
        pair = v * len(self.vocab) + w
        if (int(self._seen[pair >> 3]) >> (pair & 7)) & 1:
            at = int(np.searchsorted(self._keys, (v << _KEY_SHIFT) | w))
            return float(self._key_logp[at])
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
        at, found = _find(self._ctx_keys, context)
        has_context = known & found
        result[has_context] += self._ctx_logw[at[has_context]]
        key = (context << _ID_BITS) | np.maximum(w, 0)
        at, found = _find(self._tri_keys, key)
        seen = has_context & found
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

    def save(self, path: Path, compress: bool = True) -> None:
        """Write the model as one .npz file (written to a temp file, then renamed).

        Log-probabilities are stored as float16. `compress=False` stores the arrays as they are,
        so that `load` can memory-map them (the shipped model); compressed files load by reading.
        """
        tmp = Path(path).with_name(Path(path).name + ".tmp.npz")  # savez adds no suffix to this
        arrays: dict[str, np.ndarray] = {
            "vocab": np.array(self.vocab, dtype=np.str_),
            "unigram_logp": self._unigram.astype(np.float32),
            "backoff_logw": self._backoff.astype(np.float32),
            "bigram_keys": np.asarray(self._keys, dtype=np.int64),
            "bigram_logp": np.asarray(self._key_logp, dtype=np.float16),
            "trigram_keys": np.asarray(self._tri_keys, dtype=np.int64),
            "trigram_logp": np.asarray(self._tri_logp, dtype=np.float16),
            "context_keys": np.asarray(self._ctx_keys, dtype=np.int64),
            "context_logw": np.asarray(self._ctx_logw, dtype=np.float16),
        }
        if compress:
            np.savez_compressed(tmp, allow_pickle=False, **arrays)
        else:
            _save_aligned(tmp, arrays)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path | None = None) -> LanguageModel:
        """Read a model written by `save` (the shipped one by default), memory-mapping the
        arrays stored uncompressed."""
        path = Path(path or shipped.lm_path())
        try:
            data = _npz_arrays(path)
            trigrams = [data.get(name) for name in _TRIGRAM_ARRAYS]
            return cls(
                [str(w) for w in np.asarray(data["vocab"]).tolist()],
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


def _save_aligned(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An uncompressed .npz whose array data start at multiples of 64 bytes: numpy works on
    memory-mapped arrays at full speed only if they are aligned."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            # The .npy header pads the data to 64 bytes from the member's start: pad the local
            # header's extra field so that the member starts at a multiple of 64 too.
            assert zf.fp is not None  # open for writing
            start = zf.fp.tell() + 30 + len(info.filename) + 4
            padding = -start % 64
            info.extra = struct.pack("<HH", _PADDING_FIELD, padding) + bytes(padding)
            zf.writestr(info, buffer.getvalue())


def _npz_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an .npz file: members stored uncompressed are memory-mapped, others read."""
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as f:
        for info in zf.infolist():
            name = info.filename.removesuffix(".npy")
            if info.compress_type != zipfile.ZIP_STORED:
                arrays[name] = np.load(zf.open(info), allow_pickle=False)
                continue
            # The member's data follows its local header (30 bytes, then name and extra field).
            f.seek(info.header_offset)
            header = f.read(30)
            if header[:4] != b"PK\x03\x04":
                raise ValueError(f"bad zip member {info.filename}")
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            f.seek(info.header_offset + 30 + name_len + extra_len)
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            if dtype.hasobject:
                raise ValueError("object arrays are not allowed")
            if not np.prod(shape, dtype=np.int64):
                arrays[name] = np.zeros(shape, dtype=dtype)
                continue
            order: Literal["C", "F"] = "F" if fortran else "C"
            mapped = np.memmap(
                path, dtype=dtype, mode="r", offset=f.tell(), shape=shape, order=order
            )
            arrays[name] = mapped.view(np.ndarray)  # a plain array: no memmap overhead per call
    return arrays


def _sorted(keys: np.ndarray | None, values: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Keys in ascending order for binary search, values alike (untouched if sorted already)."""
    if keys is None or values is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
        order = np.argsort(keys, kind="stable")
        keys, values = np.asarray(keys)[order], np.asarray(values)[order]
    return keys, values


def _find(keys: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(where each query is or would be in the sorted keys, clipped; whether it is there)."""
    if not len(keys):
        return np.zeros(len(queries), dtype=np.int64), np.zeros(len(queries), dtype=bool)
    at = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)
    return at, keys[at] == queries


def _pair_bits(bigram_keys: np.ndarray, size: int) -> np.ndarray:
    """A bit per (prev, word) id pair, set for the pairs among the sorted bigram keys."""
    bits = np.zeros((size * size + 7) // 8, dtype=np.uint8)
    if not len(bigram_keys):
        return bits
    keys = np.asarray(bigram_keys, dtype=np.int64)
    pair = (keys >> _KEY_SHIFT) * size + (keys & 0xFFFFFFFF)  # ascending, as the keys are
    byte = pair >> 3
    value = np.left_shift(1, pair & 7).astype(np.uint8)
    # Distinct pairs sharing a byte have distinct bits: their sum is their union.
    starts = np.flatnonzero(np.r_[True, byte[1:] != byte[:-1]])
    bits[byte[starts]] = np.add.reduceat(value, starts)
    return bits


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


@dataclass
class Ngrams:
    """Weighted n-gram counts as arrays over a vocabulary (the input of `build_arrays`).

    Bigram keys are (id of v << 32) | id of w, trigram keys (u << 42) | (v << 21) | w, each
    with its (weighted) count; unigram counts are indexed by id. `bigram_kept` and
    `trigram_kept`, when given, are the counts after discounting (see `discounted`); by default
    the absolute discount is taken from the weighted count.
    """

    vocab: list[str]
    unigrams: np.ndarray
    bigram_keys: np.ndarray
    bigram_counts: np.ndarray
    trigram_keys: np.ndarray
    trigram_counts: np.ndarray
    bigram_kept: np.ndarray | None = None
    trigram_kept: np.ndarray | None = None

    @classmethod
    def from_counts(cls, counts: Counts, extra: Iterable[str] = ()) -> Ngrams:
        """The arrays of `Counts`, over its words, SPECIAL and `extra` (sorted)."""
        vocab = sorted(set(counts.unigrams) | set(SPECIAL) | set(extra))
        index = {w: i for i, w in enumerate(vocab)}
        unigrams = np.zeros(len(vocab))
        for w, c in counts.unigrams.items():
            unigrams[index[w]] = c
        bigram_keys = np.array(
            [(index[v] << _KEY_SHIFT) | index[w] for v, w in counts.bigrams], dtype=np.int64
        )
        trigram_keys = np.array(
            [
                (((index[u] << _ID_BITS) | index[v]) << _ID_BITS) | index[w]
                for u, v, w in counts.trigrams
            ],
            dtype=np.int64,
        )
        return cls(
            vocab,
            unigrams,
            bigram_keys,
            np.array(list(counts.bigrams.values()), dtype=np.float64),
            trigram_keys,
            np.array(list(counts.trigrams.values()), dtype=np.float64),
        )


def discounted(counts: np.ndarray, weight: float, order: int) -> np.ndarray:
    """What absolute discounting keeps of the counts of one source whose every occurrence
    weighs `weight`: the discount is taken per occurrence, as if the source's own model were
    interpolated (a heavily weighted source keeps its contexts open to unseen words)."""
    discount = _DISCOUNT if order == 2 else _TRIGRAM_DISCOUNT
    return np.maximum(counts - discount * weight, 0.0)


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
    ngrams = Ngrams.from_counts(counts, prior or ())
    return build_arrays(ngrams, prior, prior_weight, trigram_discount=_TRIGRAM_DISCOUNT * unit)


def build_arrays(
    ngrams: Ngrams,
    prior: dict[str, float] | None = None,
    prior_weight: float = 0.5,
    bigram_discount: float = _DISCOUNT,
    trigram_discount: float = _TRIGRAM_DISCOUNT,
    min_bigram: float = 0.0,
    min_trigram: float = 0.0,
) -> LanguageModel:
    """The model of `build` from arrays, with count pruning.

    Bigrams and trigrams whose weighted count is below `min_bigram` / `min_trigram` are left
    out; the probability they held goes to their context's back-off weight, so every
    conditional distribution still sums to one.
    """
    vocab, size = ngrams.vocab, len(ngrams.vocab)
    v_ids, w_ids = ngrams.bigram_keys >> _KEY_SHIFT, ngrams.bigram_keys & 0xFFFFFFFF

    # Lower order: continuation counts (how many distinct words precede w), mixed with the prior.
    continuation = np.bincount(w_ids, minlength=size).astype(np.float64)
    p = continuation / max(continuation.sum(), 1.0)
    if prior:
        weights = np.array([prior.get(w, 0.0) for w in vocab])
        if weights.sum() > 0:
            p = (1 - prior_weight) * p + prior_weight * weights / weights.sum()
    unigram = np.log(p + 0.1 / size)
    unigram -= np.log(np.exp(unigram).sum())

    # Higher order: absolute discounting; the back-off weight is the mass not kept by the
    # bigrams that stay (the discounts, and whole counts of pruned bigrams).
    total = np.bincount(v_ids, weights=ngrams.bigram_counts, minlength=size)
    keep = ngrams.bigram_counts >= min_bigram
    if ngrams.bigram_kept is not None:
        kept = ngrams.bigram_kept[keep]
    else:
        kept = np.maximum(ngrams.bigram_counts[keep] - bigram_discount, 0.0)
    v_kept, w_kept = v_ids[keep], w_ids[keep]
    kept_mass = np.bincount(v_kept, weights=kept, minlength=size)
    seen = total > 0
    backoff = np.zeros(size)
    backoff[seen] = np.log(np.maximum(1.0 - kept_mass[seen] / total[seen], 1e-12))
    bigram_p = kept / total[v_kept] + np.exp(backoff[v_kept] + unigram[w_kept])
    order = np.argsort(ngrams.bigram_keys[keep], kind="stable")
    keys, logp = ngrams.bigram_keys[keep][order], np.log(bigram_p)[order]
    bigram_model = LanguageModel(vocab, unigram, backoff, keys, logp)
    trigrams = _trigram_arrays(bigram_model, ngrams, trigram_discount, min_trigram)
    return LanguageModel(vocab, unigram, backoff, keys, logp, *trigrams)


def _trigram_arrays(
    model: LanguageModel, ngrams: Ngrams, discount: float, min_count: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Interpolated absolute-discount trigrams on top of the bigram `model`:
    P(w | u v) = max(c(u v w) - D, 0) / c(u v .) + B(u v) * P(w | v), where the back-off
    weight B(u v) = 1 - the sum of max(c(u v w) - D, 0) over the kept w, divided by c(u v .).

    Returns the trigram keys and log-probabilities, the context keys and log back-off weights.
    """
    keys, counts = ngrams.trigram_keys, ngrams.trigram_counts
    if not len(keys):
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0), empty, np.zeros(0)
    contexts, where = np.unique(keys >> _ID_BITS, return_inverse=True)
    total = np.bincount(where, weights=counts)
    keep = counts >= min_count
    if ngrams.trigram_kept is not None:
        kept = ngrams.trigram_kept[keep]
    else:
        kept = np.maximum(counts[keep] - discount, 0.0)
    kept_mass = np.bincount(where[keep], weights=kept, minlength=len(contexts))
    backoff = np.maximum(1.0 - kept_mass / total, 1e-12)
    mask = (1 << _ID_BITS) - 1
    v, w = (keys[keep] >> _ID_BITS) & mask, keys[keep] & mask
    lower = np.exp(model._bigram_logps(v, w))
    where_kept = where[keep]
    trigram_p = kept / total[where_kept] + backoff[where_kept] * lower
    order = np.argsort(keys[keep], kind="stable")
    # A context none of whose trigrams was kept backs off entirely: it need not be stored.
    used = np.zeros(len(contexts), dtype=bool)
    used[where_kept] = True
    return keys[keep][order], np.log(trigram_p)[order], contexts[used], np.log(backoff[used])


def counts_from_files(paths: Iterable[Path], weight: int = 1) -> Counts:
    """Count the sentences of UTF-8 text files (the user's own clean text)."""
    from vnocr.text.decoding import read_text

    counts = Counts.empty()
    for path in paths:
        counts.add_text(read_text(Path(path)), weight)
    return counts


#: What the decoder reads syllable probabilities from: the shipped model alone, or mixed with a
#: user's model (`--lexicon`).
SyllableModel = LanguageModel | MixedLanguageModel
