"""Batch conversion: mirroring, resume after a crash, bad files, Ctrl-C, re-runs, search index.

Most tests use .txt inputs (the text-correction path, no Tesseract). Tests that OCR images are
marked e2e. Correction is switched off (--no-correct) so these tests do not need the models; a
driver script slows the per-page work down so a run can be killed in the middle.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vnocr.archive import batch, manifest, search
from vnocr.settings import Settings

DRIVER = """
import sys, time
from pathlib import Path
import vnocr.archive.batch as batch
delay, counter = float(sys.argv[1]), sys.argv[2]
original = batch.text_task
def counted(path, settings):
    with open(counter, "a", encoding="utf-8") as handle:
        handle.write(path + "\\n")
    time.sleep(delay)
    return original(path, settings)
batch.text_task = counted
from vnocr.cli import main
sys.argv = ["vnocr", *sys.argv[3:]]
main()
"""

NAMES = ["Báo cáo tháng 6/bản 1.txt", "a b/c.txt", "z.txt", "Quyết định/số 2.txt"]


def make_tree(root: Path, names: list[str] = NAMES) -> dict[str, str]:
    texts = {}
    for number, name in enumerate(names):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = f"Trang một của tài liệu {number}\n\fTrang hai, số {number}\n"
        path.write_text(text, encoding="utf-8")
        texts[name] = text
    return texts


def run_cli(tmp_path: Path, args: list[str], delay: float = 0.0) -> subprocess.CompletedProcess:
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(driver), str(delay), str(tmp_path / "calls.log"), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "calls.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def default_sigint() -> None:
    """Ctrl-C as a terminal delivers it: a suite run as a background job (`make test &`)
    starts with SIGINT ignored, which its child processes would inherit."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_cli(tmp_path: Path, args: list[str], delay: float) -> subprocess.Popen:
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(driver), str(delay), str(tmp_path / "calls.log"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )


def done_rows(out: Path) -> dict[str, manifest.DocumentRecord]:
    path = out / manifest.MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        with manifest.Manifest(path) as db:
            return {k: v for k, v in db.all().items() if v.status == "done"}
    except sqlite3.OperationalError:
        return {}


