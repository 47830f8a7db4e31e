"""Build the shipped syllable language model `lexicon/vi_lm.npz` from public corpora and lexicon.

Sources (see lexicon/README.md):
- the public corpora in ../shared/corpora (news, encyclopedia, literature, law; one line in 100
  held out, see scripts/corpora.py), when present; without them the model is built from the
  sources below alone, as before they existed;
- our domain lexicon `lexicon/domain/*.txt` (phrases, names, and prose we wrote);
- running text: the VLSP 2013 POS test output shipped in the PyPI package underthesea 9.5.0
  (Apache-2.0), file pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt;
- multi-syllable words: underthesea's corpus/data/Viet74K.txt;
- syllable frequencies: wordfreq's `vi` list (unigram prior);
- attested syllables: Debian's hunspell-vi /usr/share/hunspell/vi_VN.dic (when installed).

Counting runs on one core with numpy (syllable ids, packed int64 n-gram keys, np.unique); each
corpus file's counts are cached in .cache/lm-counts/ (git-ignored) so that settings can be
compared without counting again. The underthesea wheel is fetched with `pip download --no-deps`
into .cache/ (nothing is installed). Only the model (probabilities) is written, never text.

Run: .venv/bin/python scripts/build_lm.py [--subset] [--weight NAME=W ...] [-o OUT]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import time
import zipfile
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import corpora  # noqa: E402
from vnocr.models import lm, shipped  # noqa: E402

CACHE = ROOT / ".cache" / "wheels"
COUNTS_CACHE = ROOT / ".cache" / "lm-counts"
UNDERTHESEA = "underthesea==9.5.0"
VLSP_MEMBER = "underthesea/pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt"
VIET74K_MEMBER = "underthesea/corpus/data/Viet74K.txt"
HUNSPELL_DIC = Path("/usr/share/hunspell/vi_VN.dic")

# How much one occurrence counts, by source: one sentence of a public corpus counts 1 (the unit
# of the discounts); our own administrative prose and phrases count far more, so that the
# genre we correct stays strong beside 85 M words of news. Chosen by the held-out benchmark
# (README); override with --weight NAME=W.
WEIGHTS = {
    "domain-prose": 300.0,
    "domain-phrases": 200.0,
    "vlsp": 3.0,
    "viet74k": 1.0,
    "law-uts-vlc": 10.0,
}
DEFAULT_CORPUS_WEIGHT = 1.0
# Pruning: n-grams with a weighted count below these are left out (their mass backs off).
MIN_BIGRAM = 2.0
MIN_TRIGRAM = 3.0
# A syllable seen only in the public corpora joins the vocabulary (becomes a candidate) only if
# seen this often there; rarer ones are mostly typos and stand as `<w>`.
MIN_CORPUS_SYLLABLE = 50.0


@dataclass
class SourceCounts:
    """The n-gram counts of one source, over its own symbol list (ids are positions in it)."""

    symbols: list[str]
    unigrams: np.ndarray  # count by id
    bigram_keys: np.ndarray
    bigram_counts: np.ndarray
    trigram_keys: np.ndarray
    trigram_counts: np.ndarray

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, symbols=np.array(self.symbols, dtype=np.str_), **self._arrays())
        tmp.replace(path)

    def _arrays(self) -> dict[str, np.ndarray]:
        names = ("unigrams", "bigram_keys", "bigram_counts", "trigram_keys", "trigram_counts")
        return {name: getattr(self, name) for name in names}

    @classmethod
    def load(cls, path: Path) -> SourceCounts:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                [str(s) for s in data["symbols"]],
                *(data[n] for n in ("unigrams", "bigram_keys", "bigram_counts")),
                *(data[n] for n in ("trigram_keys", "trigram_counts")),
            )


def count_lines(lines: Iterable[str], trigrams: bool = True) -> SourceCounts:
    """Count the sentences of `lines` (as `lm.Counts.add_text` does) into arrays."""
    ids: dict[str, int] = {symbol: i for i, symbol in enumerate(lm.SPECIAL)}
    bos, eos = ids[lm.BOS], ids[lm.EOS]
    sequence = array("i")
    for line in lines:
        for sentence in lm.symbols_of_line(line):
            sequence.append(bos)
            sequence.extend(ids.setdefault(s, len(ids)) for s in sentence)
            sequence.append(eos)
    seq = np.frombuffer(sequence, dtype=np.int32).astype(np.int64)
    symbols = list(ids)
    unigrams = np.bincount(seq[seq != bos], minlength=len(symbols)).astype(np.float64)
    # Pairs and triples within a sentence: none starts at an EOS or straddles one.
    prev, nxt = seq[:-1], seq[1:]
    bigram_keys, bigram_counts = np.unique(
        (prev[prev != eos] << lm._KEY_SHIFT) | nxt[prev != eos], return_counts=True
    )
    if trigrams and len(seq) > 2:
        u, v, w = seq[:-2], seq[1:-1], seq[2:]
        inside = (u != eos) & (v != eos)
        keys = (((u[inside] << lm._ID_BITS) | v[inside]) << lm._ID_BITS) | w[inside]
        trigram_keys, trigram_counts = np.unique(keys, return_counts=True)
    else:
        trigram_keys, trigram_counts = np.zeros(0, np.int64), np.zeros(0, np.int64)
    return SourceCounts(
        symbols,
        unigrams,
        bigram_keys,
        bigram_counts.astype(np.float64),
        trigram_keys,
        trigram_counts.astype(np.float64),
    )


def corpus_counts(path: Path, subset: bool) -> SourceCounts:
    """Counts of one public corpus file without its held-out lines (cached by file and split)."""
    digest = hashlib.sha256(f"{path.stat().st_size}:{path.stat().st_mtime_ns}".encode()).hexdigest()
    cached = (
        COUNTS_CACHE
        / f"{corpora.corpus_name(path)}-{'subset' if subset else 'all'}-{digest[:12]}.npz"
    )
    if cached.exists():
        return SourceCounts.load(cached)
    started = time.perf_counter()
    keep = corpora.in_subset if subset else (lambda line: not corpora.is_held_out(line))
    counts = count_lines(line for line in corpora.read_lines(path) if keep(line))
    counts.save(cached)
    print(
        f"  counted {path.name}: {int(counts.unigrams.sum()):,} tokens, "
        f"{len(counts.trigram_keys):,} trigrams, {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return counts


def merge(sources: list[tuple[SourceCounts, float]], keep_symbol: set[str]) -> lm.Ngrams:
    """Weighted sum of the sources' counts over one sorted vocabulary (`keep_symbol`, SPECIAL);
    other symbols become `<w>`. Each source is discounted in its own units (`lm.discounted`)."""
    vocab = sorted(keep_symbol | set(lm.SPECIAL))
    index = {s: i for i, s in enumerate(vocab)}
    other = index[lm.OTHER]
    unigrams = np.zeros(len(vocab))
    bigrams: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    trigrams: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    mask = (1 << lm._ID_BITS) - 1
    for counts, weight in sources:
        to_global = np.array([index.get(s, other) for s in counts.symbols], dtype=np.int64)
        np.add.at(unigrams, to_global, counts.unigrams * weight)
        v = to_global[counts.bigram_keys >> lm._KEY_SHIFT]
        w = to_global[counts.bigram_keys & 0xFFFFFFFF]
        weighted = counts.bigram_counts * weight
        bigrams.append(((v << lm._KEY_SHIFT) | w, weighted, lm.discounted(weighted, weight, 2)))
        keys = counts.trigram_keys
        u = to_global[keys >> (2 * lm._ID_BITS)]
        v = to_global[(keys >> lm._ID_BITS) & mask]
        w = to_global[keys & mask]
        weighted = counts.trigram_counts * weight
        keys = (((u << lm._ID_BITS) | v) << lm._ID_BITS) | w
        trigrams.append((keys, weighted, lm.discounted(weighted, weight, 3)))
    bigram_keys, bigram_counts, bigram_kept = _sum_by_key(bigrams)
    trigram_keys, trigram_counts, trigram_kept = _sum_by_key(trigrams)
    return lm.Ngrams(
        vocab,
        unigrams,
        bigram_keys,
        bigram_counts,
        trigram_keys,
        trigram_counts,
        bigram_kept,
        trigram_kept,
    )


def _sum_by_key(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique keys of all parts, the sum of their counts and of their discounted counts."""
    keys = np.concatenate([k for k, _, _ in parts])
    unique, where = np.unique(keys, return_inverse=True)
    del keys
    sums = []
    for column in (1, 2):
        values = np.concatenate([part[column] for part in parts])
        sums.append(np.bincount(where, weights=values, minlength=len(unique)))
    return unique, sums[0], sums[1]


