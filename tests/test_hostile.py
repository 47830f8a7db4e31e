"""Hostile and huge inputs: bounded memory and time, nothing clobbered, one-line errors.

Every case of issue 17 is a regression test here, run under a memory limit (RLIMIT_AS, in
the test process or in the child) and a time limit. OCR is stubbed (see
conftest.stub_tesseract) except in the few tests that run the real command line.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vnocr import api
from vnocr.archive import manifest, search
from vnocr.cli import cli
from vnocr.errors import InputError
from vnocr.image import load
from vnocr.outputs import printable
from vnocr.restore.correct import CorrectOptions, Corrector
from vnocr.results import Correction
from vnocr.settings import Settings
from vnocr.text import decoding, stream
from vnocr.text.tokens import MAX_TOKEN_LENGTH, Kind, tokenize

ROOT = Path(__file__).resolve().parents[1]
ONE_LINE_ERROR = re.compile(r"^vnocr: error: .+$")
MB = 1 << 20


@contextlib.contextmanager
def memory_limit(extra_mb: int) -> Iterator[None]:
    """Meanwhile, this process may map at most `extra_mb` MiB more than it has now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as handle:
        mapped = int(handle.read().split()[0]) * resource.getpagesize()
    limit = mapped + extra_mb * MB
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def limited_child(megabytes: int = 2000) -> None:
    """preexec_fn of a child process: at most `megabytes` of address space."""
    resource.setrlimit(resource.RLIMIT_AS, (megabytes * MB, megabytes * MB))


