"""Benchmark `vnocr batch` against plain Tesseract, profile one page's stages, time search.

    .venv/bin/python scripts/benchmark_batch.py [--pages 40] [--real DIR] [--rounds 2]
        [--profile-pages 8] [--search-pages 10000 | --no-search]
    .venv/bin/python scripts/benchmark_batch.py --cluster [--pages 40]

Throughput: the same pages (N generated scan-like A4 pages of running Vietnamese text from
scripts/pagegen.py, or the PNG pages of --real DIR) through plain `tesseract IMAGE - -l vie`
(two at a time, one OpenMP thread each) and `vnocr batch --jobs 2` with each OCR engine
(tesserocr in-process, and the tesseract program via pytesseract), in alternating order over
--rounds rounds; the ratio to plain Tesseract is taken within each round. Profile: the stages
of `process_page` timed in this process over the first --profile-pages pages (load, orientation,
deskew, other preprocessing, OCR, correction, writing), and `vnocr batch --jobs 1` over the same
pages for the inter-process overhead. Search: indexes synthetic page texts built from
wordfreq's Vietnamese word list (no OCR) and times random accent-folded queries.

--cluster instead compares the process pool with Dask on the same pages: --jobs 2, then
--scheduler local (2 workers), then an external `dask scheduler` with 2 single-threaded `dask
worker` processes on 127.0.0.1 (started before the clock starts, as an existing cluster is, and
stopped at the end), then --jobs 2 again to show the drift of a shared machine. Rates are wall
clock of the whole call (a local cluster's start and stop included), and every run's outputs
are compared byte for byte with the first.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from vnocr import api  # noqa: E402
from vnocr.archive import batch, search  # noqa: E402
from vnocr.errors import VnocrError  # noqa: E402
from vnocr.image import engine, preprocess  # noqa: E402
from vnocr.outputs import atomic_write, format_txt, page_record  # noqa: E402
from vnocr.settings import Settings  # noqa: E402

ENGINES = ("tesserocr", "pytesseract")


def vietnamese_words(count: int = 5000) -> tuple[list[str], list[float]]:
    """Top `count` Vietnamese words and cumulative Zipf weights (wordfreq)."""
    import wordfreq

    words = [w for w in wordfreq.top_n_list("vi", count) if w.isalpha()]
    total, cumulative = 0.0, []
    for rank in range(len(words)):
        total += 1.0 / (rank + 1)
        cumulative.append(total)
    return words, cumulative


def page_lines(
    rng: random.Random, words: list[str], weights: list[float], lines: int, per_line: int = 9
) -> list[str]:
    """Random sentences from the word list."""
    return [
        " ".join(rng.choices(words, cum_weights=weights, k=per_line)).capitalize()
        for _ in range(lines)
    ]


def render_pages(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """Render `count` scan-like A4 pages (30 lines of running Vietnamese text each) as PNG files.

    The text is consecutive sentences from pagegen's corpus (VLSP text and our domain prose),
    from a different place for every page, as an archive's report pages would be.
    """
    sys.path.insert(0, str(REPO / "scripts"))
    import pagegen

    fonts = pagegen.find_fonts()
    if not fonts:
        raise SystemExit("no font with Vietnamese glyphs found (install fonts-dejavu)")
    rng = random.Random(seed)
    sentences = pagegen.corpus_sentences()
    paths = []
    for number in range(count):
        start = rng.randrange(len(sentences))
        words = " ".join(sentences[start : start + 40]).split()
        lines = pagegen.wrap_words(words, fonts[number % len(fonts)], 11, 6.5)[:30]
        image = pagegen.render_page(lines, fonts[number % len(fonts)], 11)
        image = pagegen.degrade(image, "scan", seed=number)
        path = folder / f"tập {number // 10}" / f"trang {number:03d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, dpi=image.info.get("dpi", (300, 300)))  # the scan's own resolution
        paths.append(path)
    return paths


def real_pages(source: Path, folder: Path) -> list[Path]:
    """The PNG pages of `source`, linked into `folder` (the batch input tree)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for page in sorted(source.glob("*.png")):
        target = folder / page.name
        os.symlink(page.resolve(), target)
        paths.append(target)
    if not paths:
        raise SystemExit(f"no PNG pages in {source}")
    return paths


