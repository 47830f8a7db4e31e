"""OCR error (channel) model: -log P(observed | intended) as a weighted segment edit distance.

The edit operations and their counts are learned from rendered-and-OCR'd pages
(`scripts/build_channel.py` writes `lexicon/channel.tsv`); see `lexicon/CHANNEL.md`.

    model = ChannelModel.load(shipped.channel_path())
    model.cost("s6", "số")        # cheap: '6' for 'ố' is a learned confusion
    model.cost("sa", "số")        # dearer
    model.cleanup_map()["6"]      # [("o", 0.3), ...] letter skeletons '6' may stand for

Costs are in nats. An operation rewrites a segment of 0-3 intended characters into 0-3 observed
characters: identity (a character read correctly), learned segment substitutions (ủ -> ii,
m -> rn, đ -> cl), and generic 1:1 substitutions, insertions and deletions for anything not seen,
priced by a back-off that makes a diacritic-only change (ế -> é, ố -> o) cheaper than an
unrelated letter. Probabilities are smoothed: for an intended segment t seen N(t) times,
P(identity | t) = (id(t) + a*g) / (N(t) + a), P(learned op | t) = (c + k) / (N(t) + a + k*m_t),
and the mass left for unseen operations is a*(1-g) / (N(t) + a) (at least UNSEEN_FLOOR) spread
by the back-off, or like the misreadings of all letters with t's base letter where that is
likelier (é read for ấ makes é for ắ likelier).
"""

from __future__ import annotations

import math
import threading
import unicodedata
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

from vnocr.models import shipped
from vnocr.text import orthography
from vnocr.text.orthography import is_vietnamese_letter, skeleton

MAX_SEG = 3

# --- smoothing and back-off constants (nats / pseudo-counts) ----------------------------------

PRIOR = 2.0  # pseudo-count `a` of the prior on each intended segment's distribution
ADD_K = 0.5  # add-k for learned operations
# Back-off shares of the unseen mass of an intended character.
SAME_BASE_SHARE = 0.45  # diacritic-only change (same base letter), spread over ~12 variants
OTHER_SHARE = 0.35  # any other character, spread over ~120 symbols
DELETE_SHARE = 0.20  # the character vanished
SAME_BASE_VARIANTS = 12.0
# Lowest unseen-operation mass of any intended segment: real scans meet errors the synthetic
# pages never showed, so a frequent character's unseen errors are not made impossibly dear.
UNSEEN_FLOOR = 3e-3
CLEANUP_PRIOR = 2.0  # pseudo-count of "something else" when folding an observed segment
OTHER_SYMBOLS = 120.0


