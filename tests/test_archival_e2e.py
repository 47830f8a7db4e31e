"""End-to-end archival outputs: the real vnocr, Tesseract, OCRmyPDF and poppler on the samples.

Kept small for CI: one image page, one page of the 3-page PDF, and the OCRmyPDF plugin path on
one page.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pikepdf
import pytesseract
import pytest
from alto_check import NS, check
from PIL import Image

from vnocr.image.geometry import overlap

pytestmark = pytest.mark.e2e

POINTS_PER_INCH = 72.0


def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*args], capture_output=True, text=True, encoding="utf-8", timeout=600, check=False
    )
    if ok:
        assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


def words(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()


def pdftotext(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return run("pdftotext", *pages, str(pdf), "-").stdout


def pdf_words_with_boxes(pdf: Path, page: int = 1) -> list[tuple[str, tuple[float, ...]]]:
    """pdftotext -bbox words of one page: (text, (xmin, ymin, xmax, ymax)) in points."""
    html = run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-").stdout
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html,
    )
    return [(text, tuple(float(v) for v in box)) for *box, text in found]


def page_images(pdf: Path, folder: Path) -> list[bytes]:
    """The decoded pixels of every image in `pdf` (pdfimages), in order."""
    folder.mkdir()
    run("pdfimages", "-png", str(pdf), str(folder / "image"))
    return [Image.open(path).tobytes() for path in sorted(folder.glob("image-*.png"))]


def pdfa_part(pdf: Path) -> tuple[str | None, str | None]:
    with pikepdf.open(pdf) as doc, doc.open_metadata() as meta:
        return meta.get("pdfaid:part"), meta.get("pdfaid:conformance")


@pytest.fixture(scope="module")
def vnocr() -> str:
    return str(Path(sys.executable).parent / "vnocr")


@pytest.fixture(scope="module")
def image_pdf(tmp_path_factory, vnocr) -> tuple[Path, str]:
    """report_clean.png as a searchable PDF/A, and vnocr's text output of the same image."""
    folder = tmp_path_factory.mktemp("image")
    sample = Path(__file__).resolve().parents[1] / "samples" / "report_clean.png"
    out = folder / "report.pdf"
    run(vnocr, "ocr", str(sample), "--format", "pdf", "-o", str(out), "--jobs", "1")
    text = run(vnocr, "ocr", str(sample)).stdout
    return out, text


def test_image_pdf_text_layer_equals_the_text_output(image_pdf):
    pdf, text = image_pdf
    assert words(pdftotext(pdf)) == words(text)


def test_image_pdf_is_pdfa_2b_with_the_image_page_size(image_pdf, samples_dir):
    pdf, _ = image_pdf
    assert pdfa_part(pdf) == ("2", "B")
    with Image.open(samples_dir / "report_clean.png") as image:
        width, height = image.size
        dpi = image.info["dpi"][0]
    with pikepdf.open(pdf) as doc:
        [page] = doc.pages
        box = [float(v) for v in page.mediabox]
        assert "vnocr" in str(doc.docinfo.get("/Creator", ""))
    assert box[2] - box[0] == pytest.approx(width / dpi * POINTS_PER_INCH, abs=0.5)
    assert box[3] - box[1] == pytest.approx(height / dpi * POINTS_PER_INCH, abs=0.5)


def test_image_pdf_words_lie_on_their_words_in_the_image(image_pdf, samples_dir):
    """Each searchable word overlaps the word Tesseract itself finds at that place."""
    pdf, _ = image_pdf
    sample = samples_dir / "report_clean.png"
    with Image.open(sample) as image:
        dpi = image.info["dpi"][0]
        data = pytesseract.image_to_data(image, lang="vie", output_type=pytesseract.Output.DICT)
    scale = dpi / POINTS_PER_INCH
    truth = [
        (text, (data["left"][i], data["top"][i], data["width"][i], data["height"][i]))
        for i, text in enumerate(data["text"])
        if text.strip()
    ]
    placed = pdf_words_with_boxes(pdf)
    assert len(placed) > 300
    same = 0
    for text, (x0, y0, x1, y1) in placed:
        box = (
            round(x0 * scale),
            round(y0 * scale),
            round((x1 - x0) * scale),
            round((y1 - y0) * scale),
        )
        best_text, best_box = max(truth, key=lambda item: overlap(box, item[1]))
        area = min(box[2] * box[3], best_box[2] * best_box[3])
        assert overlap(box, best_box) >= 0.5 * area, (text, box, best_text, best_box)
        same += unicodedata.normalize("NFC", best_text) == unicodedata.normalize("NFC", text)
    assert same >= 0.97 * len(placed)