def vnocr(*args: str, stdin: bytes | None = None, timeout: float = 60, **kwargs):
    """Run the real command line in a child process (memory-limited, with a timeout)."""
    return subprocess.run(
        [sys.executable, "-m", "vnocr.cli", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        preexec_fn=limited_child,
        **kwargs,
    )


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def one_line_error(stderr: str | bytes) -> str:
    """The single `vnocr: error:` line of `stderr` (no traceback, nothing else)."""
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1 and ONE_LINE_ERROR.match(lines[0]), stderr
    return lines[0]


@pytest.fixture(scope="module")
def corrector() -> Corrector:
    return api.make_corrector(Settings())


def timed(call, *args):
    started = time.perf_counter()
    result = call(*args)
    return result, time.perf_counter() - started


# ------------------------------------------------------------------ corrector and tokenizer

LONG_LINES = {
    "600 letters": "a" * 600,
    "base64 line": base64.b64encode(random.Random(1).randbytes(1500)).decode(),
    "1 MB without spaces": "x" * MB,
    "100,000 dots": "." * 100_000,
    "runs of code letters": "A-" * 50_000,
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", list(LONG_LINES))
def test_long_runs_pass_through_in_bounded_time_and_memory(corrector, name):
    text = LONG_LINES[name]
    with memory_limit(1500):
        correction, seconds = timed(corrector.correct, f"Nghi quyet so 25\n{text}\nxong.")
    lines = correction.text.split("\n")
    assert len(lines) == 3
    assert lines[1] == text  # a run longer than any word is left as it is
    assert seconds < 20, f"{name}: {seconds:.1f} s"


@pytest.mark.timeout(120)
def test_the_pieces_of_a_spaced_base64_text_are_bounded(corrector):
    text = " ".join(LONG_LINES["base64 line"][i : i + 60] for i in range(0, 2000, 60))
    with memory_limit(1500):
        correction, seconds = timed(corrector.correct, text)
    assert correction.text.count("\n") == 0 and seconds < 30


RUNS = {
    "dots": ".",
    "dashes": "-",
    "underscores": "_",
    "brackets": "(",
    "code letters": "A-",
    "number codes": "1-A",
    "words and dots": "a.",
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(RUNS))
def test_tokenizer_is_linear_on_runs(name):
    """Four times the text takes about four times as long (not 16: no quadratic scan)."""
    piece = RUNS[name] * (MAX_TOKEN_LENGTH // len(RUNS[name]))

    def cost(pieces: int) -> float:
        line = " ".join([piece] * pieces)
        return min(timed(tokenize, line, noisy)[1] for _ in range(2) for noisy in (False, True))

    small, large = cost(10), cost(40)
    assert large < 8 * small + 0.05, (small, large)


def test_a_run_longer_than_any_token_is_one_long_token():
    line = "Mục lục " + "." * 5000 + " 5"
    tokens = tokenize(line)
    assert "".join(t.text for t in tokens) == line
    assert [t.kind for t in tokens if len(t.text) > MAX_TOKEN_LENGTH] == [Kind.LONG]


@pytest.mark.timeout(120)
def test_corrector_time_is_linear_in_distinct_garbage(corrector):
    """Random garbled words (each new, so no cache helps): four times as many take at most
    about four times as long, and each word's search is bounded."""
    rng = random.Random(7)
    alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxy6&(0@|1.-/"

    def text(words: int) -> str:
        return " ".join(
            "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(words)
        )

    with memory_limit(1500):
        _, small = timed(corrector.correct, text(10))
        _, large = timed(corrector.correct, text(40))
    assert large < 8 * small + 2, (small, large)


VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
hostile_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(VIETNAMESE + VIETNAMESE.upper() + " \n\t\f\r.,;:-/()[]'’“€&@|0123456789"),
        st.sampled_from("\u0300\u0301\u0303\u0309\u0323\u200b\ufeff\x00\x07\x1b\x7f\x85"),
        st.characters(codec="utf-8"),
    ),
    max_size=400,
)


@settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text, st.booleans())
def test_tokenizer_rebuilds_any_line(text, noisy):
    for line in text.split("\n"):
        assert "".join(token.text for token in tokenize(line, noisy)) == line


@settings(
    max_examples=25,
    deadline=10_000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=hostile_text)
def test_corrector_survives_any_text(corrector, text):
    correction = api.correct_text(text, corrector)
    cleaned = api.clean_unicode(text)
    assert correction.text.count("\n") == cleaned.count("\n")  # line count kept
    assert unicodedata.is_normalized("NFC", correction.text)


# ------------------------------------------------------------------ streaming `correct`


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab \r\n\u0301é", max_size=80),
    st.integers(1, 9),
    st.integers(2, 12),
)
def test_pieces_rebuild_the_text_in_bounded_pieces(text, block, max_line):
    blocks = [text[i : i + block] for i in range(0, len(text), block)]
    pieces = list(stream.pieces(blocks, max_line))
    want = text.replace("\r\n", "\n").replace("\r", "\n")
    assert "".join(p.text + ("\n" if p.ends_line else "") for p in pieces) == want
    assert all(len(p.text) <= max_line for p in pieces)
    lines = want.split("\n")
    assert all(lines[p.line - 1][p.column :].startswith(p.text) for p in pieces)
    chunks = list(stream.chunks(pieces, size=5, limit=20))
    assert [p for chunk in chunks for p in chunk] == pieces


class RepeatedText(io.RawIOBase):
    """A byte stream of `block` repeated `count` times, made as it is read (never whole)."""

    def __init__(self, block: bytes, count: int):
        self.block, self.left, self.offset = block, count, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = 0
        while size < len(buffer) and self.left:
            piece = self.block[self.offset : self.offset + len(buffer) - size]
            buffer[size : size + len(piece)] = piece
            size += len(piece)
            self.offset += len(piece)
            if self.offset == len(self.block):
                self.offset, self.left = 0, self.left - 1
        return size


@pytest.mark.timeout(120)
def test_correct_streams_a_huge_text_in_bounded_memory():
    """16 MB through the streaming path (decoding, pieces, chunks; the engine off) within
    30 MB more memory: the text alone, read whole, would need more than 40."""
    identity = Corrector(CorrectOptions(restore=False))
    paragraph = ("Nghị quyết số 25-NQ/TW của Ban Chấp hành. " * 20 + "\n") * 5 + "\n"
    count = 16 * MB // len(paragraph.encode())
    source = io.BufferedReader(RepeatedText(paragraph.encode(), count))
    lines = 0
    with memory_limit(30):
        for text, _ in api.correct_blocks(decoding.iter_text(source, "big.txt"), identity):
            lines += text.count("\n")
    assert lines == 6 * count