def wait_for_done(out: Path, count: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(done_rows(out)) < count:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


def assert_outputs_complete(out: Path, texts: dict[str, str]) -> None:
    """Every output present is complete and recorded as done; no visible temp files."""
    rows = done_rows(out)
    for name, text in texts.items():
        stem = Path(name).with_suffix("").as_posix()
        txt, jsonl = out / f"{stem}.txt", out / f"{stem}.jsonl"
        if name in rows:
            assert txt.read_text(encoding="utf-8") == text
            records = [json.loads(line) for line in jsonl.read_text("utf-8").splitlines()]
            assert [r["page"] for r in records] == [1, 2] and records[0]["source"] == name
        else:
            assert not txt.exists() and not jsonl.exists()


def test_mirror_tree_outputs_and_manifest(tmp_path: Path) -> None:
    src = tmp_path / "in"
    texts = make_tree(src)
    (src / "notes.md").write_text("ignored", encoding="utf-8")
    result = run_cli(
        tmp_path, ["batch", str(src), "-o", str(tmp_path / "out"), "--no-correct", "--jobs", "2"]
    )
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    assert_outputs_complete(out, texts)
    assert set(done_rows(out)) == set(texts)
    assert (out / "errors.jsonl").read_text() == ""
    assert "done 4, skipped 0, failed 0" in result.stderr
    assert not (out / "notes.txt").exists()
    row = done_rows(out)["Báo cáo tháng 6/bản 1.txt"]
    assert row.pages == 2 and row.sha256 == manifest.file_sha256(src / "Báo cáo tháng 6/bản 1.txt")


def test_out_dir_inside_in_dir_is_skipped(tmp_path: Path) -> None:
    src = tmp_path / "in"
    texts = make_tree(src, ["a.txt"])
    out = src / "converted"
    for _ in range(2):
        summary = batch.run_batch(
            batch.BatchOptions(src, out, Settings(correct=False), jobs=1, log=lambda line: None)
        )
    assert summary.documents == 1 and summary.skipped == 1
    assert_outputs_complete(out, texts)
    assert not (out / "converted").exists()


def test_same_stem_inputs_do_not_collide(tmp_path: Path) -> None:
    src = tmp_path / "in"
    files = [src / "r.txt", src / "r.text", src / "s.txt"]
    assert batch.output_names(files, src) == {files[0]: "r.txt", files[1]: "r.text", files[2]: "s"}


def test_unchanged_rerun_does_no_work_changed_and_settings_redo(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    make_tree(src)
    args = ["batch", str(src), "-o", str(out), "--no-correct", "--jobs", "2"]
    assert run_cli(tmp_path, args).returncode == 0
    assert len(calls(tmp_path)) == 4
    before = {name: row.finished for name, row in done_rows(out).items()}
    result = run_cli(tmp_path, args)
    assert result.returncode == 0 and "skipped 4" in result.stderr
    assert len(calls(tmp_path)) == 4  # no task at all on the unchanged re-run
    assert {name: row.finished for name, row in done_rows(out).items()} == before
    # touched but identical: hashed, still skipped; edited: redone
    os.utime(src / "z.txt", ns=(1, 10**9))
    edited = src / "a b/c.txt"
    edited.write_text("Nội dung mới\n", encoding="utf-8")
    assert run_cli(tmp_path, args).returncode == 0
    assert calls(tmp_path)[4:] == [str(edited.resolve())]
    assert (out / "a b/c.txt").read_text(encoding="utf-8") == "Nội dung mới\n"
    # other settings (output formats): everything is redone
    assert run_cli(tmp_path, args[:-2] + ["--format", "txt"]).returncode == 0
    assert len(calls(tmp_path)) == 9


def test_resume_after_kill_9(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src)
    args = ["batch", str(src), "-o", str(out), "--no-correct", "--jobs", "1"]
    proc = start_cli(tmp_path, args, delay=0.6)
    wait_for_done(out, 1, proc)
    proc.kill()
    proc.wait()
    assert_outputs_complete(out, texts)
    first = done_rows(out)
    assert 1 <= len(first) < 4
    stray = out / ".z.txt.abcd1234.tmp"  # what a kill during atomic_write leaves behind
    stray.write_text("partial", encoding="utf-8")
    before = len(calls(tmp_path))
    result = run_cli(tmp_path, args)
    assert result.returncode == 0, result.stderr
    assert_outputs_complete(out, texts)
    rows = done_rows(out)
    assert set(rows) == set(texts)
    for name, row in first.items():  # finished documents were not redone
        assert rows[name].run_id == row.run_id and rows[name].finished == row.finished
    assert len(calls(tmp_path)) - before == 4 - len(first)
    assert not stray.exists()


def test_sigint_exits_130_without_partial_outputs(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src)
    args = ["batch", str(src), "-o", str(out), "--no-correct", "--jobs", "2"]
    proc = start_cli(tmp_path, args, delay=1.0)
    wait_for_done(out, 1, proc)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert_outputs_complete(out, texts)
    assert not list(out.rglob(".*.tmp"))
    result = run_cli(tmp_path, args)
    assert result.returncode == 0 and len(done_rows(out)) == 4


def test_bad_files_recorded_and_batch_goes_on(tmp_path: Path) -> None:
    pikepdf = pytest.importorskip("pikepdf")
    src, out = tmp_path / "in", tmp_path / "out"
    texts = make_tree(src, ["good.txt", "sub/good 2.txt"])
    (src / "sub" / "corrupt.pdf").write_bytes(b"%PDF-1.4\n garbage, no trailer")
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(src / "locked.pdf", encryption=pikepdf.Encryption(owner="o", user="secret"))
    (src / "bad.txt").write_bytes(b"Vi\xff\xfet")
    result = run_cli(tmp_path, ["batch", str(src), "-o", str(out), "--no-correct"])
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    by_source = {error["source"]: error["error"] for error in errors}
    assert set(by_source) == {"sub/corrupt.pdf", "locked.pdf", "bad.txt"}
    assert "encrypted" in by_source["locked.pdf"]
    assert "corrupt" in by_source["sub/corrupt.pdf"]
    assert "UTF-8" in by_source["bad.txt"]
    assert_outputs_complete(out, texts)
    assert set(done_rows(out)) == set(texts)
    # failures are retried on the next run, errors.jsonl rewritten
    (src / "bad.txt").write_text("sửa rồi\n", encoding="utf-8")
    result = run_cli(tmp_path, ["batch", str(src), "-o", str(out), "--no-correct"])
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert {error["source"] for error in errors} == {"sub/corrupt.pdf", "locked.pdf"}
    assert (out / "bad.txt").read_text(encoding="utf-8") == "sửa rồi\n"


def test_out_dir_must_not_be_in_dir(tmp_path: Path) -> None:
    make_tree(tmp_path / "in", ["a.txt"])
    result = run_cli(tmp_path, ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "in")])
    assert result.returncode == 2 and "must not be the input folder" in result.stderr


