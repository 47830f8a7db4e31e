"""`vnocr batch --scheduler`: the pages of a batch as tasks on a Dask (`distributed`) cluster.

The client is a BatchRun like the local one: it walks the tree, keeps the manifest, writes every
output atomically and keeps a bounded window of tasks in flight. Only the executor differs: the
same task functions (`batch.probe`, `batch.page_task`, `batch.text_task`) are submitted to a Dask
scheduler instead of a local process pool. Workers read the inputs from storage they share with
the client (`worker_root` when they mount it elsewhere), build one Corrector per process on their
first page and keep it, and send page results back; they never write.

A worker that dies mid-page is the scheduler's to reschedule (its `allowed-failures` setting);
a page whose workers died on every try comes back as KilledWorker and fails its document alone.
A lost scheduler ends the run with one error line (exit 1); the rerun resumes from the manifest.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import importlib.util
import logging
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from vnocr.archive.batch import BatchOptions, BatchRun, BatchSummary, Document
from vnocr.errors import DependencyError, UsageError, VnocrError
from vnocr.image import load, ocr

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

LOCAL = "local"
#: On a LocalCluster: how many worker deaths during one page the scheduler tolerates (it
#: reschedules the page each time) before the page fails. External schedulers use their own
#: `distributed.scheduler.allowed-failures` (Dask's default is 3).
LOCAL_ALLOWED_FAILURES = 2
#: Tasks in flight per worker thread: one running, one queued behind it.
TASKS_PER_THREAD = 2
#: How often the window is resized to the cluster's current number of worker threads.
RESIZE_SECONDS = 2.0
INSTALL_HINT = "pip install 'vnocr[dask]'"


class SchedulerLost(VnocrError):
    """The connection to the Dask scheduler was lost during the run (exit 1)."""

    def __init__(self, address: str):
        super().__init__(
            f"lost the connection to the Dask scheduler {address}; run the same command "
            "again to resume (finished documents are kept)"
        )


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise DependencyError(
            f"--scheduler needs the Dask 'distributed' package ({INSTALL_HINT})"
        ) from None
    return distributed


def _quiet_dask_logs() -> None:
    """The client's own Dask log lines (reconnect attempts, closing streams) stay off the
    terminal: the batch reports what matters in its own one-line messages."""
    for name in ("distributed", "distributed.client", "distributed.core", "distributed.comm"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def connect(scheduler: str, jobs: int) -> tuple[Client, LocalCluster | None]:
    """A client of the scheduler: `local` (a LocalCluster of `jobs` single-threaded worker
    processes on 127.0.0.1), a scheduler file (JSON written by `dask scheduler
    --scheduler-file`) or an address such as tcp://10.0.0.5:8786."""
    distributed = _import_distributed()
    _quiet_dask_logs()
    if scheduler == LOCAL:
        with warnings.catch_warnings():  # "port 8787 in use, using another": the log says which
            warnings.simplefilter("ignore")
            cluster = distributed.LocalCluster(
                n_workers=jobs,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:8787" if _has_dashboard() else None,
                scheduler_kwargs={"allowed_failures": LOCAL_ALLOWED_FAILURES},
                env={"OMP_THREAD_LIMIT": "1"},
                preload=["vnocr.archive.local_worker"],
                silence_logs=logging.CRITICAL,
            )
        try:
            return distributed.Client(cluster, set_as_default=False), cluster
        except BaseException:
            cluster.close()
            raise
    try:
        if Path(scheduler).is_file():
            return distributed.Client(scheduler_file=scheduler, set_as_default=False), None
        return distributed.Client(scheduler, set_as_default=False), None
    except (OSError, TimeoutError) as exc:
        raise VnocrError(
            f"cannot reach the Dask scheduler at {scheduler} ({_one_line(exc)}); "
            "check the address and that `dask scheduler` is running"
        ) from None
    except ValueError as exc:
        raise UsageError(
            f"bad --scheduler {scheduler!r} ({_one_line(exc)}); give an address such as "
            "tcp://10.0.0.5:8786, a scheduler file or 'local'"
        ) from None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def worker_check(folder: str, lang: str | None) -> str | None:
    """Run on each worker at the start: can it see the input folder, and run Tesseract with
    `lang` (None: only text files to correct)? Returns what is wrong, or None."""
    if not os.path.isdir(folder):
        return (
            f"cannot see the input folder {folder} (mount the shared storage there, or give "
            "its path on the workers with --worker-root)"
        )
    if lang is not None:
        try:
            ocr.check_tesseract(lang)
        except VnocrError as exc:
            return str(exc)
    return None


