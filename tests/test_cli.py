"""The vnocr command line: outputs, options, exit codes and one-line errors for bad input.

OCR is stubbed here (see conftest.stub_tesseract) except where a test says otherwise;
tests/test_e2e.py runs the real engine on the samples.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image

from vnocr import api
from vnocr.cli import cli
from vnocr.errors import DependencyError, OcrError
from vnocr.image import ocr
from vnocr.restore.correct import Change, Correction

ERROR_LINE = re.compile(r"^vnocr: error: (?P<where>[^:]+(?:, page \d+)?): (?P<what>.+) \(.+\)$")


def run(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def error_lines(stderr: str) -> list[str]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr
    for line in lines:
        assert ERROR_LINE.match(line), f"not a one-line error: {line!r}"
    return lines


def no_temp_files(folder: Path) -> bool:
    return not [path for path in folder.iterdir() if path.name.endswith(".tmp")]


# --------------------------------------------------------------------------------- vnocr ocr


def test_ocr_prints_text(stub_tesseract, make_image):
    result = run("ocr", "--no-correct", str(make_image("a.png")))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "600x160\n"


def test_ocr_pages_of_tiff_and_pdf(stub_tesseract, tmp_path, make_pdf):
    tiff = tmp_path / "two.tif"
    Image.new("L", (100, 50), 255).save(
        tiff, save_all=True, append_images=[Image.new("L", (120, 60), 255)]
    )
    pdf = make_pdf(pages=3)
    result = run("ocr", "--no-correct", "--dpi", "72", "--pages", "2", str(tiff), str(pdf))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "120x60\n\f500x200\n"
    result = run("ocr", "--no-correct", "--dpi", "72", "--pages", "1,3", str(pdf))
    assert result.stdout.split("\f") == ["400x200\n", "600x200\n"]


def test_ocr_jsonl_records(stub_tesseract, make_pdf, tmp_path):
    out = tmp_path / "out.jsonl"
    result = run(
        "ocr",
        "--no-correct",
        "--dpi",
        "72",
        "--format",
        "jsonl",
        "-o",
        str(out),
        str(make_pdf(pages=2)),
    )
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [record["page"] for record in records] == [1, 2]
    for record in records:
        assert set(record) == {"source", "page", "text", "raw_text", "confidence", "warnings"}
        assert record["source"].endswith("doc.pdf")
        assert record["text"] == record["raw_text"]
        assert record["confidence"] == 90.0


def test_ocr_blank_page_is_empty_text_not_an_error(make_image):
    """Real Tesseract on a blank page."""
    blank = make_image("blank.png", text="", size=(300, 200))
    result = run("ocr", "--no-correct", "--format", "jsonl", str(blank))
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["text"] == "" and record["confidence"] is None


def bad_inputs(tmp_path: Path, make_image, make_pdf) -> dict[str, tuple[Path, str]]:
    """Each kind of bad input, with the words its error message must contain."""
    truncated = make_image("truncated.png", size=(800, 600))
    truncated.write_bytes(truncated.read_bytes()[:600])
    encrypted = tmp_path / "encrypted.pdf"
    with pikepdf.Pdf.open(make_pdf("plain.pdf")) as pdf:
        pdf.save(encrypted, encryption=pikepdf.Encryption(owner="x", user="y"))
    zero = tmp_path / "zero.pdf"
    pikepdf.Pdf.new().save(zero)
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(make_pdf("whole.pdf").read_bytes()[:300])
    unsupported = tmp_path / "letter.docx"
    unsupported.write_bytes(b"PK\x03\x04")
    folder = tmp_path / "folder"
    folder.mkdir()
    return {
        "missing": (tmp_path / "missing.png", "no such file"),
        "directory": (folder, "is a directory"),
        "unsupported": (unsupported, "unsupported file type"),
        "truncated": (truncated, "truncated"),
        "encrypted": (encrypted, "encrypted with a password"),
        "zero pages": (zero, "no pages"),
        "corrupt pdf": (corrupt, "corrupt or unreadable PDF"),
    }


def test_ocr_each_bad_input_is_one_line_and_exit_1(stub_tesseract, tmp_path, make_image, make_pdf):
    for kind, (path, words) in bad_inputs(tmp_path, make_image, make_pdf).items():
        result = run("ocr", "--no-correct", str(path))
        assert result.exit_code == 1, kind
        [line] = error_lines(result.stderr)
        assert str(path) in line and words in line, (kind, line)
        assert result.stdout == ""


def test_ocr_bad_inputs_do_not_stop_the_good_ones(stub_tesseract, tmp_path, make_image, make_pdf):
    bad = [path for path, _ in bad_inputs(tmp_path, make_image, make_pdf).values()]
    good_first, good_last = make_image("first.png"), make_image("last.png", size=(700, 100))
    out = tmp_path / "out.txt"
    result = run(
        "ocr", "--no-correct", "-o", str(out), str(good_first), *map(str, bad), str(good_last)
    )
    assert result.exit_code == 1
    assert len(error_lines(result.stderr)) == len(bad)
    assert out.read_text(encoding="utf-8") == "600x160\n\f700x100\n"
    assert no_temp_files(tmp_path)


def test_ocr_image_over_pixel_limit(stub_tesseract, make_image):
    path = make_image("big.png", size=(600, 400))
    result = run("ocr", "--no-correct", "--max-pixels", "100000", str(path))
    assert result.exit_code == 1
    [line] = error_lines(result.stderr)
    assert "image too large" in line and "--max-pixels" in line


def test_ocr_writes_no_output_file_when_every_page_fails(
    stub_tesseract, tmp_path, make_pdf, monkeypatch
):
    def fail(path, page, settings, corrector):
        raise OcrError("Tesseract failed (see its message above)", path=str(path), page=page)

    monkeypatch.setattr(api, "process_page", fail)
    out = tmp_path / "out.txt"
    result = run("ocr", "--no-correct", "-o", str(out), str(make_pdf(pages=1)))
    assert result.exit_code == 1
    assert len(error_lines(result.stderr)) == 2
    assert "not written" in result.stderr
    assert not out.exists() and no_temp_files(tmp_path)


def test_ocr_page_out_of_range(stub_tesseract, make_pdf):
    result = run("ocr", "--no-correct", "--pages", "2-5", str(make_pdf(pages=3)))
    assert result.exit_code == 1
    [line] = error_lines(result.stderr)
    assert "page 4 does not exist (the file has 3 page(s))" in line


@pytest.mark.parametrize(
    "args",
    [
        ["ocr", "--pages", "3-1", "x.png"],
        ["ocr", "--pages", "abc", "x.png"],
        ["ocr", "--format", "docx", "x.png"],
        ["ocr", "--psm", "99", "x.png"],
        ["ocr"],
        ["ocr", "--no-such-option", "x.png"],
        ["no-such-command"],
        ["correct", "--tone-style", "modern", "x.txt"],
    ],
)
def test_usage_errors_exit_2(args):
    result = run(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_ocr_without_tesseract(monkeypatch, make_image, pytesseract_engine):
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    ocr.tesseract_info.cache_clear()
    try:
        result = run("ocr", str(make_image()))
    finally:
        ocr.tesseract_info.cache_clear()
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "vnocr: error: tesseract is not installed (sudo apt-get install tesseract-ocr)"
    )


def test_ocr_without_vie_model(monkeypatch, make_image):
    monkeypatch.setattr(ocr, "tesseract_info", lambda: ocr.TesseractInfo("5.3.0", ("eng",)))
    result = run("ocr", str(make_image()))
    assert result.exit_code == 1
    assert "tesseract-ocr-vie" in result.stderr and "Traceback" not in result.stderr


def test_ocr_interrupted_writes_nothing(stub_tesseract, monkeypatch, make_pdf, tmp_path):
    real = api.process_page

    def interrupt_on_page_2(path, page, settings, corrector=None):
        if page == 2:
            raise KeyboardInterrupt
        return real(path, page, settings, corrector)

    monkeypatch.setattr(api, "process_page", interrupt_on_page_2)
    out = tmp_path / "out.txt"
    result = run("ocr", "--no-correct", "--dpi", "72", "-o", str(out), str(make_pdf(pages=3)))
    assert result.exit_code == 130
    assert not out.exists()
    assert no_temp_files(tmp_path)


def test_ocr_sigint_real_process(vnocr_bin, samples_dir, tmp_path):
    """Ctrl-C on a real run: exit 130, no output file, no temporary file left."""
    out = tmp_path / "out.txt"
    process = subprocess.Popen(
        [vnocr_bin, "ocr", "--no-correct", "-o", str(out), str(samples_dir / "decision_3p.pdf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Ctrl-C as a terminal delivers it, also when the suite runs as a background job
        # (which starts with SIGINT ignored, inherited by its children).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 30
    while no_temp_files(tmp_path) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert not no_temp_files(tmp_path), "the run never started writing"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert not out.exists()
    assert no_temp_files(tmp_path)


def test_ocr_explain_prints_changes(stub_tesseract, monkeypatch, make_image):
    class FakeCorrector:
        def correct(self, text, confidences=None, alternatives=None):
            return Correction("fixed", [Change(1, 1, text, "fixed", 2.5)])

    monkeypatch.setattr(api, "make_corrector", lambda settings: FakeCorrector())
    result = run("ocr", "--explain", str(make_image()))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "fixed\n"
    assert "600x160 -> fixed (margin 2.50)" in result.stderr


# ----------------------------------------------------------------------------- vnocr correct


def test_correct_is_identity_on_clean_text_and_keeps_lines(samples_dir, tmp_path):
    clean = (samples_dir / "report_clean.gt.txt").read_text(encoding="utf-8")
    clean += "\n\nDòng trống ở trên.\n  Thụt đầu dòng, số 25-NQ/TW ngày 03/6/2013.\n"
    source = tmp_path / "clean.txt"
    source.write_text(clean, encoding="utf-8")
    out = tmp_path / "corrected.txt"
    result = run("correct", str(source), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    corrected = out.read_text(encoding="utf-8")
    assert corrected.count("\n") == clean.count("\n")
    assert corrected == clean


def test_correct_stdin_to_stdout_keeps_line_count():
    text = "Ủy ban nhân dân\n\nhòa giải ở cơ sở\nsố 15-CT/TU\n"
    result = run("correct", "-", stdin=text.encode())
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n") == text.count("\n")


def test_correct_reads_utf16_with_bom(tmp_path):
    source = tmp_path / "utf16.txt"
    source.write_bytes("Cộng hòa\n".encode("utf-16"))  # Python writes a BOM
    result = run("correct", str(source))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Cộng hòa\n"


def test_correct_rejects_non_utf8(tmp_path):
    source = tmp_path / "cp1258.txt"
    source.write_bytes(b"Cong hoa\n" + bytes([0xD2]) + b"\n")
    result = run("correct", str(source))
    assert result.exit_code == 1
    [line] = error_lines(result.stderr)
    assert str(source) in line and "byte offset 9" in line


def test_correct_missing_input(tmp_path):
    result = run("correct", str(tmp_path / "none.txt"))
    assert result.exit_code == 1
    assert "no such file" in error_lines(result.stderr)[0]


# -------------------------------------------------------------------------------- vnocr eval


def test_eval_summary_is_last_line(tmp_path):
    ref, hyp = tmp_path / "ref.txt", tmp_path / "hyp.txt"
    ref.write_text("Hòa bình\nthủy lợi\n", encoding="utf-8")
    hyp.write_text("Hoà bình thuỷ lọi", encoding="utf-8")
    result = run("eval", str(ref), str(hyp))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "CER 5.88%  WER 25.00%  (ref 17 chars, 4 words)"
    result = run("eval", "--json", str(ref), str(hyp))
    figures = json.loads(result.stdout)
    assert figures["cer"] == pytest.approx(1 / 17) and figures["wer"] == pytest.approx(0.25)
    assert result.stderr.strip().startswith("CER 5.88%")


def test_eval_missing_file(tmp_path):
    result = run("eval", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))
    assert result.exit_code == 1
    assert "no such file" in error_lines(result.stderr)[0]


# ------------------------------------------------------------------------------ vnocr doctor


def test_doctor_all_present():
    result = run("doctor")
    assert result.exit_code == 0, result.stdout
    assert re.search(r"^tesseract\s+ok\s+version \d", result.stdout, re.M)
    assert re.search(r"^vie model\s+ok", result.stdout, re.M)
    assert re.search(r"^poppler\s+ok", result.stdout, re.M)
    assert re.search(r"^dask\s+ok\s+distributed \d", result.stdout, re.M)
    assert re.search(r"^ocrmypdf\s+ok\s+version \d", result.stdout, re.M)
    assert re.search(r"^ghostscript\s+ok\s+version \d", result.stdout, re.M)


def test_doctor_without_dask_says_it_is_optional(monkeypatch):
    from vnocr.image import doctor

    monkeypatch.setattr(doctor, "_distributed_version", lambda: None)
    result = run("doctor")
    assert result.exit_code == 0, result.stdout
    assert re.search(r"^dask\s+missing \(optional\)\s+not installed", result.stdout, re.M)
    assert "pip install 'vnocr[dask]'" in result.stdout


def test_doctor_reports_missing_and_fix(monkeypatch):
    from vnocr.image import doctor

    monkeypatch.setattr(doctor, "tesseract_info", lambda: ocr.TesseractInfo("5.3.0", ("eng",)))
    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)
    result = run("doctor")
    assert result.exit_code == 1
    assert re.search(r"^vie model\s+MISSING", result.stdout, re.M)
    assert re.search(r"^osd model\s+missing \(optional\)", result.stdout, re.M)
    assert "sudo apt-get install tesseract-ocr-vie" in result.stdout
    assert "sudo apt-get install poppler-utils" in result.stdout
    assert re.search(r"^ghostscript\s+missing \(optional\)", result.stdout, re.M)
    assert "sudo apt-get install ghostscript" in result.stdout


def test_doctor_without_tesseract(monkeypatch):
    from vnocr.image import doctor

    def missing():
        raise DependencyError("tesseract is not installed (sudo apt-get install tesseract-ocr)")

    monkeypatch.setattr(doctor, "tesseract_info", missing)
    result = run("doctor")
    assert result.exit_code == 1
    assert re.search(r"^tesseract\s+MISSING", result.stdout, re.M)


# ---------------------------------------------------------------------- as a real process


def test_subprocess_exit_codes(vnocr_bin, tmp_path):
    missing = subprocess.run(
        [vnocr_bin, "ocr", str(tmp_path / "x.png")], capture_output=True, text=True, check=False
    )
    assert missing.returncode == 1
    assert missing.stderr == f"vnocr: error: {tmp_path / 'x.png'}: no such file (check the path)\n"
    usage = subprocess.run(
        [vnocr_bin, "ocr", "--pages", "0", "x.png"], capture_output=True, text=True, check=False
    )
    assert usage.returncode == 2