def _unesc(s: str) -> str:
    """Inverse of the build script's TSV escaping (\\\\, \\t, \\n)."""
    if "\\" not in s:
        return s
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"t": "\t", "n": "\n", "\\": "\\"}.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def read_counts(path: Path) -> tuple[dict[tuple[str, str], int], list[str]]:
    """Rows of a channel TSV as {(observed, intended): count}, plus the header comments."""
    if not path.is_file():
        raise FileNotFoundError(
            f"channel model {path} not found; build it with scripts/build_channel.py"
        )
    counts: dict[tuple[str, str], int] = defaultdict(int)
    header: list[str] = []
    in_header = True  # '#' lines are comments only before the column-name row ('#' is data)
    with Path(path).open(encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if in_header and line.startswith("#"):
                header.append(line[1:].strip())
                continue
            if line == "observed\tintended\tcount":
                in_header = False
                continue
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise ValueError(f"{path}: bad channel row {line!r}")
            counts[(_unesc(parts[0]), _unesc(parts[1]))] += int(parts[2])
    return dict(counts), header


# --- aligning an intended string with what OCR made of it ---------------------------------


def atomic_ops(truth: str, obs: str) -> list[tuple[str, str, str]]:
    """Per-character edit script from truth to observed: ('eq'|'sub'|'del'|'ins', t, o)."""
    ops: list[tuple[str, str, str]] = []
    for op in Levenshtein.opcodes(truth, obs):
        tag, i1, i2, j1, j2 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        if tag == "equal":
            ops.extend(("eq", truth[i1 + k], obs[j1 + k]) for k in range(i2 - i1))
        elif tag == "replace":
            ops.extend(("sub", truth[i1 + k], obs[j1 + k]) for k in range(i2 - i1))
        elif tag == "delete":
            ops.extend(("del", truth[i], "") for i in range(i1, i2))
        else:
            ops.extend(("ins", "", obs[j]) for j in range(j1, j2))
    # Junk the OCR invented from page noise before the first or after the last truth character,
    # separated from the text by a space, is not an error model of the text: drop it.
    lead = 0
    while lead < len(ops) and ops[lead][0] == "ins":
        lead += 1
    cut = max((k + 1 for k in range(lead) if ops[k][2].isspace()), default=0)
    if cut == lead and lead < len(ops) and ops[lead][0] == "eq":
        cut = lead
    ops = ops[cut:]
    tail = len(ops)
    while tail > 0 and ops[tail - 1][0] == "ins":
        tail -= 1
    cut = min((k for k in range(tail, len(ops)) if ops[k][2].isspace()), default=len(ops))
    return ops[:cut]


def segment_ops(ops: Sequence[tuple[str, str, str]]) -> Iterator[tuple[str, str, str]]:
    """Merge atomic edits into segment edits; yields ('eq', t, t) or ('err', observed, intended).

    Within a run of non-equal edits, each insertion/deletion is joined to the substitution just
    before it (else just after it); consecutive insertions/deletions join the same group.
    Plain substitutions stay 1:1. Groups longer than MAX_SEG on either side are split back.
    """
    i = 0
    n = len(ops)
    while i < n:
        if ops[i][0] == "eq":
            yield ops[i]
            i += 1
            continue
        j = i
        while j < n and ops[j][0] != "eq":
            j += 1
        run = ops[i:j]
        groups: list[list[tuple[str, str, str]]] = []
        for op in run:
            if op[0] == "sub":
                if groups and all(g[0] != "sub" for g in groups[-1]):
                    groups[-1].append(op)  # a leading insertion/deletion takes the next sub
                else:
                    groups.append([op])
            elif groups:
                groups[-1].append(op)
            else:
                groups.append([op])
        for group in groups:
            t = "".join(o[1] for o in group)
            o = "".join(o[2] for o in group)
            if len(t) <= MAX_SEG and len(o) <= MAX_SEG:
                yield ("err", o, t)
            else:
                for op in group:
                    yield ("err", op[2], op[1])
        i = j


@dataclass(frozen=True)
class _Tables:
    identity: dict[str, float]  # intended char/segment -> cost of reading it correctly
    learned: dict[tuple[str, str], float]  # (observed, intended) -> cost; observed != intended
    unseen: dict[str, float]  # intended -> -log(unseen mass)
    default_identity: float
    default_unseen: float


class ChannelModel:
    """Weighted segment edit distance; build with `ChannelModel.load(path)` or from counts."""

    def __init__(
        self,
        counts: Mapping[tuple[str, str], float],
        *,
        fold_case: bool = True,
        header: Iterable[str] = (),
    ):
        self.fold_case = fold_case
        self.header = list(header)
        merged: dict[tuple[str, str], float] = defaultdict(int)
        for (o, t), c in counts.items():
            if fold_case:
                o, t = o.lower(), t.lower()
            merged[(o, t)] += c
        self.counts = dict(merged)
        self._build()
        self._cost_cached = lru_cache(maxsize=500_000)(self._cost)
        # The candidates of one word are scored one after another: a few words' worth of
        # shared work is enough.
        self._coster = lru_cache(maxsize=256)(self._new_coster)
        self._cleanup_memo: dict[tuple[float, int], dict[str, list[tuple[str, float]]]] = {}

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, path: str | Path, *, fold_case: bool = True) -> ChannelModel:
        """Load a channel TSV (the shipped one: `vnocr.restore.loader.load_models`)."""
        counts, header = read_counts(Path(path))
        return cls(counts, fold_case=fold_case, header=header)

    def _build(self) -> None:
        identity_counts: dict[str, float] = defaultdict(int)
        error_counts: dict[str, dict[str, float]] = defaultdict(dict)
        for (o, t), c in self.counts.items():
            if o == t:
                identity_counts[t] += c
            else:
                error_counts[t][o] = error_counts[t].get(o, 0) + c
        totals: dict[str, float] = defaultdict(int)
        for t, c in identity_counts.items():
            totals[t] += c
        for t, outs in error_counts.items():
            totals[t] += sum(outs.values())
        # Global identity rate over single characters (the prior mean).
        single_id = sum(c for t, c in identity_counts.items() if len(t) == 1)
        single_all = sum(c for t, c in totals.items() if len(t) == 1)
        g = single_id / single_all if single_all else 0.95
        g = min(max(g, 0.5), 0.999)
        # Insertion opportunities: one per intended character.
        chars = single_all + sum(
            c * len(t) for t, outs in error_counts.items() if len(t) > 1 for c in outs.values()
        )
        totals[""] = max(chars, 1)
        identity: dict[str, float] = {}
        learned: dict[tuple[str, str], float] = {}
        unseen: dict[str, float] = {}
        for t, n in totals.items():
            outs = error_counts.get(t, {})
            denom = n + PRIOR + ADD_K * len(outs)
            if t:
                identity[t] = -math.log((identity_counts.get(t, 0) + PRIOR * g) / denom)
            for o, c in outs.items():
                learned[(o, t)] = -math.log((c + ADD_K) / denom)
            unseen[t] = -math.log(max(PRIOR * (1 - g) / denom, UNSEEN_FLOOR))
        self._g = g
        self._tables = _Tables(
            identity=identity,
            learned=learned,
            unseen=unseen,
            default_identity=-math.log(g),
            default_unseen=-math.log(1 - g),
        )
        # 1-char-a-side operations are handled directly; longer segments are indexed by their
        # observed side so each call finds the few that occur in its strings.
        self._multi: dict[tuple[str, str], float] = {
            k: v for k, v in learned.items() if len(k[0]) > 1 or len(k[1]) > 1
        }
        by_obs: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for (o, t), cost in self._multi.items():
            by_obs[o].append((t, cost))
        self._multi_by_obs = dict(by_obs)
        self._multi_del = self._multi_by_obs.get("", [])
        self._ins1: dict[str, float] = {}
        self._del1: dict[str, float] = {}
        self._id1: dict[str, float] = {}
        # Per intended char: (identity, deletion, {observed: substitution}, same-base back-off,
        # other back-off, base letter); filled lazily.
        self._tinfo: dict[str, tuple[float, float, dict[str, float], float, float, str]] = {}
        self._learned_sub_by_int: dict[str, dict[str, float]] = defaultdict(dict)
        for (o, t), c in learned.items():
            if len(o) == 1 and len(t) == 1:
                self._learned_sub_by_int[t][o] = c
        self._base: dict[str, str] = {}
        self._readings: dict[str, _Readings] = {}  # see `_readings_of`
        self._read_columns: dict[str, _Memo] = {}  # see `_read_column`
        # Per base letter (a for a, ă, â, ấ ...): how its letters are misread, all marks
        # together. A letter's unseen errors are spread like its base letter's (é read for ấ
        # makes é for ắ likelier than for an unrelated letter).
        by_base_total: dict[str, float] = defaultdict(float)
        by_base_errors: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for t, n in totals.items():
            if len(t) == 1:
                by_base_total[self._base_of(t)] += n
        for t, outs in error_counts.items():
            if len(t) == 1:
                for o, c in outs.items():
                    if len(o) == 1:
                        by_base_errors[self._base_of(t)][o] += c
        self._base_share: dict[str, dict[str, float]] = {
            b: {o: c / by_base_total[b] for o, c in outs.items()}
            for b, outs in by_base_errors.items()
            if by_base_total[b] > 0
        }

    def adapted(self, pairs: Iterable[tuple[str, str]], weight: float) -> ChannelModel:
        """This model plus the edit operations of (observed, intended) word pairs, `weight` each.

        Used to adapt the model to one document: its words as OCR read them, aligned with what
        a first decoding pass chose, add that document's own confusions (and correct readings).
        """
        # How often each operation occurs, each distinct pair aligned once (a document repeats
        # its words); operations in the order they first occur.
        times: dict[tuple[str, str], int] = {}
        for (observed, intended), repeats in Counter(pairs).items():
            for kind, obs, intd in segment_ops(atomic_ops(intended.lower(), observed.lower())):
                key = (intd, intd) if kind == "eq" else (obs, intd)
                times[key] = times.get(key, 0) + repeats
        counts: dict[tuple[str, str], float] = dict(self.counts)
        for key, repeats in times.items():
            count = counts.get(key, 0)
            for _ in range(repeats):  # one by one: the same float sum as pair by pair
                count += weight
            counts[key] = count
        return ChannelModel(counts, fold_case=self.fold_case, header=self.header)

    # ------------------------------------------------------------------ elementary costs

    def identity_cost(self, ch: str) -> float:
        """Cost of reading intended `ch` correctly."""
        c = self._id1.get(ch)
        if c is None:
            c = self._tables.identity.get(ch, self._tables.default_identity)
            self._id1[ch] = c
        return c

    def _unseen(self, t: str) -> float:
        return self._tables.unseen.get(t, self._tables.default_unseen)

    def substitution_cost(self, observed: str, intended: str) -> float:
        """Cost of one intended char read as one other char (learned, else back-off)."""
        return self._readings_of(intended)[observed]

    @staticmethod
    def backoff_substitution(observed: str, intended: str) -> float:
        """-log share of the unseen mass for a 1:1 substitution: same base letter is cheaper."""
        if orthography.base_letter(observed).lower() == orthography.base_letter(intended).lower():
            return -math.log(SAME_BASE_SHARE / SAME_BASE_VARIANTS)
        return -math.log(OTHER_SHARE / OTHER_SYMBOLS)

    def insertion_cost(self, observed: str) -> float:
        """Cost of a spurious observed char."""
        c = self._ins1.get(observed)
        if c is None:
            c = self._tables.learned.get((observed, ""))
            backoff = self._unseen("") + math.log(OTHER_SYMBOLS)
            c = backoff if c is None else min(c, backoff)
            self._ins1[observed] = c
        return c

    def deletion_cost(self, intended: str) -> float:
        """Cost of an intended char missing from the observation."""
        c = self._del1.get(intended)
        if c is None:
            c = self._tables.learned.get(("", intended))
            backoff = self._unseen(intended) - math.log(DELETE_SHARE)
            c = backoff if c is None else min(c, backoff)
            self._del1[intended] = c
        return c

    # ------------------------------------------------------------------ the distance

    def cost(self, observed: str, intended: str) -> float:
        """-log P(observed | intended) in nats (best segmentation); case-insensitive by default."""
        if self.fold_case:
            observed, intended = observed.lower(), intended.lower()
        return self._cost_cached(observed, intended)

    def costs(self, observed: str, intended: Iterable[str]) -> list[float]:
        """`cost(observed, t)` for each t: one word's candidates, sharing the work between them."""
        if self.fold_case:
            observed = observed.lower()
        targets = [t.lower() for t in intended] if self.fold_case else list(intended)
        # One check for all (the lexicon's syllables are NFC already), each only if needed.
        if not unicodedata.is_normalized("NFC", "\n".join(targets)):
            targets = [unicodedata.normalize("NFC", t) for t in targets]
        return self._coster(observed).costs(targets)

    def _new_coster(self, observed: str) -> _WordCoster:
        if not unicodedata.is_normalized("NFC", observed):
            observed = unicodedata.normalize("NFC", observed)
        return _WordCoster(self, observed)

    def _char_info(self, t: str) -> tuple[float, float, dict[str, float], float, float, str]:
        info = self._tinfo.get(t)
        if info is None:
            unseen = self._unseen(t)
            same = unseen + self.backoff_substitution(t, t)
            other = unseen - math.log(OTHER_SHARE / OTHER_SYMBOLS)
            base = self._base_of(t)
            subs = {}
            for o, share in self._base_share.get(base, {}).items():
                if o != t:
                    backoff = same if self._base_of(o) == base else other
                    subs[o] = min(backoff, unseen - math.log(share))
            for o, c in self._learned_sub_by_int.get(t, {}).items():
                subs[o] = min(c, subs.get(o, same if self._base_of(o) == base else other))
            info = (self.identity_cost(t), self.deletion_cost(t), subs, same, other, base)
            self._tinfo[t] = info
        return info

    def _readings_of(self, t: str) -> _Readings:
        """Costs of reading intended char `t` as each observed char (and of deleting it)."""
        readings = self._readings.get(t)
        if readings is None:
            readings = self._readings[t] = _Readings(self, t)
        return readings

    def _read_column(self, o: str) -> _Memo:
        """Intended char -> the cost of reading it as observed char `o` (`_readings_of`)."""
        column = self._read_columns.get(o)
        if column is None:
            column = self._read_columns[o] = _Memo(lambda t: self._readings_of(t)[o])
        return column

    def _base_of(self, ch: str) -> str:
        b = self._base.get(ch)
        if b is None:
            b = orthography.base_letter(ch).lower()
            self._base[ch] = b
        return b

    def _cost(self, observed: str, intended: str) -> float:
        if not unicodedata.is_normalized("NFC", intended):
            intended = unicodedata.normalize("NFC", intended)
        return self._coster(observed).cost(intended)

    def explain(self, observed: str, intended: str) -> list[tuple[str, str, float]]:
        """The cheapest operation sequence behind `cost`: [(observed seg, intended seg, cost)].

        Slow (no pruning, no cache): for debugging and reports.
        """
        if self.fold_case:
            observed, intended = observed.lower(), intended.lower()
        observed = unicodedata.normalize("NFC", observed)
        intended = unicodedata.normalize("NFC", intended)
        n, m = len(observed), len(intended)
        best = [[math.inf] * (m + 1) for _ in range(n + 1)]
        back: list[list[tuple[int, int, float]]] = [[(0, 0, 0.0)] * (m + 1) for _ in range(n + 1)]
        best[0][0] = 0.0
        for i in range(n + 1):
            for j in range(m + 1):
                if i == 0 and j == 0:
                    continue
                options: list[tuple[int, int, float]] = []
                if i and j:
                    o, t = observed[i - 1], intended[j - 1]
                    c = self.identity_cost(t) if o == t else self.substitution_cost(o, t)
                    options.append((1, 1, c))
                if i:
                    options.append((1, 0, self.insertion_cost(observed[i - 1])))
                if j:
                    options.append((0, 1, self.deletion_cost(intended[j - 1])))
                for a in range(min(MAX_SEG, i) + 1):
                    for b in range(min(MAX_SEG, j) + 1):
                        if a > 1 or b > 1:
                            multi = self._multi.get((observed[i - a : i], intended[j - b : j]))
                            if multi is not None:
                                options.append((a, b, multi))
                for a, b, c in options:
                    if best[i - a][j - b] + c < best[i][j]:
                        best[i][j] = best[i - a][j - b] + c
                        back[i][j] = (a, b, c)
        path = []
        i, j = n, m
        while i or j:
            a, b, c = back[i][j]
            path.append((observed[i - a : i], intended[j - b : j], round(c, 3)))
            i, j = i - a, j - b
        return path[::-1]

    def distance_bound(self, observed: str, intended: str) -> int:
        """Plain Levenshtein distance (a cheap pre-filter before `cost`)."""
        if self.fold_case:
            observed, intended = observed.lower(), intended.lower()
        return Levenshtein.distance(observed, intended)

    def cache_info(self):
        """lru_cache statistics of `cost`."""
        return self._cost_cached.cache_info()

    # ------------------------------------------------------------------ folding helpers

    def cleanup_map(
        self, max_cost: float = 8.0, min_count: int = 2
    ) -> dict[str, list[tuple[str, float]]]:
        """Observed noise segments -> [(intended letter skeleton, cost)], cheapest first.

        Keys are lower-case observed segments (1-3 chars, no whitespace) that contain a character
        that is not a Vietnamese letter (digits, &, @, punctuation, f/j/w/z, foreign letters) or
        are multi-letter clusters learned to stand for fewer letters (ii, rn, cl) that cannot occur
        inside a Vietnamese syllable (so "uo" or "ti" are never folded away). Values are the
        skeletons (marks removed, đ -> d; may be "" for pure noise) of what they were intended as,
        with cost -log P(skeleton | observed) counting how often the segment was really itself
        (plus CLEANUP_PRIOR pseudo-counts, so a cluster seen twice is not free).
        """
        memo_key = (max_cost, min_count)
        if memo_key in self._cleanup_memo:
            return {k: list(v) for k, v in self._cleanup_memo[memo_key].items()}
        by_obs: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(int))
        totals: dict[str, float] = defaultdict(int)
        for (o, t), c in self.counts.items():
            o, t = o.lower(), t.lower()
            if not o or any(ch.isspace() for ch in o):
                continue
            totals[o] += c
            if o == t or c < min_count:
                continue
            if any(ch.isspace() for ch in t):
                continue
            skel = skeleton(t)
            if not all(ch.isalpha() and ch.isascii() for ch in skel):
                continue
            by_obs[o][skel] += c
        out: dict[str, list[tuple[str, float]]] = {}
        plausible = orthography.clusters(MAX_SEG)
        for o, skels in by_obs.items():
            noisy = any(not is_vietnamese_letter(ch) for ch in o)
            if not noisy:
                # A letter cluster: keep only when it is learned to stand for fewer letters
                # and is not a spelling that Vietnamese syllables contain.
                shrinks = sum(c for s, c in skels.items() if len(s) < len(o))
                if len(o) < 2 or shrinks < 3 or skeleton(o) in plausible:
                    continue
            options = []
            for s, c in skels.items():
                if not noisy and s == skeleton(o):
                    continue  # a mark-only change of the same letters; not a clean-up
                cost = -math.log(c / (totals[o] + CLEANUP_PRIOR))
                if cost <= max_cost:
                    options.append((s, round(cost, 3)))
            if options:
                out[o] = sorted(options, key=lambda x: (x[1], x[0]))
        self._cleanup_memo[memo_key] = out
        return {k: list(v) for k, v in out.items()}

    def describe(self) -> str:
        """One-line summary: rows, learned operations, global identity rate."""
        return (
            f"ChannelModel: {len(self.counts)} rows, {len(self._tables.learned)} learned ops "
            f"({len(self._multi)} multi-char), identity rate {self._g:.4f}"
        )