def test_streaming_keeps_a_small_text_as_one_document(corrector):
    text = "Nghi quyet so 25-NQ/TW cua Ban Chap hanh\n\nTinh uy lanh dao\n"
    whole = api.correct_text(text, corrector)
    streamed = list(api.correct_blocks([text[:7], text[7:]], corrector))
    assert len(streamed) == 1 and streamed[0][0] == whole.text
    assert streamed[0][1] == whole.changes


def test_streamed_changes_name_lines_of_the_whole_text(corrector, monkeypatch):
    monkeypatch.setattr(stream, "CHUNK_CHARS", 10)
    text = "xin chao\n\ncong hoa\n\nNghi quyet so 25\n"
    streamed = list(api.correct_blocks([text], corrector))
    assert len(streamed) > 1
    assert "".join(part for part, _ in streamed).count("\n") == text.count("\n")
    lines = text.split("\n")
    for _, changes in streamed:
        for change in changes:
            assert lines[change.line - 1][change.column - 1 :].startswith(change.old)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_streamed_decoding_names_the_bad_byte_like_a_whole_read(encoding):
    data = ("Cộng hòa xã hội\n" * 50).encode(encoding)
    for cut in range(0, len(data), 37):
        broken = data[:cut] + b"\xff\xd8" + data[cut:]
        try:
            want = decoding.decode_text(broken, "n")
        except InputError as exc:
            want = str(exc)
        try:
            got = "".join(decoding.iter_text(io.BytesIO(broken), "n", block_bytes=5))
        except InputError as exc:
            got = str(exc)
        assert got == want