def plain_tesseract(paths: list[Path], jobs: int = 2) -> float:
    """Seconds for `tesseract IMAGE - -l vie` over the pages, `jobs` at a time, 1 thread each."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: Path) -> None:
        subprocess.run(
            ["tesseract", str(path), "-", "-l", "vie"], check=True, capture_output=True, env=env
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, paths))
    return time.perf_counter() - started


def run_batch(
    src: Path, out: Path, jobs: int, correct: bool, name: str, scheduler: str | None = None
) -> batch.BatchSummary:
    """One batch run with OCR engine `name` (and a Dask scheduler, if given) into a fresh folder."""
    shutil.rmtree(out, ignore_errors=True)
    engine.choose(name)
    options = batch.BatchOptions(
        src,
        out,
        Settings(correct=correct),
        ("txt", "jsonl"),
        jobs,
        log=lambda line: None,
        progress=False,
        scheduler=scheduler,
    )
    summary = batch.run_batch(options)
    if summary.failed:
        raise SystemExit(f"batch failed: {summary.errors[:3]}")
    return summary


def throughput(
    paths: list[Path], src: Path, folder: Path, rounds: int, correct: bool
) -> list[tuple[str, str]]:
    """Plain tesseract and `vnocr batch --jobs 2` with each engine, alternated; table rows."""
    rates: dict[str, list[float]] = defaultdict(list)
    ratios: dict[str, list[float]] = defaultdict(list)
    rss: dict[str, int] = defaultdict(int)
    contenders = ("plain", *ENGINES)
    for number in range(rounds):
        order = contenders[number % 3 :] + contenders[: number % 3]
        if number % 2:
            order = tuple(reversed(order))
        rate: dict[str, float] = {}
        for name in order:
            if name == "plain":
                rate[name] = len(paths) / plain_tesseract(paths) * 60
                continue
            summary = run_batch(src, folder / f"out-{name}", 2, correct, name)
            rate[name] = summary.pages / summary.elapsed * 60
            rss[name] = max(rss[name], summary.peak_worker_rss_kb, summary.peak_tesseract_rss_kb)
        print(
            f"round {number + 1}: "
            + ", ".join(f"{name} {rate[name]:.1f}" for name in contenders)
            + f" pages/min; load average {os.getloadavg()[0]:.2f}",
            file=sys.stderr,
        )
        for name in contenders:
            rates[name].append(rate[name])
            ratios[name].append(rate[name] / rate["plain"])
    rows = [
        (
            f"plain `tesseract IMG - -l vie`, 2 at a time, {len(paths)} pages",
            f"{statistics.median(rates['plain']):.1f} pages/min = 1.00",
        )
    ]
    for name in ENGINES:
        rows.append(
            (
                f"vnocr batch --jobs 2 --engine {name} ({'with' if correct else 'no'} correction)",
                f"{statistics.median(rates[name]):.1f} pages/min = "
                f"{statistics.median(ratios[name]):.2f} x plain "
                f"(rounds: {', '.join(f'{r:.2f}' for r in ratios[name])})",
            )
        )
        rows.append((f"  peak RSS per worker ({name})", f"{rss[name] / 1024:.0f} MB"))
    return rows


class StageClock:
    """Seconds spent in each stage of `api.process_page`, by wrapping the stage functions."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function`, adding its time to `stage`."""

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - started

        return timed

    @contextmanager
    def installed(self, corrector: Any) -> Iterator[None]:
        """Wrap load, preprocess (orient, deskew, the rest), OCR and the corrector meanwhile.

        OCR counts every `ocr_image` call of the page (a second look at missed lines too).
        """
        saved = (
            api.load.load_page,
            api.preprocess.prepare,
            dict(preprocess._FUNCTIONS),
            api.ocr.ocr_image,
            corrector.correct if corrector else None,
        )
        api.load.load_page = self.wrap("load/render", api.load.load_page)
        api.preprocess.prepare = self.wrap("preprocess", api.preprocess.prepare)
        for step in ("orient", "deskew"):
            preprocess._FUNCTIONS[step] = self.wrap(step, preprocess._FUNCTIONS[step])
        api.ocr.ocr_image = self.wrap("OCR", api.ocr.ocr_image)
        if corrector:
            corrector.correct = self.wrap("correction", corrector.correct)
        try:
            yield
        finally:
            api.load.load_page, api.preprocess.prepare, functions, api.ocr.ocr_image, correct = (
                saved
            )
            preprocess._FUNCTIONS.update(functions)
            if corrector:
                corrector.correct = correct


