"""Build lexicon/channel.tsv: an OCR error (channel) model learned from rendered-and-OCR'd pages.

Renders Vietnamese sentences (underthesea test corpus plus lexicon/domain/corpus.txt when
present) to pages in several fonts, sizes and degradation levels (scripts/pagegen.py), OCRs
every page with Tesseract (`eng` and `vie`, psm 6 on the block of lines), aligns each OCR line
with its truth line and counts edit operations. Adjacent edits that include an insertion or
deletion are merged into segment operations (<= 3 chars a side) so that one-to-many and
many-to-one confusions (ủ->ii, m->rn, đ->cl) are captured; plain substitutions stay 1:1.

    .venv/bin/python scripts/build_channel.py     # default budget: 4800 lines, ~11 min on 2 cores
    .venv/bin/python scripts/build_channel.py --lines 600 --out /tmp/ch.tsv   # quick run

OCR results are cached in .cache/channel/ (keyed by page content and settings), so re-running
with the same budget only recounts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rapidfuzz.distance import Levenshtein
from unidecode import unidecode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.pagegen import (  # noqa: E402
    CACHE_DIR,
    LEVELS,
    REPO,
    corpus_sentences,
    degrade,
    find_fonts,
    font_label,
    render_page,
    wrap_words,
)
from vnocr.models.channel import atomic_ops, segment_ops  # noqa: E402

MAX_SEG = 3
Op = tuple[str, str]  # (observed, intended)


# --------------------------------------------------------------------------- page plan


def plan_pages(
    sentences: Sequence[str],
    n_lines: int,
    fonts: Sequence[Path],
    levels: Sequence[str],
    sizes: Sequence[float],
    lines_per_page: int,
    seed: int,
) -> list[dict]:
    """Page specs (lines, font, size, level, seed) covering about `n_lines` truth lines."""
    rng = random.Random(seed)
    order = list(sentences)
    rng.shuffle(order)
    combos = [(f, lv) for f in fonts for lv in levels]
    rng.shuffle(combos)
    pages: list[dict] = []
    pos = 0
    total = 0
    while total < n_lines:
        font, level = combos[len(pages) % len(combos)]
        size = rng.choice(list(sizes))
        width = rng.uniform(4.5, 6.5)
        lines: list[str] = []
        while len(lines) < lines_per_page:
            words = order[pos % len(order)].split()
            pos += 1
            lines.extend(wrap_words(words, font, size, width))
        lines = lines[: min(lines_per_page, n_lines - total)]
        pages.append(
            {
                "id": len(pages),
                "lines": lines,
                "font": str(font),
                "size": size,
                "page_width": round(width + 1.3, 3),
                "level": level,
                "seed": seed * 100003 + len(pages),
            }
        )
        total += len(lines)
    return pages


def page_key(page: dict, engines: Sequence[str]) -> str:
    """Cache key of one page's OCR: content, font, size, level, seed and engines."""
    blob = json.dumps(
        [
            page["lines"],
            Path(page["font"]).name,
            page["size"],
            page["page_width"],
            page["level"],
            page["seed"],
            list(engines),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- OCR worker


def ocr_page(args: tuple[dict, Sequence[str]]) -> dict:
    """Render, degrade and OCR one page with each engine (one tesseract process at a time)."""
    import pytesseract

    page, engines = args
    os.environ["OMP_THREAD_LIMIT"] = "1"
    image = render_page(page["lines"], page["font"], page["size"], page_width_in=page["page_width"])
    image = degrade(image, page["level"], page["seed"])
    dpi = int(image.info.get("dpi", (300, 300))[0])
    out = dict(page)
    out["ocr"] = {}
    for engine in engines:
        text = pytesseract.image_to_string(image, lang=engine, config=f"--psm 6 --dpi {dpi}")
        out["ocr"][engine] = text
    return out


def read_cache(cache: Path) -> dict[str, dict]:
    """Cached OCR records by key (torn lines from interrupted runs are skipped)."""
    done: dict[str, dict] = {}
    if cache.exists():
        for raw in cache.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(raw)
            except json.JSONDecodeError:
                continue
            done[rec["key"]] = rec
    return done


def cached_pages(cache: Path, engines: Sequence[str], levels: Sequence[str]) -> list[dict]:
    """Every cached page OCR'd with all of `engines` at one of `levels`."""
    recs = [
        r
        for r in read_cache(cache).values()
        if r["level"] in levels and all(e in r["ocr"] for e in engines)
    ]
    return sorted(recs, key=lambda r: (r["seed"], r["key"]))


def run_ocr(pages: list[dict], engines: Sequence[str], jobs: int, cache: Path) -> list[dict]:
    """OCR all pages (parallel, cached in `cache` as jsonl)."""
    done = read_cache(cache)
    todo = [p for p in pages if page_key(p, engines) not in done]
    print(
        f"OCR: {len(pages)} pages, {len(pages) - len(todo)} cached, {len(todo)} to run "
        f"({jobs} workers)",
        file=sys.stderr,
    )
    t0 = time.time()
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("a", encoding="utf-8") as fh, ProcessPoolExecutor(jobs) as pool:
        for n, rec in enumerate(pool.map(ocr_page, [(p, engines) for p in todo]), 1):
            rec["key"] = page_key(rec, engines)
            done[rec["key"]] = rec
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh.flush()
            if n % 10 == 0 or n == len(todo):
                el = time.time() - t0
                print(
                    f"  {n}/{len(todo)} pages, {el:.0f}s, eta {el / n * (len(todo) - n):.0f}s",
                    file=sys.stderr,
                )
    return [done[page_key(p, engines)] for p in pages]


# --------------------------------------------------------------------------- alignment


def norm_line(text: str) -> str:
    """NFC with runs of whitespace folded to one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _fold(text: str) -> str:
    return unidecode(text).lower()


def align_lines(truth: Sequence[str], ocr: Sequence[str]) -> list[tuple[int, int]]:
    """Monotone alignment of OCR lines to truth lines maximising similarity (pairs i_truth, j_ocr).

    Pairs whose accent-folded similarity is below 0.45 are not matched.
    """
    n, m = len(truth), len(ocr)
    ft = [_fold(t) for t in truth]
    fo = [_fold(o) for o in ocr]
    sim = [[Levenshtein.normalized_similarity(ft[i], fo[j]) for j in range(m)] for i in range(n)]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            gain = sim[i - 1][j - 1]
            choices = [(best[i - 1][j], 1), (best[i][j - 1], 2)]
            if gain >= 0.45:
                choices.append((best[i - 1][j - 1] + gain, 0))
            best[i][j], back[i][j] = max(choices)
    pairs = []
    i, j = n, m
    while i > 0 and j > 0:
        step = back[i][j]
        if step == 0:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif step == 1:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


# --------------------------------------------------------------------------- counting


class Counts:
    """Edit-operation statistics for one build."""

    def __init__(self, weights: dict[str, float] | None = None) -> None:
        self.weights = weights or {}
        self.errors: Counter[Op] = Counter()  # weighted
        self.raw_errors: Counter[Op] = Counter()  # unweighted (for the min-count cut)
        self.by_engine: dict[str, Counter[Op]] = {}  # unweighted, per engine
        self.identity: Counter[str] = Counter()  # weighted
        self.truth_weighted: list[tuple[str, float]] = []
        self.truth_text: list[str] = []
        self.chars = Counter()  # (engine, level) -> truth chars
        self.dist = Counter()  # (engine, level) -> edit distance
        self.lines = Counter()  # (engine, level) -> truth lines
        self.unmatched = Counter()  # (engine, level) -> truth lines with no OCR line

    def add_page(self, rec: dict, engine: str) -> None:
        """Align one page's OCR (one engine) with its truth lines and count edits."""
        truth = [norm_line(t) for t in rec["lines"]]
        ocr = [norm_line(t) for t in rec["ocr"][engine].splitlines() if t.strip()]
        key = (engine, rec["level"])
        weight = self.weights.get(engine, 1.0)
        pairs = dict(align_lines(truth, ocr))
        for i, t in enumerate(truth):
            self.lines[key] += 1
            self.chars[key] += len(t)
            if i not in pairs:
                self.unmatched[key] += 1
                self.dist[key] += len(t)
                continue
            o = ocr[pairs[i]]
            self.dist[key] += Levenshtein.distance(t, o)
            self.truth_text.append(t)
            self.truth_weighted.append((t, weight))
            for kind, obs, intended in segment_ops(atomic_ops(t, o)):
                if kind == "eq":
                    self.identity[intended] += weight
                else:
                    self.errors[(obs, intended)] += weight
                    self.raw_errors[(obs, intended)] += 1
                    self.by_engine.setdefault(engine, Counter())[(obs, intended)] += 1

    def multi_identity(self, min_count: int) -> Counter[str]:
        """Identity counts for multi-char segments seen in error rows (occurrences minus errors)."""
        segs = {
            s
            for (o, t), c in self.raw_errors.items()
            if c >= min_count
            for s in (o, t)
            if len(s) > 1
        }
        err_as_intended: Counter[str] = Counter()
        for (_o, t), c in self.errors.items():
            err_as_intended[t] += c
        occurrences: Counter[str] = Counter()
        for t, w in self.truth_weighted:
            for s in segs:
                if s in t:
                    occurrences[s] += t.count(s) * w
        out: Counter[str] = Counter()
        for s in segs:
            occ = occurrences[s] - err_as_intended[s]
            if occ > 0:
                out[s] = occ
        return out


def write_tsv(counts: Counts, path: Path, header: Sequence[str], min_count: int) -> int:
    """Write the channel table; returns the number of rows."""
    rows: list[tuple[str, str, int]] = []
    for (o, t), c in counts.errors.items():
        if counts.raw_errors[(o, t)] >= min_count and round(c) >= 1:
            rows.append((o, t, round(c)))
    for ch, c in counts.identity.items():
        if round(c) >= 1:
            rows.append((ch, ch, round(c)))
    for s, c in counts.multi_identity(min_count).items():
        if round(c) >= 1:
            rows.append((s, s, round(c)))
    rows.sort(key=lambda r: (r[1] != r[0], -r[2], r[1], r[0]))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for line in header:
            fh.write(f"# {line}\n")
        fh.write("observed\tintended\tcount\n")
        for o, t, c in rows:
            fh.write(f"{_esc(o)}\t{_esc(t)}\t{c}\n")
    tmp.replace(path)
    return len(rows)


def _esc(s: str) -> str:
    """TSV-safe field: backslash, tab and newline escaped (spaces kept literally)."""
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=4800, help="truth lines to render (budget)")
    ap.add_argument("--lines-per-page", type=int, default=30)
    ap.add_argument("--engines", default="eng,vie")
    ap.add_argument(
        "--weights",
        default="vie=2,eng=1",
        help="per-engine count weights: the engine mixture the table models",
    )
    ap.add_argument("--levels", default=",".join(LEVELS))
    ap.add_argument("--sizes", default="10,11,12,13")
    ap.add_argument("--fonts", default="", help="comma list of font files (default: find_fonts)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel tesseract processes")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--out", type=Path, default=REPO / "lexicon" / "channel.tsv")
    ap.add_argument("--cache", type=Path, default=CACHE_DIR / "channel" / "ocr.jsonl")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument(
        "--recount",
        action="store_true",
        help="no OCR: count every page already in the cache (for these engines)",
    )
    args = ap.parse_args(argv)

    engines = [e for e in args.engines.split(",") if e]
    levels = [lv for lv in args.levels.split(",") if lv]
    sizes = [float(s) for s in args.sizes.split(",") if s]
    fonts = [Path(f) for f in args.fonts.split(",") if f] or find_fonts()
    t0 = time.time()
    if args.recount:
        recs = cached_pages(args.cache, engines, levels)
        pages = recs
        fonts = sorted({Path(r["font"]) for r in recs})
    else:
        sentences = corpus_sentences()
        pages = plan_pages(
            sentences, args.lines, fonts, levels, sizes, args.lines_per_page, args.seed
        )
        recs = run_ocr(pages, engines, args.jobs, args.cache)
    weights = {k: float(v) for k, v in (kv.split("=") for kv in args.weights.split(",") if kv)}
    counts = Counts(weights)
    for rec in recs:
        for engine in engines:
            counts.add_page(rec, engine)

    n_lines = sum(len(p["lines"]) for p in pages)
    header = [
        "vnocr OCR channel model: counts of observed<TAB>intended edit segments "
        "(identity rows: observed == intended).",
        f"built {dt.date.today().isoformat()} by scripts/build_channel.py "
        + (
            "--recount (all cached pages)"
            if args.recount
            else f"--lines {args.lines} --seed {args.seed}"
        )
        + f" --min-count {args.min_count} --weights {args.weights}",
        f"lines={n_lines} pages={len(pages)} sentences=underthesea-9.5.0 VLSP2013 POS test"
        + (" + lexicon/domain/corpus.txt" if (REPO / "lexicon/domain/corpus.txt").exists() else ""),
        "fonts="
        + ",".join(font_label(f) for f in fonts)
        + " sizes="
        + ",".join(f"{s:g}" for s in sizes)
        + "pt",
        "levels="
        + ",".join(levels)
        + " engines="
        + ",".join(engines)
        + " weights="
        + ",".join(f"{e}={weights.get(e, 1.0):g}" for e in engines)
        + " (tesseract psm 6; counts weighted per engine; segments <= 3 chars a side;"
        " case kept)",
    ]
    header.append(
        "raw CER "
        + " ".join(
            f"{e}/{lv}={counts.dist[(e, lv)] / counts.chars[(e, lv)]:.2%}"
            for e in engines
            for lv in levels
            if counts.chars[(e, lv)]
        )
    )
    rows = write_tsv(counts, args.out, header, args.min_count)

    print(
        f"lines {n_lines} x {len(engines)} engines, truth chars "
        f"{sum(counts.chars.values())}, rows {rows} -> {args.out} ({time.time() - t0:.0f}s)"
    )
    print("raw CER (edit distance / truth chars; unmatched lines count fully):")
    for engine in engines:
        for level in levels:
            k = (engine, level)
            if counts.chars[k]:
                print(
                    f"  {engine:4} {level:6} CER {counts.dist[k] / counts.chars[k]:6.2%}  "
                    f"lines {counts.lines[k]:5}  unmatched {counts.unmatched[k]}"
                )
    total_err = sum(counts.raw_errors.values())
    print(f"top {args.top} confusions (observed <- intended, count, share of errors {total_err}):")
    for (o, t), c in counts.raw_errors.most_common(args.top):
        print(f"  {o!r:8} <- {t!r:8} {c:6}  {c / total_err:6.2%}")
    for engine in engines:
        errs = counts.by_engine.get(engine, Counter())
        print(
            f"top 15 for {engine}: "
            + ", ".join(f"{o or '∅'}<-{t or '∅'} {c}" for (o, t), c in errs.most_common(15))
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
