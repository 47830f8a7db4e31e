"""`vnocr batch --scheduler` on a real Dask cluster.

A module fixture starts a `dask scheduler` and two single-threaded `dask worker` processes on
127.0.0.1 (scheduler file, ports chosen by the system, no dashboards); everything started here
is stopped at the end, by process id, even when a test fails. Pages are small rendered images
OCR'd by the real Tesseract.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import distributed
import pytest

from vnocr.archive import manifest

pytestmark = pytest.mark.timeout(300)

BIN = Path(sys.executable).parent
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}
RUN_TIMEOUT = 180  # seconds for one batch command


class DaskProcesses:
    """The scheduler and workers a test started; `stop` ends them all by pid."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.scheduler_file = folder / "scheduler.json"
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        with open(log, "wb") as handle:
            process = subprocess.Popen(
                [str(BIN / "dask"), *args],
                stdout=handle,
                stderr=subprocess.STDOUT,
                env=ENV,
                start_new_session=True,  # a Ctrl-C of the test run is the fixture's to handle
            )
        self.processes.append(process)
        self.logs.append(log)
        return process

    def start_scheduler(self) -> subprocess.Popen:
        """`dask scheduler` on 127.0.0.1, a free port, address in the scheduler file."""
        process = self._start(
            "scheduler",
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(self.scheduler_file),
            ],
        )
        deadline = time.monotonic() + 60
        while not self._address():
            assert process.poll() is None, self.tail()
            assert time.monotonic() < deadline, "the scheduler did not start in 60 s"
            time.sleep(0.1)
        return process

    def _address(self) -> str | None:
        with contextlib.suppress(OSError, ValueError):
            return json.loads(self.scheduler_file.read_text())["address"]
        return None

    def start_worker(self, name: str) -> subprocess.Popen:
        """One worker process with one thread (no nanny: killing it kills the worker)."""
        return self._start(
            name,
            [
                "worker",
                "--scheduler-file",
                str(self.scheduler_file),
                "--host",
                "127.0.0.1",
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--name",
                name,
                "--death-timeout",
                "30",
            ],
        )

    def stop(self) -> None:
        """Terminate every process started here (then kill what has not exited in 10 s)."""
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

    def tail(self) -> str:
        """The end of every log, for assertion messages."""
        return "\n".join(f"== {log.name}\n{log.read_text()[-2000:]}" for log in self.logs)


def workers_by_name(client: distributed.Client) -> dict[str, str]:
    """Worker name -> address, as the scheduler sees them now."""
    info = client.scheduler_info()["workers"]
    return {str(worker["name"]): address for address, worker in info.items()}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DaskProcesses, Any]]:
    """A scheduler and two workers, and a client of it for inspecting the workers."""
    procs = DaskProcesses(tmp_path_factory.mktemp("dask"))
    client = None
    try:
        procs.start_scheduler()
        procs.start_worker("w1")
        procs.start_worker("w2")
        client = distributed.Client(scheduler_file=str(procs.scheduler_file), timeout=30)
        client.wait_for_workers(2, timeout=60)
        yield procs, client
    finally:
        if client is not None:
            client.close(timeout=10)
        procs.stop()


def render(path: Path, line: str, frames: int = 1) -> None:
    """An image (or multi-page TIFF) with one printed line, the page number after it."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = next(iter(Path("/usr/share/fonts").rglob("DejaVuSans.ttf")), None)
    font = ImageFont.truetype(str(font_path), 36) if font_path else ImageFont.load_default()
    pages = []
    for frame in range(frames):
        image = Image.new("L", (1000, 160), 255)
        ImageDraw.Draw(image).text((50, 50), f"{line} {frame + 1}", fill=0, font=font)
        pages.append(image)
    path.parent.mkdir(parents=True, exist_ok=True)
    pages[0].save(path, save_all=frames > 1, append_images=pages[1:], dpi=(300, 300))


def make_archive(src: Path) -> None:
    """A small archive: an image, a 3-page TIFF, an OCR text file and a corrupt PDF."""
    render(src / "Báo cáo tháng 6" / "bản 1.png", "Nghị quyết về kinh tế")
    render(src / "hồ sơ.tif", "Tài liệu lưu trữ", frames=3)
    (src / "ghi chú.txt").write_text("Cong hoa xa hoi chu nghia\n\fTrang hai\n", "utf-8")
    (src / "hỏng" / "quyết định.pdf").parent.mkdir(parents=True)
    (src / "hỏng" / "quyết định.pdf").write_bytes(b"%PDF-1.4\n garbage, no trailer")


def vnocr(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "vnocr"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        env=env or ENV,
    )


def outputs(out: Path) -> dict[str, bytes]:
    """Every output file (txt, jsonl) under `out`, by relative path."""
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.suffix in (".txt", ".jsonl") and path.name != "errors.jsonl"
    }


def rows(out: Path) -> dict[str, manifest.DocumentRecord]:
    with manifest.Manifest(out / manifest.MANIFEST_NAME) as db:
        return db.all()


def errors(out: Path) -> dict[str, str]:
    lines = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    return {record["source"]: record["error"] for record in map(json.loads, lines)}


@pytest.fixture(scope="module")
def converted(
    cluster: tuple[DaskProcesses, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The same archive converted by the local pool (--jobs 2) and by the cluster."""
    procs, client = cluster
    folder = tmp_path_factory.mktemp("archive")
    src = folder / "in"
    make_archive(src)
    client.get_task_stream()  # from now on the scheduler records which worker ran what
    pool = vnocr("batch", src, "-o", folder / "pool", "--jobs", "2", "--psm", "6")
    dask = vnocr(
        "batch", src, "-o", folder / "dask", "--scheduler", procs.scheduler_file, "--psm", "6"
    )
    stream = client.get_task_stream()
    return {"folder": folder, "src": src, "pool": pool, "dask": dask, "stream": stream}