class _Memo(dict):
    """key -> `function(key)`, worked out when first asked."""

    def __init__(self, function: Callable[[str], float]):
        super().__init__()
        self.function = function

    def __missing__(self, key: str) -> float:
        value = self[key] = self.function(key)
        return value


class _Readings(dict):
    """Observed char -> cost of reading intended char `t` as it, worked out when first asked."""

    def __init__(self, model: ChannelModel, t: str):
        super().__init__()
        self.model, self.t = model, t
        self.identity, self.deletion, self.subs, self.same, self.other, self.base = (
            model._char_info(t)
        )

    def __missing__(self, o: str) -> float:
        s = self.identity if o == self.t else self.subs.get(o)
        if s is None:
            s = self.same if self.model._base_of(o) == self.base else self.other
        self[o] = s
        return s


class _WordCoster:
    """`ChannelModel.cost` of one observed word against many intended strings.

    The edit-distance table is filled column by column, one column per intended character. A
    column depends only on the intended string up to its character, so candidates that share
    a beginning ("nguyên", "nguyễn", "người") share those columns: each is computed once.
    """

    def __init__(self, model: ChannelModel, observed: str):
        self.model = model
        self.observed = observed
        self.insertions = [model.insertion_cost(o) for o in observed]
        n = len(observed)
        # The learned multi-character operations that fit the observed word, by their intended
        # segment: [(row where the observed segment ends, its length, cost)]; the segments are
        # looked up by their last character, those read as nothing (insertions) apply anywhere.
        ops: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
        for segment, c in model._multi_del:
            ops[segment].extend((i, 0, c) for i in range(n + 1))
        for i in range(1, n + 1):
            for a in range(1, min(MAX_SEG, i) + 1):
                for segment, c in model._multi_by_obs.get(observed[i - a : i], ()):
                    ops[segment].append((i, a, c))
        self.inserted = ops.pop("", [])
        # The same by the row where the observed segment ends: [(its length, cost)].
        self.inserted_at: list[list[tuple[int, float]]] = [[] for _ in range(n + 1)]
        for end, a, c in self.inserted:
            self.inserted_at[end].append((a, c))
        self.ops_by_last: dict[str, list[tuple[str, list[tuple[int, int, float]]]]] = {}
        for segment, fits in ops.items():
            self.ops_by_last.setdefault(segment[-1], []).append((segment, fits))
        self.char_costs: dict[str, tuple[list[float], float]] = {}
        first = [0.0]  # the empty intended string: insertions only
        for i in range(1, n + 1):
            best = first[i - 1] + self.insertions[i - 1]
            for end, a, c in self.inserted:
                if end == i and first[i - a] + c < best:
                    best = first[i - a] + c
            first.append(best)
        self.columns: dict[str, list[float]] = {"": first}

    def cost(self, intended: str) -> float:
        """-log P(observed | intended), as `ChannelModel._cost` (both strings NFC)."""
        column = self.columns.get(intended)
        if column is None:
            known = len(intended) - 1  # the longest beginning whose column is known
            while intended[:known] not in self.columns:
                known -= 1
            column = self.columns[intended[:known]]
            for end in range(known + 1, len(intended) + 1):
                column = self._next_column(intended[:end], column)
                self.columns[intended[:end]] = column
        return column[-1]

    def costs(self, intended: list[str]) -> list[float]:
        """`cost` of each intended string (NFC), with the same sums and minima as `cost`: in
        numpy, the columns of every beginning of one length side by side."""
        # Every distinct beginning once (nodes of the prefix tree), shorter first; table row 0
        # is "", row k the k-th beginning.
        tree = _PREFIXES
        targets = tree.nodes(intended)
        nodes, row_of = tree.beginnings(targets)
        beginnings = nodes[1:]
        parents = row_of(tree.parent[beginnings])
        depths = tree.depth[beginnings]
        char_ids, char_rows = np.unique(tree.char[beginnings], return_inverse=True)
        chars = [tree.chars[c] for c in char_ids.tolist()]
        # The cost of reading each char as each observed char (one column per observed char,
        # few of them), and of deleting it.
        read_columns = [
            list(map(self.model._read_column(o).__getitem__, chars)) for o in self.observed
        ]
        read_as = np.array(read_columns).reshape(len(self.observed), len(chars)).T
        deletion = np.array(list(map(self.model.deletion_cost, chars)))
        multi = self._multi_ops(tree, beginnings, char_rows, chars, row_of)
        multi_rows = [row for row, _, _ in multi]
        table = np.empty((len(beginnings) + 1, len(self.observed) + 1))
        table[0] = self.columns[""]
        # The rows of the beginnings of each length: from 1 to the first stop, and so on.
        stops = (np.cumsum(np.bincount(depths)[1:]) + 1).tolist()
        for start, stop in pairwise([1, *stops]):
            level = slice(start - 1, stop - 1)  # the level's places in the arrays above
            prev = table[parents[level]]
            reads, deletions = read_as[char_rows[level]], deletion[char_rows[level]]
            columns = table[start:stop]
            # Reading the intended char as the observed one (diagonal) or deleting it (left).
            columns[:, 0] = prev[:, 0] + deletions
            np.minimum(prev[:, :-1] + reads, prev[:, 1:] + deletions[:, None], out=columns[:, 1:])
            # Multi-character operations from earlier columns.
            first, last = bisect_left(multi_rows, start), bisect_left(multi_rows, stop)
            for row, source_row, fits in multi[first:last]:
                source = table[source_row].tolist()
                for end, a, c in fits:
                    w = source[end - a] + c
                    if w < table[row, end]:
                        table[row, end] = w
            # Inserting observed characters (from above), row by row.
            for i, inserted in enumerate(self.insertions, 1):
                np.minimum(columns[:, i], columns[:, i - 1] + inserted, out=columns[:, i])
                for a, c in self.inserted_at[i]:
                    np.minimum(columns[:, i], columns[:, i - a] + c, out=columns[:, i])
        return table[row_of(targets), -1].tolist()

    def _multi_ops(
        self,
        tree: _PrefixTree,
        beginnings: np.ndarray,
        char_rows: np.ndarray,
        chars: list[str],
        row_of: Rows,
    ) -> list[tuple[int, int, list[tuple[int, int, float]]]]:
        """The multi-character operations that end a beginning (few), by row: (its row, the
        row it starts from, its fits as in `ops_by_last`); rows as in `costs`."""
        ending = np.array([ch in self.ops_by_last for ch in chars], dtype=bool)
        found = []
        for row in (np.flatnonzero(ending[char_rows]) + 1).tolist():
            beginning = tree.strings[beginnings[row - 1]]
            for segment, fits in self.ops_by_last[beginning[-1]]:
                if beginning.endswith(segment):
                    found.append((row, tree.node_of[beginning[: -len(segment)]], fits))
        sources = row_of(np.array([source for _, source, _ in found], dtype=np.int64)).tolist()
        return [(row, source, fits) for (row, _, fits), source in zip(found, sources, strict=True)]

    def _costs_of(self, t: str) -> tuple[list[float], float]:
        """For intended char `t`: the cost of reading it as each observed char, of deleting it."""
        readings = self.model._readings_of(t)
        read_as = [readings[o] for o in self.observed]
        deletion = readings.deletion
        self.char_costs[t] = (read_as, deletion)
        return read_as, deletion

    def _edges(self, intended: str) -> dict[int, list[tuple[list[float] | None, int, float]]]:
        """Multi-character operations ending at the last char of `intended`, by row:
        (source column, source row, cost); source column None is the new column itself."""
        edges: dict[int, list[tuple[list[float] | None, int, float]]] = {}
        for segment, fits in self.ops_by_last.get(intended[-1], ()):
            if intended.endswith(segment):
                source = self.columns[intended[: -len(segment)]]
                for end, a, c in fits:
                    edges.setdefault(end, []).append((source, end - a, c))
        for end, a, c in self.inserted:
            edges.setdefault(end, []).append((None, end - a, c))
        return edges

    def _next_column(self, intended: str, prev: list[float]) -> list[float]:
        """The column of `intended` from the column of `intended[:-1]` (and those before)."""
        t = intended[-1]
        read_as, deletion = self.char_costs.get(t) or self._costs_of(t)
        edges = self._edges(intended) if t in self.ops_by_last or self.inserted else {}
        column = [prev[0] + deletion]
        for source, row, c in edges.get(0, ()):
            if source is not None and source[row] + c < column[0]:
                column[0] = source[row] + c
        v = column[0]
        # Each cell is reached by reading the intended char as the observed one (diagonal),
        # deleting it (from the left) or inserting the observed char (from above).
        rows = zip(prev[:-1], prev[1:], read_as, self.insertions, strict=True)
        for i, (diagonal, left, read, inserted) in enumerate(rows, 1):
            v, w = v + inserted, diagonal + read
            if w < v:
                v = w
            w = left + deletion
            if w < v:
                v = w
            if edges and i in edges:
                for source, row, c in edges[i]:
                    w = (column if source is None else source)[row] + c
                    if w < v:
                        v = w
            column.append(v)
        return column