def test_pdf_input_keeps_pages_images_sizes_and_metadata(tmp_path, vnocr, samples_dir):
    sample = samples_dir / "decision_3p.pdf"
    out = tmp_path / "decision.pdf"
    run(vnocr, "ocr", str(sample), "--format", "pdf", "--pages", "2", "--pdfa", "1", "-o", str(out))
    with pikepdf.open(sample) as before, pikepdf.open(out) as after:
        assert len(after.pages) == len(before.pages) == 3
        for old, new in zip(before.pages, after.pages, strict=True):
            assert [float(v) for v in new.mediabox] == [float(v) for v in old.mediabox]
        assert str(after.docinfo.get("/Title")) == str(before.docinfo.get("/Title"))
    assert pdfa_part(out) == ("1", "B")
    assert page_images(sample, tmp_path / "before") == page_images(out, tmp_path / "after")
    text = run(vnocr, "ocr", str(sample), "--pages", "2").stdout
    assert words(pdftotext(out, 2)) == words(text)
    assert not pdftotext(out, 1).strip() and not pdftotext(out, 3).strip()  # not asked for


def test_ocrmypdf_plugin_end_to_end(tmp_path, vnocr, samples_dir):
    sample = samples_dir / "decision_3p.pdf"
    out = tmp_path / "plugin.pdf"
    ocrmypdf = str(Path(sys.executable).parent / "ocrmypdf")
    run(
        ocrmypdf, "--plugin", "vnocr.ocrmypdf_plugin", "-l", "vie", "--pages", "1",
        "--output-type", "pdfa-2", "--jobs", "1", "--quiet", str(sample), str(out),
    )  # fmt: skip
    assert pdfa_part(out) == ("2", "B")
    with pikepdf.open(out) as doc:
        assert "vnocr" in str(doc.docinfo.get("/Creator", ""))
    expected = run(vnocr, "ocr", str(sample), "--pages", "1").stdout
    assert words(pdftotext(out, 1)) == words(expected)


def test_encrypted_or_corrupt_pdf_gets_the_usual_error_and_no_output(tmp_path, vnocr, samples_dir):
    encrypted = tmp_path / "locked.pdf"
    with pikepdf.open(samples_dir / "decision_3p.pdf") as doc:
        doc.save(encrypted, encryption=pikepdf.Encryption(owner="o", user="secret"))
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes((samples_dir / "decision_3p.pdf").read_bytes()[:400])
    for source, words_expected in (
        (encrypted, "encrypted with a password"),
        (corrupt, "corrupt or unreadable PDF"),
    ):
        out = tmp_path / "out" / f"{source.stem}.pdf"
        out.parent.mkdir(exist_ok=True)
        done = run(vnocr, "ocr", str(source), "--format", "pdf", "-o", str(out), ok=False)
        assert done.returncode == 1
        [line] = done.stderr.strip().splitlines()
        assert line.startswith("vnocr: error: ") and words_expected in line
        assert os.listdir(out.parent) == []


def test_alto_and_hocr_carry_the_text_output_words(tmp_path, vnocr, samples_dir):
    sample = samples_dir / "report_scan.jpg"
    text = run(vnocr, "ocr", str(sample)).stdout
    alto = tmp_path / "scan.xml"
    run(vnocr, "ocr", str(sample), "--format", "alto", "-o", str(alto))
    root = check(alto.read_bytes())
    strings = [s.get("CONTENT") for s in root.iter(f"{{{NS}}}String")]
    assert strings == words(text)
    hocr = run(vnocr, "ocr", str(sample), "--format", "hocr").stdout
    body = hocr.split("<body>")[1]
    assert words(html.unescape(re.sub(r"<[^>]+>", " ", body))) == words(text)


def test_batch_writes_pdf_alto_and_text_from_one_ocr_run(tmp_path, vnocr, samples_dir):
    source = tmp_path / "in"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "report.png").write_bytes((samples_dir / "report_clean.png").read_bytes())
    (source / "notes.txt").write_text("Nghi quyet so 25\n", encoding="utf-8")
    out = tmp_path / "out"
    run(vnocr, "batch", str(source), "-o", str(out), "--format", "txt,alto,pdf", "--jobs", "1")
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert [p for p in made if not p.startswith((".", "errors"))] == [
        "notes.txt",
        "sub/report.alto.xml",
        "sub/report.pdf",
        "sub/report.txt",
    ]
    text = (out / "sub" / "report.txt").read_text(encoding="utf-8")
    assert words(pdftotext(out / "sub" / "report.pdf")) == words(text)
    assert pdfa_part(out / "sub" / "report.pdf") == ("2", "B")
    root = check((out / "sub" / "report.alto.xml").read_bytes())
    assert [s.get("CONTENT") for s in root.iter(f"{{{NS}}}String")] == words(text)