@pytest.mark.e2e
def test_cluster_outputs_equal_the_process_pool_byte_for_byte(converted: dict[str, Any]) -> None:
    folder = converted["folder"]
    assert converted["pool"].returncode == 1, converted["pool"].stderr  # the corrupt PDF
    assert converted["dask"].returncode == 1, converted["dask"].stderr
    expected = outputs(folder / "pool")
    assert sorted(expected) == [
        "Báo cáo tháng 6/bản 1.jsonl",
        "Báo cáo tháng 6/bản 1.txt",
        "ghi chú.jsonl",
        "ghi chú.txt",
        "hồ sơ.jsonl",
        "hồ sơ.txt",
    ]
    assert outputs(folder / "dask") == expected
    pages = [json.loads(line) for line in expected["hồ sơ.jsonl"].decode().splitlines()]
    assert [page["page"] for page in pages] == [1, 2, 3]
    assert all(f"lưu trữ {n}" in page["text"] for n, page in enumerate(pages, start=1))
    assert "Cộng hòa xã hội chủ nghĩa" in expected["ghi chú.txt"].decode()  # corrected
    summary = converted["dask"].stderr
    assert "Dask scheduler tcp://127.0.0.1:" in summary and "2 worker(s)" in summary
    assert "documents 4 (done 3, skipped 0, failed 1)" in summary


@pytest.mark.e2e
def test_pages_ran_on_both_workers(converted: dict[str, Any]) -> None:
    page_tasks = [task for task in converted["stream"] if task["key"].startswith("page_task")]
    assert len(page_tasks) == 4  # 1 + 3 image pages; the text file is one text_task
    assert len({task["worker"] for task in page_tasks}) == 2


@pytest.mark.e2e
def test_corrupt_file_fails_alone_on_the_cluster(converted: dict[str, Any]) -> None:
    out = converted["folder"] / "dask"
    assert "Traceback" not in converted["dask"].stderr
    assert set(errors(out)) == {"hỏng/quyết định.pdf"}
    assert "corrupt" in errors(out)["hỏng/quyết định.pdf"]
    status = {name: row.status for name, row in rows(out).items()}
    assert status == {
        "Báo cáo tháng 6/bản 1.png": "done",
        "hồ sơ.tif": "done",
        "ghi chú.txt": "done",
        "hỏng/quyết định.pdf": "failed",
    }


@pytest.mark.e2e
def test_rerun_against_the_cluster_skips_everything_finished(
    cluster: tuple[DaskProcesses, Any], converted: dict[str, Any]
) -> None:
    procs, _client = cluster
    out = converted["folder"] / "dask"
    before = {name: (row.run_id, row.finished) for name, row in rows(out).items()}
    written = {path: (out / path).stat().st_mtime_ns for path in outputs(out)}
    again = vnocr(
        "batch", converted["src"], "-o", out, "--scheduler", procs.scheduler_file, "--psm", "6"
    )
    assert again.returncode == 1, again.stderr  # the corrupt PDF is tried again, and fails
    assert "documents 4 (done 0, skipped 3, failed 1)" in again.stderr
    after = {name: (row.run_id, row.finished) for name, row in rows(out).items()}
    for name in ("Báo cáo tháng 6/bản 1.png", "hồ sơ.tif", "ghi chú.txt"):
        assert after[name] == before[name]
    assert {path: (out / path).stat().st_mtime_ns for path in outputs(out)} == written