def underthesea_wheel() -> Path:
    """The underthesea wheel, downloaded once into .cache/wheels."""
    CACHE.mkdir(parents=True, exist_ok=True)
    found = sorted(CACHE.glob("underthesea-9.5.0-*.whl"))
    if not found:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "-q",
                "-d",
                str(CACHE),
                UNDERTHESEA,
            ],
            check=True,
        )
        found = sorted(CACHE.glob("underthesea-9.5.0-*.whl"))
    return found[0]


def read_member(wheel: Path, member: str) -> str:
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(member).decode("utf-8")


def vlsp_sentences(text: str) -> list[str]:
    """Rebuild sentences from the one-token-per-line VLSP file (blank line between sentences)."""
    sentences, words = [], []
    for line in text.splitlines():
        if not line.strip():
            if words:
                sentences.append(" ".join(words))
            words = []
            continue
        words.append(line.split("\t")[0])
    if words:
        sentences.append(" ".join(words))
    return sentences


def domain_lines(folder: Path) -> tuple[list[str], list[str]]:
    """(phrase-like entries, running prose) from our domain lexicon."""
    phrases, prose = [], []
    for path in sorted(folder.glob("*.txt")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip() if raw.lstrip().startswith("#") else raw.strip()
            if not line:
                continue
            (prose if path.name == "corpus.txt" else phrases).extend(line.split("\t"))
    return phrases, prose


def wordfreq_prior() -> dict[str, float]:
    """wordfreq's Vietnamese frequencies, keyed by LM syllable."""
    import wordfreq

    prior: dict[str, float] = {}
    for word, freq in wordfreq.get_frequency_dict("vi").items():
        syllable = lm.normalize_syllable(word)
        if syllable:
            prior[syllable] = prior.get(syllable, 0.0) + freq
    return prior


def hunspell_syllables() -> set[str]:
    if not HUNSPELL_DIC.exists():
        return set()
    words = HUNSPELL_DIC.read_text(encoding="utf-8", errors="replace").splitlines()[1:]
    return {s for w in words if (s := lm.normalize_syllable(w.split("/")[0]))}


def parse_weights(items: list[str]) -> dict[str, float]:
    weights = dict(WEIGHTS)
    for item in items:
        name, _, value = item.partition("=")
        weights[name] = float(value)
    return weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=shipped.lm_path())
    parser.add_argument("--corpora", type=Path, default=corpora.CORPORA)
    parser.add_argument(
        "--subset", action="store_true", help="count a tenth of each corpus (quick experiments)"
    )
    parser.add_argument("--weight", action="append", default=[], metavar="NAME=W")
    parser.add_argument(
        "--min-bigram", type=float, help=f"default {MIN_BIGRAM} with corpora, else 0 (keep all)"
    )
    parser.add_argument(
        "--min-trigram", type=float, help=f"default {MIN_TRIGRAM} with corpora, else 0 (keep all)"
    )
    parser.add_argument("--min-corpus-syllable", type=float, default=MIN_CORPUS_SYLLABLE)
    args = parser.parse_args()
    started = time.perf_counter()
    weights = parse_weights(args.weight)

    wheel = underthesea_wheel()
    phrases, prose = domain_lines(shipped.domain_dir())
    own = [
        (count_lines(prose), weights["domain-prose"]),
        (count_lines(phrases), weights["domain-phrases"]),
        (count_lines(vlsp_sentences(read_member(wheel, VLSP_MEMBER))), weights["vlsp"]),
        # A word's syllables follow each other, but an entry is no sentence: no trigrams.
        (
            count_lines(read_member(wheel, VIET74K_MEMBER).splitlines(), trigrams=False),
            weights["viet74k"],
        ),
    ]
    prior = wordfreq_prior()
    for syllable in hunspell_syllables():
        prior.setdefault(syllable, 1e-8)
    vocabulary = set(prior)
    for counts, _ in own:
        vocabulary.update(counts.symbols)

    public = []
    files = corpora.corpus_files(args.corpora)
    if not files:
        print(f"no corpora in {args.corpora}: building from the lexicon and registry data only")
    for path in files:
        counts = corpus_counts(path, args.subset)
        weight = weights.get(corpora.corpus_name(path), DEFAULT_CORPUS_WEIGHT)
        public.append((counts, weight))
    if public:
        seen: dict[str, float] = {}
        for counts, weight in public:
            for symbol, count in zip(counts.symbols, counts.unigrams.tolist(), strict=True):
                seen[symbol] = seen.get(symbol, 0.0) + count * weight
        vocabulary.update(s for s, c in seen.items() if c >= args.min_corpus_syllable)

    ngrams = merge(own + public, vocabulary)
    # Without the corpora the model is small: nothing is pruned, as before they existed.
    min_bigram = args.min_bigram if args.min_bigram is not None else MIN_BIGRAM * bool(public)
    min_trigram = args.min_trigram if args.min_trigram is not None else MIN_TRIGRAM * bool(public)
    model = lm.build_arrays(ngrams, prior, min_bigram=min_bigram, min_trigram=min_trigram)
    model.save(args.output, compress=False)
    syllables = sum(1 for w in model.vocab if w not in lm.SPECIAL)
    print(
        f"wrote {args.output}: {len(model.vocab)} symbols ({syllables} syllables), "
        f"{model.bigram_count:,} bigrams, {model.trigram_count:,} trigrams, "
        f"{ngrams.unigrams.sum():,.0f} weighted tokens, "
        f"{args.output.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