def profile(
    paths: list[Path], src: Path, folder: Path, correct: bool, name: str
) -> list[tuple[str, str]]:
    """Per-page seconds of each stage in this process, and batch --jobs 1 for the rest."""
    engine.choose(name)
    settings = Settings(correct=correct)
    corrector = api.make_corrector(settings) if correct else None
    engine.current().load(settings.lang)
    clock = StageClock()
    started = time.perf_counter()
    with clock.installed(corrector):
        for path in paths:
            result = api.process_page(path, 1, settings, corrector)
            begun = time.perf_counter()
            out = folder / "profile" / path.stem
            out.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(out.with_suffix(".txt"), format_txt([result]))
            record = json.dumps(page_record(result), ensure_ascii=False) + "\n"
            atomic_write(out.with_suffix(".jsonl"), record)
            clock.seconds["writing"] += time.perf_counter() - begun
    in_process = (time.perf_counter() - started) / len(paths)
    single = src.parent / "profile-in"
    shutil.rmtree(single, ignore_errors=True)
    single.mkdir()
    for path in paths:
        os.symlink(path.resolve(), single / f"{path.parent.name}-{path.name}")
    summary = run_batch(single, folder / "profile-out", 1, correct, name)
    per_page = summary.elapsed / summary.pages
    seconds = {stage: value / len(paths) for stage, value in clock.seconds.items()}
    seconds["other preprocessing"] = (
        seconds.pop("preprocess", 0.0) - seconds.get("orient", 0.0) - seconds.get("deskew", 0.0)
    )
    seconds["the rest of process_page"] = in_process - sum(seconds.values())
    seconds["inter-process overhead (batch --jobs 1 - in-process)"] = per_page - in_process
    order = ("load/render", "orient", "deskew", "other preprocessing", "OCR", "correction")
    rows = [(f"profile, engine {name}, {len(paths)} pages, one process", "s/page  share")]
    rest = (
        "writing",
        "the rest of process_page",
        "inter-process overhead (batch --jobs 1 - in-process)",
    )
    for stage in (*order, *rest):
        value = seconds.get(stage, 0.0)
        rows.append((f"  {stage}", f"{value:6.3f}  {value / per_page * 100:5.1f} %"))
    rows.append(("  batch --jobs 1, per page", f"{per_page:6.3f}  100.0 %"))
    return rows


@contextlib.contextmanager
def loopback_cluster(folder: Path, workers: int) -> Iterator[str]:
    """A `dask scheduler` and `workers` one-thread `dask worker` processes on 127.0.0.1;
    yields the scheduler file; stops them all (by pid) on the way out."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    scheduler_file = folder / "scheduler.json"
    common = ["--host", "127.0.0.1", "--no-dashboard", "--scheduler-file", str(scheduler_file)]
    processes = []
    try:
        processes.append(
            subprocess.Popen(
                [str(bin_dir / "dask"), "scheduler", "--port", "0", *common],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        )
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            if time.monotonic() > deadline or processes[0].poll() is not None:
                raise SystemExit("the dask scheduler did not start")
            time.sleep(0.1)
        for _ in range(workers):
            processes.append(
                subprocess.Popen(
                    [str(bin_dir / "dask"), "worker", "--nthreads", "1", "--no-nanny", *common],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=env,
                )
            )
        from distributed import Client

        with Client(scheduler_file=str(scheduler_file), timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        yield str(scheduler_file)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def load_average() -> str:
    """The machine's load averages over 1, 5 and 15 minutes."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def outputs(out: Path) -> dict[str, bytes]:
    """The output files of a batch folder (txt and jsonl), by relative path."""
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.suffix in (".txt", ".jsonl") and path.name != "errors.jsonl"
    }


def cluster_benchmark(folder: Path, pages: int, correct: bool) -> list[tuple[str, str]]:
    """Pages/min of --jobs 2, --scheduler local and an external loopback cluster; same bytes?"""
    src = folder / "in"
    runs: list[tuple[str, Path, float, float, float]] = []

    def timed(name: str, out: Path, jobs: int, scheduler: str | None) -> None:
        started = time.perf_counter()
        summary = run_batch(src, out, jobs, correct, "auto", scheduler)
        seconds = time.perf_counter() - started
        assert summary.done == pages and not summary.errors, summary.errors
        busy = summary.page_seconds / (2 * seconds)  # the 2 workers' share of the wall time
        runs.append((name, out, summary.pages / seconds * 60, summary.page_seconds / pages, busy))

    timed("vnocr batch --jobs 2 (process pool)", folder / "pool", 2, None)
    timed("vnocr batch --scheduler local --jobs 2", folder / "local", 2, "local")
    with loopback_cluster(folder, 2) as scheduler_file:
        timed(
            "vnocr batch --scheduler FILE (2 workers on 127.0.0.1)",
            folder / "ext",
            2,
            scheduler_file,
        )
    timed("vnocr batch --jobs 2 again (drift of the machine)", folder / "pool2", 2, None)
    reference = outputs(runs[0][1])
    base = runs[0][2]
    rows = []
    for name, _out, rate, page_time, busy in runs:
        rows.append(
            (f"{name}, {pages} pages", f"{rate:.1f} pages/min = {rate / base:.2f} x the first row")
        )
        rows.append(
            (
                "  mean time of one page in a worker; workers busy (page time / 2 x wall)",
                f"{page_time:.1f} s; {busy * 100:.0f} %",
            )
        )
    same = all(outputs(run[1]) == reference for run in runs)
    rows.append(
        (
            f"outputs of every run identical byte for byte ({len(reference)} files)",
            "yes" if same else "NO",
        )
    )
    rows.append(("load average after the runs (1, 5, 15 min)", load_average()))
    return rows


