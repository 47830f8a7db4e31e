"""Archive batch conversion: a folder tree of PDFs, images and OCR text files, in parallel.

The parent process walks the tree, asks the manifest what is already done, and feeds page tasks
(file, page) through a bounded window to worker processes; each worker builds one Corrector and
runs `api.process_page` (a pure function of file, page and settings), loading only its own page.
A document's outputs are assembled in memory and written atomically when all its pages are done;
then its manifest row is committed. So an interrupted run never leaves a partial output that
looks finished, and the next run redoes only what is missing, changed or failed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import re
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from vnocr import api
from vnocr.archive import manifest, search
from vnocr.errors import DependencyError, ExitCode, InputError, UsageError, VnocrError
from vnocr.formats import alto, hocr, pdf
from vnocr.image import load, ocr
from vnocr.outputs import atomic_write, format_txt, page_record, printable
from vnocr.results import Correction, PageResult, TextCorrector, WordChoices
from vnocr.settings import Settings
from vnocr.text import legacy_encodings

FORMATS = ("txt", "jsonl")
#: Every format batch can write, and the file name ending of each.
ALL_FORMATS = {
    "txt": ".txt",
    "jsonl": ".jsonl",
    "hocr": ".hocr",
    "alto": ".alto.xml",
    "pdf": ".pdf",
}
#: Formats that need page images and word boxes (not made for .txt inputs).
GEOMETRY_FORMATS = ("hocr", "alto", "pdf")
INPUT_EXTENSIONS = load.IMAGE_EXTENSIONS | load.PDF_EXTENSIONS | load.TEXT_EXTENSIONS
LOCK_NAME = ".vnocr-lock"
ERRORS_NAME = "errors.jsonl"
# Temporary files of outputs.atomic_open: ".<name>.<8 random chars>.tmp".
_TEMP_FILE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class BatchOptions:
    """What to convert, where to, and how."""

    in_dir: Path
    out_dir: Path
    settings: Settings = field(default_factory=Settings)
    formats: tuple[str, ...] = FORMATS
    jobs: int = field(default_factory=default_jobs)
    index_db: Path | None = None
    progress: bool | None = None  # None: a progress bar when stderr is a terminal
    log: Callable[[str], None] | None = None  # one line per finished document
    scheduler: str | None = None  # a Dask scheduler (address, scheduler file or "local")
    worker_root: str | None = None  # IN_DIR as the Dask workers see it (default: the same path)
    strict: bool = False  # a page with warnings (a damaged PDF page) fails its document


@dataclass
class BatchSummary:
    """Counts and timings of one batch run."""

    documents: int = 0
    done: int = 0
    warned: int = 0  # of the done documents, those with warnings (see PageResult.warnings)
    skipped: int = 0
    failed: int = 0
    pages: int = 0
    changes: int = 0
    confidence_sum: float = 0.0
    confidence_pages: int = 0
    page_seconds: float = 0.0
    correct_seconds: float = 0.0
    elapsed: float = 0.0
    peak_worker_rss_kb: int = 0
    peak_tesseract_rss_kb: int = 0
    interrupted: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def mean_confidence(self) -> float | None:
        """Mean OCR confidence of the OCR'd pages (None if there were none)."""
        return self.confidence_sum / self.confidence_pages if self.confidence_pages else None

    @property
    def exit_code(self) -> ExitCode:
        """130 if interrupted, 1 if any document failed, else 0."""
        if self.interrupted:
            return ExitCode.INTERRUPTED
        return ExitCode.FAILED if self.failed else ExitCode.OK

    def lines(self) -> list[str]:
        """The human-readable summary."""
        rate = self.pages / self.elapsed * 60 if self.elapsed > 0 else 0.0
        conf = f"{self.mean_confidence:.1f}" if self.mean_confidence is not None else "n/a"
        head = "interrupted" if self.interrupted else "finished"
        return [
            f"batch {head}: documents {self.documents} (done {self.done}"
            + (f", {self.warned} of them with warnings" if self.warned else "")
            + f", skipped {self.skipped}, failed {self.failed})",
            f"pages {self.pages} in {self.elapsed:.1f} s ({rate:.1f} pages/min); "
            f"failures {len(self.errors)}; mean OCR confidence {conf}; "
            f"corrections made {self.changes}",
        ]