# Nodes of a `_PrefixTree` -> their rows in a table (see `_PrefixTree.beginnings`).
Rows = Callable[[np.ndarray], np.ndarray]


class _PrefixTree:
    """Every string `_WordCoster.costs` has been asked about, with all its beginnings, as
    numbered nodes (0: the empty string), so that one word's candidates find their shared
    beginnings in a few numpy calls. Shared by all models: it holds strings, not costs."""

    def __init__(self) -> None:
        self.node_of: dict[str, int] = {"": 0}
        self.strings: list[str] = [""]
        self.chars: list[str] = [""]  # char id -> char; the root's "char" is ""
        self._char_id: dict[str, int] = {"": 0}
        # Per node: its parent (the string without its last char), length, last char's id.
        self.parent = np.zeros(1024, dtype=np.int64)
        self.depth = np.zeros(1024, dtype=np.int64)
        self.char = np.zeros(1024, dtype=np.int64)
        self._growing = threading.Lock()

    def nodes(self, strings: list[str]) -> np.ndarray:
        """The node of each string, added to the tree if new."""
        get = self.node_of.get
        found = [get(t, -1) for t in strings]
        if -1 in found:
            with self._growing:
                found = [self._add(t) for t in strings]
        return np.array(found, dtype=np.int64)

    def beginnings(self, nodes: np.ndarray) -> tuple[np.ndarray, Rows]:
        """The root, then `nodes` and every node above them once each, shorter first; and the
        places of nodes among them in that order."""
        parts = [np.zeros(1, dtype=np.int64), nodes]
        while len(nodes):
            nodes = self.parent[nodes]
            nodes = nodes[nodes > 0]
            parts.append(nodes)
        found = np.unique(np.concatenate(parts))  # by node, the root first
        order = np.argsort(self.depth[found], kind="stable")
        place = np.empty_like(order)
        place[order] = np.arange(len(order))

        def row_of(nodes: np.ndarray) -> np.ndarray:
            return place[np.searchsorted(found, nodes)]

        return found[order], row_of

    def _add(self, text: str) -> int:
        """The node of `text`, with the nodes of its beginnings added where missing."""
        known = len(text)  # the longest beginning already in the tree
        while text[:known] not in self.node_of:
            known -= 1
        node = self.node_of[text[:known]]
        for end in range(known + 1, len(text) + 1):
            parent, node = node, len(self.strings)
            if node == len(self.parent):
                self.parent, self.depth, self.char = (
                    np.concatenate([array, np.zeros_like(array)])
                    for array in (self.parent, self.depth, self.char)
                )
            char = self._char_id.setdefault(text[end - 1], len(self.chars))
            if char == len(self.chars):
                self.chars.append(text[end - 1])
            self.parent[node], self.depth[node], self.char[node] = parent, end, char
            self.strings.append(text[:end])
            self.node_of[text[:end]] = node
        return node


_PREFIXES = _PrefixTree()


def main(argv: list[str] | None = None) -> int:
    """`python -m vnocr.models.channel OBSERVED INTENDED [...]`: print costs, operations."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2 or len(args) % 2:
        print("usage: python -m vnocr.models.channel OBSERVED INTENDED [OBSERVED INTENDED ...]")
        return 2
    model = ChannelModel.load(shipped.channel_path())
    print(model.describe())
    for observed, intended in zip(args[::2], args[1::2], strict=True):
        ops = " ".join(
            f"{o or '∅'}<-{t or '∅'}:{c:g}" for o, t, c in model.explain(observed, intended)
        )
        print(f"{observed!r} <- {intended!r}: {model.cost(observed, intended):.3f}  {ops}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