@pytest.mark.timeout(60)
def test_correct_from_stdin_with_a_600_letter_line():
    result = vnocr("correct", "-", stdin=b"a" * 600 + b"\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"a" * 600 + b"\n"


@pytest.mark.timeout(60)
def test_correct_a_1_mb_line_quickly(tmp_path):
    path = tmp_path / "line.txt"
    path.write_bytes(b"z" * MB + b"\n")
    started = time.perf_counter()
    result = vnocr("correct", str(path), "-o", str(tmp_path / "out.txt"))
    assert result.returncode == 0, result.stderr
    assert time.perf_counter() - started < 30
    assert (tmp_path / "out.txt").read_bytes() == path.read_bytes()


# ------------------------------------------------------------------ never clobber


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "in.txt"
    path.write_text("Nghi quyet\n", encoding="utf-8")
    return path


def test_output_that_is_an_input_is_refused(stub_tesseract, make_image, text_file):
    scan = make_image("scan.png")
    before = scan.read_bytes()
    result = run("ocr", str(scan), "-o", str(scan))
    assert result.exit_code == 2 and "is also an input" in one_line_error(result.stderr)
    assert scan.read_bytes() == before
    result = run("correct", str(text_file), "-o", str(text_file))
    assert result.exit_code == 2 and "is also an input" in one_line_error(result.stderr)


def test_output_that_is_no_regular_file_is_refused(tmp_path, text_file):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        for target, what in [
            (tmp_path, "directory"),
            (Path("/dev/null"), "device"),
            (fifo, "FIFO"),
            (sock_path, "socket"),
        ]:
            result = run("correct", str(text_file), "-o", str(target))
            assert result.exit_code == 2, (target, result.stderr)
            assert what in one_line_error(result.stderr)
    assert Path("/dev/null").is_char_device() and fifo.is_fifo()


def test_read_only_output_needs_force(tmp_path, text_file):
    out = tmp_path / "out.txt"
    out.write_text("keep me\n", encoding="utf-8")
    out.chmod(0o444)
    result = run("correct", str(text_file), "-o", str(out))
    assert result.exit_code == 2 and "--force" in one_line_error(result.stderr)
    assert out.read_text(encoding="utf-8") == "keep me\n"
    result = run("correct", str(text_file), "-o", str(out), "--force")
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == "Nghị quyết\n"


def test_symlink_output_is_written_through(tmp_path, text_file):
    target = tmp_path / "real.txt"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    result = run("correct", str(text_file), "-o", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "Nghị quyết\n"


def test_lexicon_build_output_errors(tmp_path, text_file):
    folder = tmp_path / "models"
    folder.mkdir()
    result = run("lexicon", "build", str(text_file), "-o", str(folder))
    assert result.exit_code == 2 and "directory" in one_line_error(result.stderr)
    result = run("lexicon", "build", str(text_file), "-o", str(tmp_path / "missing" / "x.lm"))
    assert result.exit_code == 1 and "does not exist" in one_line_error(result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "models"]


# ------------------------------------------------------------------ one-line errors


def test_page_range_is_checked_before_it_is_expanded(stub_tesseract, make_pdf):
    pdf = make_pdf(pages=3)
    with memory_limit(500):
        result = run("ocr", str(pdf), "--pages", "1-1000000000", "--no-correct")
    assert result.exit_code == 1
    assert "page 4 does not exist" in one_line_error(result.stderr)
    assert list(load.parse_page_spec("2-3,1-2,9")) == [1, 2, 3, 9]


@pytest.mark.parametrize("psm", ["0", "2"])
def test_segmentation_modes_without_text_are_usage_errors(stub_tesseract, make_image, psm):
    result = run("ocr", str(make_image()), "--psm", psm)
    assert result.exit_code == 2 and "gives no text" in result.stderr
    assert "Traceback" not in result.stderr


def test_truncated_multi_page_tiff(stub_tesseract, tmp_path):
    from PIL import Image

    path = tmp_path / "scan.tif"
    pages = [Image.new("L", (400, 200), 255) for _ in range(3)]
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="tiff_lzw")
    data = path.read_bytes()
    outcomes = set()
    for keep in range(len(data) // 10, len(data), len(data) // 10):
        path.write_bytes(data[:keep])
        result = run("ocr", str(path), "--no-correct")
        outcomes.add(result.exit_code)
        if result.exit_code:
            assert "image" in one_line_error(result.stderr)
    assert 1 in outcomes


@pytest.mark.timeout(60)
def test_stdout_on_a_full_disk(text_file, make_image):
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "vnocr.cli", "ocr", "--no-correct", str(make_image())],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
            preexec_fn=limited_child,
        )
    assert result.returncode == 1
    assert "No space left on device" in one_line_error(result.stderr)


def test_batch_output_under_a_file(tmp_path, text_file):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = run("batch", str(tmp_path), "-o", str(blocker / "out"), "--no-correct", "-j", "1")
    assert result.exit_code == 1
    one_line_error(result.stderr)


def test_search_query_is_bounded(tmp_path):
    db = tmp_path / "index.db"
    search.connect(db, create=True).close()
    started = time.perf_counter()
    result = run("search", " ".join(["hòa"] * 20_000), "--db", str(db))
    assert result.exit_code == 2 and "too long" in one_line_error(result.stderr)
    result = run("search", " ".join(f"w{i}" for i in range(100)), "--db", str(db))
    assert result.exit_code == 2 and "too many" in one_line_error(result.stderr)
    widest = " ".join(f"t{i}*" for i in range(search.MAX_QUERY_TERMS))
    assert run("search", widest, "--db", str(db)).exit_code == 0
    assert time.perf_counter() - started < 10


# ------------------------------------------------------------------ any file name


def test_names_that_are_not_utf8(stub_tesseract, tmp_path, make_image):
    folder = tmp_path / "in"
    folder.mkdir()
    odd = os.fsdecode(b"b\xe1o c\xe1o")
    make_image("scan.png").rename(folder / f"{odd}.png")
    (folder / f"{odd} 2.txt").write_text("Nội dung\n", encoding="utf-8")
    (folder / f"{odd} hỏng.png").write_bytes(b"")  # fails: listed in errors.jsonl
    result = run("ocr", str(folder / f"{odd}.png"), "--format", "jsonl", "--no-correct")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["source"] == printable(folder / f"{odd}.png")
    out = tmp_path / "out"
    result = run("batch", str(folder), "-o", str(out), "--no-correct", "-j", "1")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert (out / f"{odd} 2.txt").read_text(encoding="utf-8") == "Nội dung\n"
    assert (out / f"{odd}.jsonl").exists()
    with manifest.Manifest(out / manifest.MANIFEST_NAME) as db:
        assert set(db.all()) == {
            "b\\xe1o c\\xe1o.png",
            "b\\xe1o c\\xe1o 2.txt",
            "b\\xe1o c\\xe1o hỏng.png",
        }
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [error["source"] for error in errors] == ["b\\xe1o c\\xe1o hỏng.png"]