# ---------------------------------------------------------------------------------------------
# Walking the input tree


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def discover(in_dir: Path, out_dir: Path | None = None) -> list[Path]:
    """Input files under `in_dir` (sorted; hidden files and `out_dir` skipped)."""
    in_dir = in_dir.resolve()
    skip = out_dir.resolve() if out_dir is not None else None
    found: list[Path] = []
    for folder, dirs, files in os.walk(in_dir):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and (skip is None or (here / d).resolve() != skip)
        )
        found.extend(
            here / name
            for name in sorted(files)
            if not name.startswith(".") and Path(name).suffix.lower() in INPUT_EXTENSIONS
        )
    return found


def output_names(files: list[Path], in_dir: Path) -> dict[Path, str]:
    """Relative output stem of each input: `a/report.pdf` -> `a/report`.

    Two inputs with the same stem in one folder (report.pdf, report.png) keep their extension
    (`a/report.pdf`, `a/report.png`) so their outputs do not collide.
    """
    in_dir = in_dir.resolve()
    stems: dict[tuple[Path, str], int] = {}
    for path in files:
        key = (path.parent, path.stem.lower())
        stems[key] = stems.get(key, 0) + 1
    names: dict[Path, str] = {}
    for path in files:
        rel = path.relative_to(in_dir)
        clash = stems[(path.parent, path.stem.lower())] > 1
        names[path] = rel.as_posix() if clash else rel.with_suffix("").as_posix()
    return names


def _output_intact(path: Path, record: manifest.DocumentRecord | None) -> bool:
    """An output as this batch wrote it: a regular file, not emptied since. An empty file is
    ours (a blank page's text) only if it is no newer than the document's manifest row."""
    try:
        status = path.stat()
    except OSError:
        return False
    if not path.is_file():
        return False
    return status.st_size > 0 or (record is not None and status.st_mtime <= record.finished)


def clean_stray_temp_files(out_dir: Path) -> int:
    """Remove temporary output files left by a killed run; returns how many."""
    removed = 0
    for folder, _dirs, files in os.walk(out_dir):
        for name in files:
            if _TEMP_FILE.match(name):
                with contextlib.suppress(OSError):
                    (Path(folder) / name).unlink()
                    removed += 1
    return removed