@pytest.mark.e2e
def test_each_worker_keeps_one_corrector(
    cluster: tuple[DaskProcesses, Any], converted: dict[str, Any], tmp_path: Path
) -> None:
    procs, client = cluster

    def mark() -> str | None:
        """Tag the worker's Corrector on first sight; later, return the tag it carries."""
        import uuid

        from vnocr.archive import batch

        corrector = batch._WORKER.get("corrector")
        if corrector is None:
            return None
        if not hasattr(corrector, "test_tag"):
            corrector.test_tag = uuid.uuid4().hex
        return corrector.test_tag

    tags = client.run(mark)
    assert any(tags.values()), "no worker built a Corrector"
    src = tmp_path / "in"
    for number in range(4):
        (src / f"{number}.txt").parent.mkdir(exist_ok=True)
        (src / f"{number}.txt").write_text(f"Trang {number}: Cong hoa\n", "utf-8")
    result = vnocr("batch", src, "-o", tmp_path / "out", "--scheduler", procs.scheduler_file)
    assert result.returncode == 0, result.stderr
    assert all("Cộng hòa" in (tmp_path / "out" / f"{n}.txt").read_text("utf-8") for n in range(4))
    after = client.run(mark)
    for worker, tag in tags.items():
        if tag is not None:  # the same object served this run's pages: not rebuilt per task
            assert after[worker] == tag