class DaskPool:
    """The part of a concurrent.futures executor that BatchRun uses, on a Dask client.

    Tasks get unique keys (`pure=False`: a rerun of a page is new work, never a cached result).
    """

    def __init__(self, client: Client, address: str):
        self.client = client
        self.address = address
        self.executor = client.get_executor(pure=False)
        self.futures: set[cf.Future] = set()
        self.cancelling = False

    def submit(self, function: Callable[..., Any], *args: Any) -> cf.Future:
        """Submit one task; its concurrent.futures Future resolves when the result is back."""
        try:
            future = self.executor.submit(function, *args)
        except Exception:
            if self.client.status != "running":
                raise SchedulerLost(self.address) from None
            raise
        self.futures.add(future)
        future.add_done_callback(self.futures.discard)
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Wait for the tasks in flight, or cancel them (if the scheduler is still there)."""
        if cancel_futures or not wait:
            self.cancelling = True
            if self.client.status == "running":
                for future in list(self.futures):
                    future.cancel()
            return
        cf.wait(list(self.futures))


class ClusterBatchRun(BatchRun):
    """A batch run whose tasks go to a Dask scheduler; the client keeps manifest and outputs."""

    def __init__(self, options: BatchOptions):
        super().__init__(options)
        assert options.scheduler is not None
        self.scheduler = options.scheduler
        self.address = options.scheduler  # the scheduler's address once connected
        self.worker_root = PurePosixPath(options.worker_root) if options.worker_root else None
        self.client: Client | None = None
        self.cluster: LocalCluster | None = None
        self.pool: DaskPool | None = None
        self.threads = 0
        self.resized = 0.0

    def run(self) -> BatchSummary:
        """The batch run; the client (and a local cluster) are closed at the end, whatever
        happened."""
        try:
            return super().run()
        finally:
            self.close()

    def close(self) -> None:
        """Disconnect from the scheduler; stop the local cluster if this run started it."""
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close(timeout=10)
            self.client = None
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close(timeout=20)
            self.cluster = None

    # -- hooks of BatchRun ---------------------------------------------------------------

    def prepare(self, docs: list[Document]) -> None:
        """Connect, then ask every worker present whether it can see the inputs and run
        Tesseract. The client needs neither Tesseract nor the correction models."""
        self.client, self.cluster = connect(self.scheduler, self.jobs)
        if self.client.scheduler is not None and self.client.scheduler.address:
            self.address = str(self.client.scheduler.address)
        needs_ocr = any(doc.path.suffix.lower() not in load.TEXT_EXTENSIONS for doc in docs)
        lang = self.settings.lang if needs_ocr else None
        folder = str(self.worker_root) if self.worker_root else str(self.in_dir)
        try:
            answers = self.client.run(worker_check, folder, lang)
            threads = sum(self.client.nthreads().values())
        except (OSError, TimeoutError):
            raise SchedulerLost(self.address) from None
        problems = {worker: problem for worker, problem in sorted(answers.items()) if problem}
        if problems:
            worker, problem = next(iter(problems.items()))
            more = f" (and {len(problems) - 1} other worker(s))" if len(problems) > 1 else ""
            raise DependencyError(f"Dask worker {worker}: {problem}{more}")
        line = f"Dask scheduler {self.address}: {len(answers)} worker(s), {threads} thread(s)"
        dashboard = self.client.dashboard_link if _has_dashboard() else None
        self.log(line + (f"; dashboard {dashboard}" if dashboard else ""))
        if not answers:
            self.log("no Dask worker yet: the pages wait on the scheduler until workers join")

    def new_pool(self) -> DaskPool:  # type: ignore[override]
        """The executor: this run's client (one per run, however often BatchRun asks)."""
        if self.pool is None:
            assert self.client is not None, "prepare() connects first"
            self.pool = DaskPool(self.client, self.address)
        return self.pool

    def window(self) -> int:
        """TASKS_PER_THREAD tasks per worker thread of the cluster now (workers may come and go)."""
        now = time.monotonic()
        client = self.client
        if (
            client is not None
            and client.status == "running"
            and now - self.resized >= RESIZE_SECONDS
        ):
            self.resized = now
            with contextlib.suppress(Exception):
                self.threads = sum(client.nthreads().values())
        return TASKS_PER_THREAD * max(1, self.threads)

    def worker_path(self, doc: Document) -> str:
        """The document under --worker-root, else its path on the client."""
        if self.worker_root is None:
            return str(doc.path)
        return str(self.worker_root / doc.path.relative_to(self.in_dir).as_posix())

    def lost_task(self, exc: Exception, page: int | None) -> str:
        """A page whose workers kept dying fails alone; a lost scheduler ends the run."""
        distributed = _import_distributed()
        where = f"page {page}: " if page is not None else ""
        if isinstance(exc, distributed.KilledWorker):
            return (
                f"{where}the Dask workers running it died {exc.allowed_failures + 1} times "
                "(out of memory, or a crash in a decoder)"
            )
        if isinstance(exc, cf.CancelledError):
            if self.pool is not None and self.pool.cancelling:
                return f"{where}cancelled"
            raise SchedulerLost(self.address)
        return f"{where}{_one_line(exc)}"


def _has_dashboard() -> bool:
    """Dask serves its dashboard only when bokeh is installed."""
    return importlib.util.find_spec("bokeh") is not None