@contextlib.contextmanager
def _lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on `out_dir` so two batches cannot write into it at once."""
    with open(out_dir / LOCK_NAME, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                "another vnocr batch is writing into this folder", path=str(out_dir)
            ) from None
        _WORKER["lock_fd"] = handle.fileno()  # forked workers close their copy
        try:
            yield
        finally:
            _WORKER.pop("lock_fd", None)
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------------------------
# Worker side


class TimedCorrector:
    """Wraps a Corrector and adds up the time spent in `correct`."""

    def __init__(self, corrector: TextCorrector):
        self.corrector = corrector
        self.seconds = 0.0

    def correct(
        self,
        text: str,
        confidences: Sequence[float] | None = None,
        alternatives: Sequence[WordChoices] | None = None,
    ) -> Correction:
        """Correct and time it."""
        started = time.perf_counter()
        try:
            return self.corrector.correct(text, confidences, alternatives)
        finally:
            self.seconds += time.perf_counter() - started


_WORKER: dict[str, Any] = {}
_CORRECTOR_LOCK = threading.Lock()


def _ignore_sigint(signum: int, frame: Any) -> None:
    """Workers leave Ctrl-C to the parent (a handler, not SIG_IGN: tesseract still gets it)."""


def build_corrector(settings: Settings) -> TimedCorrector | None:
    """The (timed) Corrector for these settings, None if correction is off.

    Raises DependencyError with the reason if the correction models cannot be loaded.
    """
    if not settings.correct:
        return None
    try:
        return TimedCorrector(api.make_corrector(settings))
    except VnocrError:
        raise
    except Exception as exc:
        raise DependencyError(f"cannot load the correction models ({_message(exc)})") from None


def _exit_with_parent(parent: int) -> None:
    """Worker watchdog: exit when the batch process is gone (e.g. killed with kill -9)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def init_worker(settings: Settings) -> None:
    """Worker initializer: one thread for Tesseract, one Corrector for the worker's life.

    With the fork start method the Corrector built by the parent is inherited (copy-on-write).
    """
    signal.signal(signal.SIGINT, _ignore_sigint)
    # The parent's SIGTERM handler (vnocr.tempfiles) is inherited by fork: a worker the
    # parent terminates must die, not take it as Ctrl-C.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    lock_fd = _WORKER.pop("lock_fd", None)
    if lock_fd is not None:  # inherited by fork: the lock must die with the parent
        with contextlib.suppress(OSError):
            os.close(lock_fd)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    _load_corrector(settings)


def _corrector_key(settings: Settings) -> tuple[Any, ...]:
    """The settings a Corrector depends on (api.make_corrector); the others leave it as is."""
    return (settings.correct, settings.tone_style, settings.lexicon)


def _load_corrector(settings: Settings) -> None:
    """Build this process's Corrector for `settings` unless it has it (or its load error)."""
    with _CORRECTOR_LOCK:
        key = _corrector_key(settings)
        if _WORKER.get("corrector_key") == key and "corrector" in _WORKER:
            return
        _WORKER.pop("init_error", None)
        _WORKER["corrector_key"] = key
        try:
            _WORKER["corrector"] = build_corrector(settings)
        except Exception as exc:
            _WORKER["corrector"] = None
            _WORKER["init_error"] = _message(exc)


def _corrector(settings: Settings) -> TimedCorrector | None:
    """This process's Corrector for `settings`: built by the first task that needs it, then
    reused (pool workers build it in init_worker; Dask workers on their first page)."""
    _load_corrector(settings)
    if "init_error" in _WORKER:
        raise DependencyError(_WORKER["init_error"])
    return _WORKER["corrector"]


@dataclass
class Probe:
    """A document's kind, number of tasks, content hash, or the reason it cannot be read."""

    kind: str | None = None
    tasks: int = 0
    sha256: str | None = None
    error: str | None = None


@dataclass
class TaskOutcome:
    """What a worker sends back for one task (one page, or one whole text file)."""

    results: list[PageResult] = field(default_factory=list)
    error: str | None = None
    correct_seconds: float = 0.0
    rss_kb: int = 0
    child_rss_kb: int = 0


def _message(exc: BaseException, path: str = "") -> str:
    """One-line reason; the document's own path is left out (the report names it)."""
    if isinstance(exc, VnocrError):
        text = str(exc)
        return text.removeprefix(f"{path}: ").removeprefix(f"{path}, ") if path else text
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} ({exc.filename})" if exc.filename else exc.strerror
    return f"{type(exc).__name__}: {exc}"


def probe(path: str, settings: Settings) -> Probe:
    """Hash a document and count its tasks (pages; one for a text file)."""
    try:
        kind = load.detect_kind(path)
        tasks = 1 if kind == "text" else load.count_pages(path, settings.max_pixels)
        return Probe(kind, tasks, manifest.file_sha256(path))
    except Exception as exc:  # any failure is this document's error
        return Probe(error=_message(exc, path))


def _usage() -> tuple[int, int]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own, children