def search_benchmark(pages: int, queries: int, folder: Path) -> dict[str, float]:
    """Index synthetic pages, then time random queries (p50/p95 ms) and size per page."""
    rng = random.Random(11)
    words, weights = vietnamese_words()
    db = folder / "search.sqlite"
    conn = search.connect(db, create=True)
    search.ensure_fold_version(conn)
    per_doc = 50
    index_seconds = 0.0
    for doc in range(pages // per_doc):
        texts = [
            (page + 1, "\n".join(page_lines(rng, words, weights, 30))) for page in range(per_doc)
        ]
        started = time.perf_counter()
        search.index_pages(conn, "/bench", f"doc{doc:05d}.jsonl", f"doc{doc:05d}.pdf", texts)
        index_seconds += time.perf_counter() - started
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("INSERT INTO pages_fts (pages_fts) VALUES ('optimize')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = db.stat().st_size
    mid = words[50:2000]
    timings = []
    for number in range(queries):
        terms = [search.fold(word) for word in rng.sample(mid, rng.choice([1, 2, 3]))]
        query = " ".join(terms) if number % 4 else f'"{terms[0]}" OR {terms[-1][:3]}*'
        started = time.perf_counter()
        search.search(db, query, limit=10)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "bytes_per_page": size / pages,
        "index_seconds": index_seconds,
    }


def main() -> None:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40, help="generated pages")
    parser.add_argument("--real", type=Path, default=None, help="use the PNG pages of this folder")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile-pages", type=int, default=8)
    parser.add_argument("--search-pages", type=int, default=10000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--no-search", action="store_true")
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="compare the process pool with Dask (local cluster, external scheduler) instead",
    )
    args = parser.parse_args()
    rows: list[tuple[str, str]] = [("load average at start (1, 5, 15 min)", load_average())]
    with tempfile.TemporaryDirectory(prefix="vnocr-bench-") as tmp:
        folder = Path(tmp)
        if args.real is not None:
            paths = real_pages(args.real, folder / "in")
        else:
            paths = render_pages(folder / "in", args.pages)
        correct = True
        try:
            batch.build_corrector(Settings())
        except VnocrError as exc:
            correct = False
            print(f"note: correction off ({exc})", file=sys.stderr)
        if args.cluster:
            print(f"load average before the runs (1, 5, 15 min): {load_average()}", flush=True)
            print_table(cluster_benchmark(folder, len(paths), correct))
            return
        rows.extend(throughput(paths, folder / "in", folder, args.rounds, correct))
        if args.profile_pages:
            sample = paths[: args.profile_pages]
            for name in ENGINES:
                rows.extend(profile(sample, folder / "in", folder, correct, name))
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rows.append(
            ("peak RSS of any child process (RUSAGE_CHILDREN)", f"{children / 1024:.0f} MB")
        )
        if not args.no_search:
            figures = search_benchmark(args.search_pages, args.queries, folder)
            rows.append(
                (
                    f"search index build, {args.search_pages} pages",
                    f"{figures['index_seconds']:.1f} s",
                )
            )
            rows.append(
                (
                    f"search latency p50 / p95 ({args.queries} queries, top 10, snippets)",
                    f"{figures['p50']:.1f} ms / {figures['p95']:.1f} ms",
                )
            )
            rows.append(("index size per page", f"{figures['bytes_per_page'] / 1024:.1f} KiB"))
    rows.append(("load average at end (1, 5, 15 min)", load_average()))
    print_table(rows)


def print_table(rows: list[tuple[str, str]]) -> None:
    """The rows as a two-column table."""
    width = max(len(name) for name, _ in rows)
    print(f"{'measure'.ljust(width)}  value")
    print(f"{'-' * width}  {'-' * 40}")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