def test_batch_redoes_an_output_emptied_by_something_else(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "a.txt").write_text("Nội dung\n", encoding="utf-8")
    assert run("batch", str(folder), "-o", str(out), "--no-correct", "-j", "1").exit_code == 0
    (out / "a.txt").write_bytes(b"")
    result = run("batch", str(folder), "-o", str(out), "--no-correct", "-j", "1")
    assert "done 1" in result.stderr
    assert (out / "a.txt").read_text(encoding="utf-8") == "Nội dung\n"


# ------------------------------------------------------------------ damage is not silence


def damaged_pdf(make_pdf) -> Path:
    """A 3-page PDF whose second page's content stream is garbled."""
    path = make_pdf(pages=3)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        contents = pdf.pages[1].obj.Contents
        data = bytearray(contents.read_bytes())
        for i in range(min(len(data), 40)):
            data[i] ^= 0x5A
        contents.write(bytes(data))
        pdf.save(path)
    return path


def test_damaged_pdf_page_is_reported(stub_tesseract, make_pdf, tmp_path):
    pdf = damaged_pdf(make_pdf)
    result = run("ocr", str(pdf), "--format", "jsonl", "--no-correct", "--dpi", "72")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [bool(r["warnings"]) for r in records] == [False, True, False]
    assert "vnocr: warning:" in result.stderr and ", page 2:" in result.stderr
    result = run("ocr", str(pdf), "--no-correct", "--dpi", "72", "--strict")
    assert result.exit_code == 1 and "page 2" in result.stderr
    folder = tmp_path / "in"
    folder.mkdir()
    pdf.rename(folder / "doc.pdf")
    result = run("batch", str(folder), "-o", str(tmp_path / "out"), "--no-correct", "-j", "1")
    assert result.exit_code == 0 and "1 of them with warnings" in result.stderr


# ------------------------------------------------------------------ temporary files


@pytest.mark.e2e
@pytest.mark.timeout(120)
def test_kill_during_ocr_leaves_no_temporary_files(tmp_path):
    # The tesseract program (pytesseract) is the engine that leaves tess_* files behind; the
    # in-process engine writes none, and a page can finish before the test sees any file.
    env = {**os.environ, "TMPDIR": str(tmp_path), "VNOCR_ENGINE": "pytesseract"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "vnocr.cli", "ocr", str(ROOT / "samples" / "decision_3p.pdf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=limited_child,
    )
    deadline = time.monotonic() + 60
    while not any(path.name.startswith("tess_") for path in tmp_path.rglob("*")):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert list(tmp_path.iterdir()) == []


def test_batch_text_pages_are_corrected_in_chunks(tmp_path, monkeypatch):
    """A big OCR text page in batch reaches the corrector a chunk at a time, lines kept."""
    monkeypatch.setattr(stream, "CHUNK_CHARS", 60)
    seen: list[int] = []

    class Recorder:
        def correct(self, text, confidences=None, alternatives=None):
            seen.append(len(text))
            return Correction(text.upper())

    paragraph = "nghi quyet so 25\ncua ban chap hanh\n\n"
    path = tmp_path / "big.txt"
    path.write_text(paragraph * 20 + "\f" + paragraph, encoding="utf-8")
    pages = api.text_pages(path, Settings(), Recorder())
    assert [page.text for page in pages] == [(paragraph * 20).upper(), paragraph.upper()]
    assert len(seen) > 2 and max(seen) < 60 + len(paragraph)