def page_task(path: str, page: int, settings: Settings) -> TaskOutcome:
    """OCR and correct one page (worker side)."""
    outcome = TaskOutcome()
    corrector = None
    before = 0.0
    try:
        corrector = _corrector(settings)
        before = corrector.seconds if corrector else 0.0
        outcome.results.append(api.process_page(path, page, settings, corrector))
    except Exception as exc:
        message = _message(exc, path)
        if f"page {page}" not in message:
            message = f"page {page}: {message}"
        outcome.error = message
    outcome.correct_seconds = (corrector.seconds - before) if corrector else 0.0
    outcome.rss_kb, outcome.child_rss_kb = _usage()
    return outcome


def text_task(path: str, settings: Settings) -> TaskOutcome:
    """Correct an OCR text file (worker side); form feeds separate its pages."""
    outcome = TaskOutcome()
    corrector = None
    before = 0.0
    try:
        corrector = _corrector(settings)
        before = corrector.seconds if corrector else 0.0
        outcome.results = api.text_pages(path, settings, corrector)
    except Exception as exc:
        outcome.error = _message(exc, path)
        outcome.results.clear()
    outcome.correct_seconds = (corrector.seconds - before) if corrector else 0.0
    outcome.rss_kb, outcome.child_rss_kb = _usage()
    return outcome


# ---------------------------------------------------------------------------------------------
# Parent side