def test_batch_index_and_search_cli(tmp_path: Path) -> None:
    src, out, db = tmp_path / "in", tmp_path / "out", tmp_path / "archive.sqlite"
    (src / "Báo cáo tháng 6").mkdir(parents=True)
    (src / "Báo cáo tháng 6" / "bản 1.txt").write_text("NGHỊ QUYẾT số 25 của Đảng\n", "utf-8")
    result = run_cli(
        tmp_path, ["batch", str(src), "-o", str(out), "--no-correct", "--index", str(db)]
    )
    assert result.returncode == 0, result.stderr
    found = run_cli(tmp_path, ["search", "nghi quyet 25 dang", "--db", str(db), "--json"])
    assert found.returncode == 0, found.stderr
    (hit,) = [json.loads(line) for line in found.stdout.splitlines()]
    assert (hit["document"], hit["page"]) == ("Báo cáo tháng 6/bản 1.txt", 1)
    assert "[NGHỊ] [QUYẾT] số [25] của [Đảng]" in hit["snippet"]
    exact = run_cli(tmp_path, ["search", "nghi", "--db", str(db), "--exact"])
    assert exact.returncode == 0 and exact.stdout == ""
    bad = run_cli(tmp_path, ["search", "(nghi", "--db", str(db)])
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    missing = run_cli(tmp_path, ["search", "x", "--db", str(tmp_path / "none.sqlite")])
    assert missing.returncode == 1 and "no such index database" in missing.stderr
    index = run_cli(tmp_path, ["index", str(out), "--db", str(db)])
    assert index.returncode == 0 and "1 unchanged" in index.stderr


def _render(path: Path, lines: list[str], frames: int = 1) -> None:
    from PIL import Image, ImageDraw, ImageFont

    font_path = next((p for p in Path("/usr/share/fonts").rglob("DejaVuSans.ttf")), None)
    font = ImageFont.truetype(str(font_path), 36) if font_path else ImageFont.load_default()
    pages = []
    for frame in range(frames):
        image = Image.new("L", (1200, 400), 255)
        draw = ImageDraw.Draw(image)
        for number, line in enumerate(lines):
            draw.text((60, 60 + number * 70), f"{line} {frame + 1}", fill=0, font=font)
        pages.append(image)
    pages[0].save(path, save_all=frames > 1, append_images=pages[1:], dpi=(300, 300))


@pytest.mark.e2e
def test_e2e_images_and_multipage_tiff(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    (src / "Báo cáo tháng 6").mkdir(parents=True)
    _render(src / "Báo cáo tháng 6" / "bản 1.png", ["Nghị quyết về kinh tế"])
    _render(src / "hồ sơ.tif", ["Tài liệu lưu trữ"], frames=2)
    args = ["batch", str(src), "-o", str(out), "--no-correct", "--jobs", "2", "--psm", "6"]
    result = run_cli(tmp_path, args)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in (out / "hồ sơ.jsonl").read_text().splitlines()]
    assert [r["page"] for r in records] == [1, 2]
    assert "lưu trữ" in records[1]["text"].lower() and records[1]["confidence"] > 50
    assert "quyết" in (out / "Báo cáo tháng 6" / "bản 1.txt").read_text(encoding="utf-8")
    rows = done_rows(out)
    assert set(rows) == {"Báo cáo tháng 6/bản 1.png", "hồ sơ.tif"}
    again = run_cli(tmp_path, args)
    assert again.returncode == 0 and "skipped 2" in again.stderr
    assert {k: v.finished for k, v in done_rows(out).items()} == {
        k: v.finished for k, v in rows.items()
    }
    db = tmp_path / "a.sqlite"
    search.index_tree(out, db)
    assert [h.source for h in search.search(db, "tai lieu")][:1] == ["hồ sơ.tif"]