@pytest.mark.e2e
def test_killing_a_worker_mid_page_still_completes_the_batch(
    cluster: tuple[DaskProcesses, Any], tmp_path: Path
) -> None:
    procs, client = cluster
    victim = procs.start_worker("victim")
    client.wait_for_workers(3, timeout=60)
    address = workers_by_name(client)["victim"]
    src, out = tmp_path / "in", tmp_path / "out"
    render(src / "sổ.tif", "Tài liệu lưu trữ", frames=8)
    args = ["batch", src, "-o", out, "--scheduler", procs.scheduler_file, "--no-correct"]
    batch = subprocess.Popen(
        [str(BIN / "vnocr"), *map(str, [*args, "--psm", "6"])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        deadline = time.monotonic() + 120
        while not any(
            str(key).startswith("page_task")
            for key in client.processing(workers=[address]).get(address, ())
        ):
            assert batch.poll() is None, batch.communicate()
            assert time.monotonic() < deadline, "the victim never got a page"
            time.sleep(0.02)
        victim.kill()  # SIGKILL while it holds a page of the document
        victim.wait(10)
        _, stderr = batch.communicate(timeout=RUN_TIMEOUT)
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.wait()
    assert batch.returncode == 0, stderr
    assert "documents 1 (done 1, skipped 0, failed 0)" in stderr
    pages = [json.loads(line) for line in (out / "sổ.jsonl").read_text("utf-8").splitlines()]
    assert [page["page"] for page in pages] == list(range(1, 9))
    assert all(f"lưu trữ {n}" in page["text"] for n, page in enumerate(pages, start=1))
    assert "victim" not in workers_by_name(client)


@pytest.mark.e2e
def test_losing_the_scheduler_is_one_error_line_and_the_rerun_resumes(tmp_path: Path) -> None:
    procs = DaskProcesses(tmp_path)
    src, out = tmp_path / "in", tmp_path / "out"
    for number in range(6):
        render(src / f"{number}.png", f"Trang {number}")
    try:
        scheduler = procs.start_scheduler()
        procs.start_worker("only")
        args = ["batch", src, "-o", out, "--no-correct", "--psm", "6"]
        batch = subprocess.Popen(
            [str(BIN / "vnocr"), *map(str, [*args, "--scheduler", procs.scheduler_file])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        deadline = time.monotonic() + 120
        while not (out / manifest.MANIFEST_NAME).exists() or not any(
            row.status == "done" for row in rows(out).values()
        ):
            assert batch.poll() is None, batch.communicate()
            assert time.monotonic() < deadline, "no document finished in 120 s"
            time.sleep(0.05)
        scheduler.send_signal(signal.SIGKILL)
        _, stderr = batch.communicate(timeout=60)
    finally:
        procs.stop()
    assert batch.returncode == 1, stderr
    lines = stderr.strip().splitlines()
    assert lines[-1].startswith("vnocr: error: lost the connection to the Dask scheduler"), stderr
    assert "Traceback" not in stderr
    first = {name: row.finished for name, row in rows(out).items() if row.status == "done"}
    assert 1 <= len(first) < 6
    resumed = vnocr(*args, "--jobs", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert f"skipped {len(first)}" in resumed.stderr
    final = rows(out)
    assert all(row.status == "done" for row in final.values()) and len(final) == 6
    assert all(final[name].finished == finished for name, finished in first.items())


@pytest.mark.e2e
def test_unreachable_scheduler_is_one_error_line(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port on loopback that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Trang một\n", "utf-8")
    env = {**ENV, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"}
    started = time.monotonic()
    result = vnocr(
        "batch",
        tmp_path / "in",
        "-o",
        tmp_path / "out",
        "--scheduler",
        f"tcp://127.0.0.1:{port}",
        env=env,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(
        f"vnocr: error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"
    )
    assert time.monotonic() - started < 60


@pytest.mark.e2e
def test_local_cluster_with_worker_root(tmp_path: Path) -> None:
    src = tmp_path / "scans"
    render(src / "a.png", "Nghị quyết về kinh tế")
    (src / "b.txt").write_text("Cong hoa\n", "utf-8")
    mount = tmp_path / "mnt"  # the same storage under another path, as workers would mount it
    mount.symlink_to(src)
    common = ["--jobs", "1", "--psm", "6", "--no-correct"]
    result = vnocr(
        "batch",
        src,
        "-o",
        tmp_path / "out",
        "--scheduler",
        "local",
        "--worker-root",
        mount,
        *common,
    )
    assert result.returncode == 0, result.stderr
    assert "quyết" in (tmp_path / "out" / "a.txt").read_text("utf-8")
    record = json.loads((tmp_path / "out" / "a.jsonl").read_text("utf-8"))
    assert record["source"] == "a.png"
    wrong = vnocr(
        "batch",
        src,
        "-o",
        tmp_path / "out2",
        "--scheduler",
        "local",
        "--worker-root",
        tmp_path / "nowhere",
        *common,
    )
    assert wrong.returncode == 1
    assert wrong.stderr.count("\n") == 1, wrong.stderr
    assert "cannot see the input folder" in wrong.stderr and "--worker-root" in wrong.stderr


@pytest.mark.e2e
def test_jobs_with_an_external_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = vnocr(
        "batch",
        tmp_path / "in",
        "-o",
        tmp_path / "out",
        "--scheduler",
        "tcp://127.0.0.1:1",
        "--jobs",
        "2",
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr


def test_a_page_whose_workers_kept_dying_fails_its_document_alone(tmp_path: Path) -> None:
    """The client side of KilledWorker, without a cluster: the executor is a thread pool that
    answers KilledWorker for one document's task, as the scheduler does after the last try."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from vnocr.archive import batch, cluster
    from vnocr.settings import Settings

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for name in ("a.txt", "doomed.txt", "z.txt"):
        (src / name).write_text(f"{name}: trang một\n", "utf-8")

    class DyingPool:
        def __init__(self) -> None:
            self.threads = ThreadPoolExecutor(2)

        def submit(self, function: Any, *args: Any) -> Future:
            if function is batch.text_task and args[0].endswith("doomed.txt"):
                future: Future = Future()
                future.set_exception(distributed.KilledWorker("text_task-1", None, 2))
                return future
            return self.threads.submit(function, *args)

        def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
            self.threads.shutdown(wait=wait, cancel_futures=cancel_futures)

    options = batch.BatchOptions(
        src, out, Settings(correct=False), log=lambda line: None, scheduler="tcp://127.0.0.1:1"
    )
    run = cluster.ClusterBatchRun(options)
    run.prepare = lambda docs: None  # type: ignore[method-assign]
    run.new_pool = DyingPool  # type: ignore[assignment]
    summary = run.run()
    assert (summary.done, summary.failed, summary.exit_code) == (2, 1, 1)
    assert summary.errors == [
        {
            "source": "doomed.txt",
            "page": None,
            "error": "page 1: the Dask workers running it died 3 times "
            "(out of memory, or a crash in a decoder)",
        }
    ]
    assert (out / "a.txt").read_text("utf-8") == "a.txt: trang một\n"
    assert not (out / "doomed.txt").exists()


def test_without_distributed_the_scheduler_option_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vnocr.archive import cluster
    from vnocr.errors import DependencyError

    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` fails
    with pytest.raises(DependencyError, match=r"pip install 'vnocr\[dask\]'"):
        cluster.connect("local", 1)