@dataclass
class Document:
    """A document being processed in this run."""

    path: Path
    rel: str
    stem: str
    size: int
    mtime_ns: int
    record: manifest.DocumentRecord | None = None
    kind: str | None = None
    tasks: int = 0
    sha256: str | None = None
    results: dict[int, PageResult] = field(default_factory=dict)
    returned: int = 0
    outstanding: int = 0
    error: str | None = None
    error_page: int | None = None
    started: float = 0.0
    correct_seconds: float = 0.0
    finished: bool = False


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C until the block is over (an output set and its manifest row stay together)."""
    caught: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now (their current pages are abandoned)."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in workers:
        with contextlib.suppress(Exception):
            process.join(5)


class BatchRun:
    """One run of `vnocr batch` (use `run_batch`)."""

    def __init__(self, options: BatchOptions):
        self.options = options
        self.settings = options.settings
        self.in_dir = options.in_dir.resolve()
        self.out_dir = options.out_dir.resolve()
        self.summary = BatchSummary()
        # --encoding only changes the outputs of text inputs: images and PDFs keep their hash.
        self.digest = manifest.settings_hash(
            dataclasses.replace(self.settings, encoding=None), options.formats
        )
        self.text_digest = manifest.settings_hash(self.settings, options.formats)
        self.jobs = max(1, options.jobs)
        self.bar: tqdm | None = None
        self.index_conn: Any = None
        self.finished_docs = 0
        self.todo = 0
        self.run_id = 0

    # -- logging -------------------------------------------------------------------------

    def log(self, line: str) -> None:
        """One log line (above the progress bar if there is one)."""
        if self.options.log is not None:
            self.options.log(line)
        elif self.bar is not None and not self.bar.disable:
            self.bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)

    # -- planning ------------------------------------------------------------------------

    def record(self, doc: Document, **fields: Any) -> manifest.DocumentRecord:
        """The manifest row of `doc` for this run: its identity, hash and settings, and `fields`."""
        return manifest.DocumentRecord(
            path=doc.rel,
            size=doc.size,
            mtime_ns=doc.mtime_ns,
            sha256=doc.sha256,
            settings_hash=self.digest_of(doc.path),
            run_id=self.run_id,
            **fields,
        )

    def digest_of(self, path: Path) -> str:
        """The settings hash that applies to an input (text inputs include --encoding)."""
        return self.text_digest if path.suffix.lower() in load.TEXT_EXTENSIONS else self.digest

    def formats(self, doc: Document) -> list[str]:
        """The formats made for a document (a .txt input has no page images: txt, jsonl)."""
        text = doc.path.suffix.lower() in load.TEXT_EXTENSIONS
        return [f for f in self.options.formats if not (text and f in GEOMETRY_FORMATS)]

    def outputs(self, doc: Document) -> list[Path]:
        """The output files of a document, one per format."""
        return [self.out_dir / f"{doc.stem}{ALL_FORMATS[fmt]}" for fmt in self.formats(doc)]

    def plan(self, db: manifest.Manifest) -> list[Document]:
        """Decide for each input whether to skip or process it."""
        files = discover(self.in_dir, self.out_dir)
        stems = output_names(files, self.in_dir)
        todo: list[Document] = []
        for path in files:
            rel = printable(path.relative_to(self.in_dir).as_posix())
            self.summary.documents += 1
            try:
                stat = path.stat()
            except OSError as exc:
                doc = Document(path, rel, stems[path], 0, 0)
                doc.error = f"cannot read file ({exc.strerror})"
                todo.append(doc)
                continue
            doc = Document(
                path, rel, stems[path], stat.st_size, stat.st_mtime_ns, record=db.get(rel)
            )
            exists = all(_output_intact(out, doc.record) for out in self.outputs(doc))
            try:
                decision = manifest.decide(
                    doc.record,
                    doc.size,
                    doc.mtime_ns,
                    self.digest_of(path),
                    exists,
                    lambda p=path: manifest.file_sha256(p),
                )
            except OSError as exc:
                doc.error = f"cannot read file ({exc.strerror})"
                todo.append(doc)
                continue
            if decision.skip:
                if decision.reason == "same content":
                    db.touch(rel, doc.size, doc.mtime_ns)
                self.summary.skipped += 1
                continue
            doc.sha256 = decision.sha256
            todo.append(doc)
        return todo

    # -- the run -------------------------------------------------------------------------

    def run(self) -> BatchSummary:
        """Process everything; returns the summary (errors.jsonl written, manifest updated)."""
        started = time.perf_counter()
        self.check_folders()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with _lock(self.out_dir), manifest.Manifest(self.out_dir / manifest.MANIFEST_NAME) as db:
            clean_stray_temp_files(self.out_dir)
            self.run_id = run_id = db.start_run(
                {
                    "settings": self.settings,
                    "formats": self.options.formats,
                    "jobs": self.jobs,
                    "in_dir": str(self.in_dir),
                }
            )
            status = "interrupted"
            try:
                docs = self.plan(db)
                if self.options.index_db is not None:
                    self.index_conn = search.connect(self.options.index_db, create=True)
                    search.ensure_fold_version(self.index_conn)
                if docs:
                    self.prepare(docs)
                self.process(docs, db)
                status = "failed" if self.summary.failed else "finished"
            except KeyboardInterrupt:
                self.summary.interrupted = True
            except VnocrError:
                status = "failed"
                raise
            finally:
                if self.bar is not None:
                    self.bar.close()
                self.summary.elapsed = time.perf_counter() - started
                db.finish_run(
                    run_id, status, self.summary.done, self.summary.skipped, self.summary.failed
                )
                self.write_errors()
                if self.index_conn is not None:
                    self.index_conn.close()
            if self.options.index_db is not None and not self.summary.interrupted:
                stats = search.index_tree(self.out_dir, self.options.index_db)
                for message in stats.errors:
                    self.log(f"index: {message}")
        return self.summary

    def check_folders(self) -> None:
        """IN_DIR must be a folder; OUT_DIR must not be it or contain it."""
        if not self.in_dir.is_dir():
            raise InputError(
                "no such folder (give the folder of documents to convert)",
                path=str(self.options.in_dir),
            )
        if self.out_dir == self.in_dir or _inside(self.in_dir, self.out_dir):
            raise UsageError(
                "the output folder must not be the input folder or contain it "
                f"(got -o {self.options.out_dir})"
            )
        for fmt in self.options.formats:
            if fmt not in ALL_FORMATS:
                raise UsageError(
                    f"unknown output format '{fmt}' (use some of {', '.join(ALL_FORMATS)})"
                )

    # -- the executor (hooks: cluster.ClusterBatchRun runs the same tasks on Dask) -------

    def prepare(self, docs: list[Document]) -> None:
        """Check what the workers need before any task: Tesseract (unless all inputs are text)
        and the correction models, built here once so that forked workers share them."""
        if any(doc.path.suffix.lower() not in load.TEXT_EXTENSIONS for doc in docs):
            ocr.check_tesseract(self.settings.lang)
        _WORKER["corrector_key"] = _corrector_key(self.settings)
        _WORKER["corrector"] = build_corrector(self.settings)

    def new_pool(self) -> ProcessPoolExecutor:
        """A pool of `jobs` workers, each with its own Corrector."""
        return ProcessPoolExecutor(self.jobs, initializer=init_worker, initargs=(self.settings,))

    def window(self) -> int:
        """How many tasks may be in flight at once (queued or running)."""
        return 2 * self.jobs

    def worker_path(self, doc: Document) -> str:
        """The document's path as the workers see it."""
        return str(doc.path)

    def lost_task(self, exc: Exception, page: int | None) -> str:
        """Why a task came back without an outcome; raises if the run cannot go on."""
        if isinstance(exc, BrokenProcessPool):
            where = f"page {page}: " if page is not None else ""
            return f"{where}a worker process crashed (out of memory or a crash in a decoder)"
        raise exc

    def process(self, docs: list[Document], db: manifest.Manifest) -> None:
        """Probe the documents, then run their pages through the pool."""
        if not docs:
            return
        pool = self.new_pool()
        try:
            self.todo = len(docs)
            self.probe_all(pool, docs, db)
            runnable = [doc for doc in docs if doc.error is None]
            total = sum(doc.tasks for doc in runnable)
            show = self.options.progress
            if show is None:
                show = sys.stderr.isatty() and self.options.log is None
            self.bar = tqdm(
                total=total,
                unit="page",
                disable=not show,
                file=sys.stderr,
                dynamic_ncols=True,
                smoothing=0.1,
            )
            pool = self.run_pages(pool, runnable, db)
        except BaseException:
            _terminate(pool)
            raise
        pool.shutdown(wait=True)

    def probe_all(
        self, pool: ProcessPoolExecutor, docs: list[Document], db: manifest.Manifest
    ) -> None:
        """Count pages and hash content in the workers; unreadable documents fail here."""
        queue = (doc for doc in docs if doc.error is None)
        inflight: dict[Future, Document] = {}
        while True:
            for doc in queue:
                inflight[pool.submit(probe, self.worker_path(doc), self.settings)] = doc
                if len(inflight) >= self.window():
                    break
            if not inflight:
                break
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for future in done:
                doc = inflight.pop(future)
                try:
                    result: Probe = future.result()
                except BrokenProcessPool:
                    raise
                except Exception as exc:
                    result = Probe(error=self.lost_task(exc, None))
                if result.error is not None:
                    doc.error = result.error
                else:
                    doc.kind, doc.tasks, doc.sha256 = result.kind, result.tasks, result.sha256
        for doc in docs:
            if doc.error is not None:
                self.finish_failed(doc, db)

    def tasks(self, docs: list[Document]) -> Iterator[tuple[Document, int]]:
        """(document, page) in order; the rest of a failed document is skipped."""
        for doc in docs:
            for page in range(1, doc.tasks + 1):
                if doc.error is not None:
                    break
                yield doc, page

    def submit(self, pool: ProcessPoolExecutor, doc: Document, page: int) -> Future:
        """Send one task to the pool."""
        if not doc.started:
            doc.started = time.perf_counter()
        doc.outstanding += 1
        if doc.kind == "text":
            return pool.submit(text_task, self.worker_path(doc), self.settings)
        return pool.submit(page_task, self.worker_path(doc), page, self.settings)

    def run_pages(
        self, pool: ProcessPoolExecutor, docs: list[Document], db: manifest.Manifest
    ) -> ProcessPoolExecutor:
        """Keep at most window() tasks in flight; finish each document as its last page returns."""
        queue = self.tasks(docs)
        inflight: dict[Future, tuple[Document, int]] = {}
        exhausted = False
        while True:
            while not exhausted and len(inflight) < self.window():
                item = next(queue, None)
                if item is None:
                    exhausted = True
                    break
                inflight[self.submit(pool, *item)] = item
            if not inflight:
                break
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                doc, page = inflight.pop(future)
                try:
                    outcome: TaskOutcome = future.result()
                except Exception as exc:
                    broken = broken or isinstance(exc, BrokenProcessPool)
                    outcome = TaskOutcome(error=self.lost_task(exc, page))
                self.collect(doc, page, outcome)
                if doc.outstanding == 0 and (doc.error is not None or doc.returned == doc.tasks):
                    self.finish(doc, db)
            if broken:
                for future, (doc, page) in list(inflight.items()):
                    inflight.pop(future)
                    self.collect(
                        doc,
                        page,
                        TaskOutcome(
                            error=f"page {page}: a worker process "
                            "crashed while this page was running"
                        ),
                    )
                    if doc.outstanding == 0:
                        self.finish(doc, db)
                pool.shutdown(wait=False, cancel_futures=True)
                pool = self.new_pool()
        return pool

    def collect(self, doc: Document, page: int, outcome: TaskOutcome) -> None:
        """Record one returned task."""
        doc.outstanding -= 1
        doc.returned += 1
        doc.correct_seconds += outcome.correct_seconds
        self.summary.correct_seconds += outcome.correct_seconds
        self.summary.peak_worker_rss_kb = max(self.summary.peak_worker_rss_kb, outcome.rss_kb)
        self.summary.peak_tesseract_rss_kb = max(
            self.summary.peak_tesseract_rss_kb, outcome.child_rss_kb
        )
        if outcome.error is not None:
            if doc.error is None:
                doc.error, doc.error_page = outcome.error, page if doc.kind != "text" else None
        else:
            for result in outcome.results:
                doc.results[result.page] = result
                if result.warnings and self.options.strict and doc.error is None:
                    doc.error, doc.error_page = f"{result.warnings[0]} (--strict)", result.page
        if self.bar is not None:
            self.bar.update(1)

    def finish(self, doc: Document, db: manifest.Manifest) -> None:
        """Write a finished document's outputs atomically, then commit its manifest row."""
        if doc.finished:
            return
        if doc.error is not None:
            self.finish_failed(doc, db)
            return
        results = [doc.results[number] for number in sorted(doc.results)]
        outputs = self.outputs(doc)
        try:
            if "pdf" in self.formats(doc):  # the slow one first, outside the deferred Ctrl-C
                pdf_path = outputs[self.formats(doc).index("pdf")]
                pdf_path.parent.mkdir(parents=True, exist_ok=True)
                pdf.make_pdf(doc.path, pdf_path, self.settings, jobs=1, results=results)
        except VnocrError as exc:
            doc.error = _message(exc, str(doc.path))
            self.finish_failed(doc, db)
            return
        with _sigint_deferred():
            for fmt, path in zip(self.formats(doc), outputs, strict=True):
                path.parent.mkdir(parents=True, exist_ok=True)
                if fmt != "pdf":
                    atomic_write(path, document_output(fmt, doc.rel, results))
            confidences = [r.confidence for r in results if r.confidence is not None]
            changes = sum(len(r.changes) for r in results)
            page_seconds = sum(r.seconds for r in results)
            db.put(
                self.record(
                    doc,
                    pages=len(results),
                    status="done",
                    seconds=round(time.perf_counter() - doc.started, 3),
                    page_seconds=round(page_seconds, 3),
                    correct_seconds=round(doc.correct_seconds, 3),
                    confidence=(
                        round(sum(confidences) / len(confidences), 2) if confidences else None
                    ),
                    changes=changes,
                    outputs=[printable(path.relative_to(self.out_dir)) for path in outputs],
                )
            )
        doc.finished = True
        encoding = results[0].encoding if results else None
        if encoding and self.settings.encoding is None:
            self.log(f"{doc.rel}: decoded as {legacy_encodings.label(encoding)}")
        self.summary.done += 1
        self.summary.pages += len(results)
        self.summary.changes += changes
        self.summary.page_seconds += page_seconds
        self.summary.confidence_sum += sum(confidences)
        self.summary.confidence_pages += len(confidences)
        self.finished_docs += 1
        conf = f", confidence {sum(confidences) / len(confidences):.1f}" if confidences else ""
        warned = [(r.page, warning) for r in results for warning in r.warnings]
        if warned:
            self.summary.warned += 1
            for page, warning in warned:
                self.log(f"warning: {doc.rel}, page {page}: {warning}")
        if self.bar is None or self.bar.disable:
            state = "done with warnings" if warned else "done"
            self.log(
                f"[{self.finished_docs}/{self.todo}] {state} {doc.rel}: {len(results)} "
                f"page(s), {time.perf_counter() - doc.started:.1f} s{conf}, "
                f"{changes} correction(s)"
            )
        texts = [p for p in outputs if p.suffix in (".jsonl", ".txt")]
        if self.index_conn is not None and texts:
            index_out = next((p for p in texts if p.suffix == ".jsonl"), texts[0])
            try:
                search.index_file(self.index_conn, self.out_dir, index_out)
            except (VnocrError, OSError) as exc:
                self.log(f"index: {doc.rel}: {exc}")

    def finish_failed(self, doc: Document, db: manifest.Manifest) -> None:
        """Record a failed document: manifest row, error list, no (stale) outputs left."""
        if doc.finished:
            return
        message = doc.error or "failed"
        with _sigint_deferred():
            for path in self.outputs(doc):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            db.put(self.record(doc, pages=doc.tasks or None, status="failed", error=message))
        doc.finished = True
        self.summary.failed += 1
        self.summary.errors.append({"source": doc.rel, "page": doc.error_page, "error": message})
        self.finished_docs += 1
        self.log(f"[{self.finished_docs}/{self.todo or '?'}] FAILED {doc.rel}: {message}")

    def write_errors(self) -> None:
        """Rewrite OUT_DIR/errors.jsonl with this run's failures."""
        text = "".join(
            json.dumps(error, ensure_ascii=False) + "\n" for error in self.summary.errors
        )
        with contextlib.suppress(OSError), _sigint_deferred():
            atomic_write(self.out_dir / ERRORS_NAME, text)


def document_output(fmt: str, source: str, results: list[PageResult]) -> str | bytes:
    """One document's output in `fmt` (txt, jsonl, hocr or alto); `source` names it."""
    if fmt == "txt":
        return format_txt(results)
    if fmt == "jsonl":
        lines = []
        for result in results:
            record = page_record(result)
            record["source"] = source
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
        return "".join(lines)
    pages = [(r.page, r.words, r.image_size or (0, 0)) for r in results]
    if fmt == "alto":
        return alto.document(Path(source).name, pages)
    return hocr.document(pages)


def run_batch(options: BatchOptions) -> BatchSummary:
    """Convert a folder tree; see BatchRun. DependencyError if Tesseract is needed and missing.

    With `options.scheduler` the pages run on a Dask cluster (vnocr.archive.cluster).
    """
    if options.scheduler is not None:
        from vnocr.archive import cluster

        return cluster.ClusterBatchRun(options).run()
    return BatchRun(options).run()
