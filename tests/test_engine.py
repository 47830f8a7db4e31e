"""vnocr.image.engine: choosing the OCR engine, and both engines giving the OCR stage its words."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image, ImageDraw, ImageFont

from vnocr.errors import DependencyError, UsageError
from vnocr.image import engine, ocr
from vnocr.image.preprocess import MIN_OSD_CONFIDENCE
from vnocr.text.evaluate import cer

tesserocr = pytest.importorskip("tesserocr")

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def rendered_lines(*lines: str) -> Image.Image:
    """`lines` in DejaVu Serif at about 12 pt, 300 dpi, one under the other."""
    font = ImageFont.truetype(FONT, 50)
    width = int(max(font.getlength(line) for line in lines)) + 200
    image = Image.new("L", (width, 100 * len(lines) + 120), 255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((100, 60 + 100 * number), line, font=font, fill=0)
    image.info["dpi"] = (300, 300)
    return image


def tesserocr_engine() -> engine.TesserocrEngine:
    current = engine._build("tesserocr", -1)  # a fresh one, not the process's cached engine
    assert isinstance(current, engine.TesserocrEngine)
    return current


# --- choosing ---------------------------------------------------------------------------------


def test_choice_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(engine.ENGINE_ENV, raising=False)
    assert engine.engine_choice() == "auto"
    assert engine.current().name == "tesserocr"  # installed here, with the Debian models
    engine.choose("PyTesseract")
    assert engine.engine_choice() == "pytesseract"
    assert engine.current().name == "pytesseract"
    monkeypatch.setenv(engine.ENGINE_ENV, "tesserocr")
    assert engine.current() is engine.current()  # one engine per process, reused


def test_unknown_engine_is_a_usage_error(monkeypatch):
    with pytest.raises(UsageError, match="unknown OCR engine 'leptonica'"):
        engine.choose("leptonica")
    monkeypatch.setenv(engine.ENGINE_ENV, "fast")
    with pytest.raises(UsageError, match="VNOCR_ENGINE"):
        engine.current()


def test_auto_falls_back_to_the_program_without_tesserocr(monkeypatch):
    monkeypatch.setattr(engine, "_tesserocr_importable", lambda: False)
    assert engine._build("auto", -2).name == "pytesseract"
    with pytest.raises(DependencyError, match="pip install tesserocr"):
        engine._build("tesserocr", -2)


def test_tessdata_found_in_the_debian_folder(monkeypatch):
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    engine.find_tessdata.cache_clear()
    try:
        folder = engine.find_tessdata()
    finally:
        engine.find_tessdata.cache_clear()
    assert folder and "vie" in engine._languages(folder)


def test_pixels_handed_over_without_encoding():
    gray = Image.new("L", (13, 4), 200)
    assert engine._pixels(gray) == (gray.tobytes(), 1, 13)
    binary = Image.new("1", (13, 4), 1)
    data, depth, stride = engine._pixels(binary)
    assert (depth, stride, len(data)) == (0, 2, 8)
    data, depth, stride = engine._pixels(Image.new("RGBA", (5, 2), (0, 0, 0, 255)))
    assert (depth, stride, len(data)) == (3, 15, 30)


def test_choice_ratings_become_hocr_probabilities():
    assert engine._probability(1.148, 5.0) == pytest.approx(0.9426)
    assert engine._probability(50.0, 5.0) == 0.0
    assert engine._probability(-1.0, 5.0) == 1.0


def test_quiet_stderr_silences_descriptor_2_and_restores_it(capfd):
    with engine._quiet_stderr():
        os.write(2, b"Error in boxClipToRectangle\n")
        with engine._quiet_stderr():
            os.write(2, b"nested\n")
        os.write(2, b"still inside\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


# --- the real engines -------------------------------------------------------------------------


@pytest.mark.e2e
def test_iterator_words_are_the_tsv_words_of_the_same_engine():
    image = rendered_lines("Ủy ban nhân dân huyện Thường Tín", "Số: 142-BC/HU ngày 12 tháng 9")
    current = tesserocr_engine()
    words = current.read(image, "vie", 3, 300, alternatives=False)
    api = current._api("vie", 3)
    api.SetPageSegMode(3)
    api.SetImage(image)
    api.SetSourceResolution(300)
    rows = [line.split("\t") for line in api.GetTSVText(0).splitlines()]
    api.Clear()
    columns = "level page block_num par_num line_num word_num left top width height conf text"
    columns = columns.split()
    data = {
        name: [row[i] if i < len(row) else "" for row in rows] for i, name in enumerate(columns)
    }
    tsv = ocr.words_from_data(data)
    assert len(words) == 13 and words[0].text == "Ủy"
    assert [(w.text, w.box, w.block, w.par, w.line, w.word) for w in words] == [
        (w.text, w.box, w.block, w.par, w.line, w.word) for w in tsv
    ]
    assert [w.conf for w in words] == pytest.approx([w.conf for w in tsv], abs=0.01)


@pytest.mark.e2e
def test_tesserocr_choices_match_its_hocr_and_keep_the_words():
    image = rendered_lines("Ủy ban nhân dân huyện Thường Tín báo cáo")
    current = tesserocr_engine()
    with_choices = current.read(image, "vie", 7, 300, alternatives=True)
    plain = current.read(image, "vie", 7, 300, alternatives=False)
    assert [(w.text, w.box, w.conf) for w in with_choices] == [
        (w.text, w.box, w.conf) for w in plain
    ]
    assert not any(w.choices for w in plain)
    api = current._api("vie", 7)
    api.SetPageSegMode(7)
    api.SetVariable(engine.CHOICE_MODE, "2")
    api.SetImage(image)
    api.SetSourceResolution(300)
    body = api.GetHOCRText(0)
    api.Clear()
    hocr = ocr.words_from_hocr(
        f'<html xmlns="http://www.w3.org/1999/xhtml"><body>{body}</body></html>'
    )
    assert len(hocr) == len(with_choices) == 9
    for ours, theirs in zip(with_choices, hocr, strict=True):
        assert len(ours.choices) == len(ours.text)
        assert [[g for g, _ in p] for p in ours.choices] == [
            [g for g, _ in p] for p in theirs.choices
        ]
        for position, expected in zip(ours.choices, theirs.choices, strict=True):
            assert [p for _, p in position] == pytest.approx([p for _, p in expected], abs=1e-5)


@pytest.mark.e2e
def test_a_page_reads_the_same_whatever_was_read_before():
    first = rendered_lines("Nghị quyết số 25-NQ/TW của Ban Chấp hành")
    second = rendered_lines("Quyết định về việc phê duyệt kế hoạch", "năm 2023 của tỉnh")
    current = tesserocr_engine()
    alone = current.read(first, "vie", 3, 300, alternatives=False)
    current.read(second, "vie", 6, 300, alternatives=True)
    again = current.read(first, "vie", 3, 300, alternatives=False)
    assert again == alone and ocr.rebuild_text(alone).startswith("Nghị quyết số 25-NQ/TW")


@pytest.mark.e2e
def test_threads_read_with_their_own_api():
    pages = [rendered_lines("Ủy ban nhân dân tỉnh"), rendered_lines("Quyết định số 12/QĐ-UBND")]
    current = tesserocr_engine()
    alone = [current.read(page, "vie", 7, 300, alternatives=False) for page in pages]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lambda page: current.read(page, "vie", 7, 300, False), pages))
    assert together == alone


@pytest.mark.e2e
def test_missing_model_names_the_package():
    with pytest.raises(DependencyError, match="tesseract-ocr-xyz"):
        tesserocr_engine().read(rendered_lines("a"), "vie+xyz", 3, 300, alternatives=False)


@pytest.mark.e2e
def test_both_engines_find_a_sideways_page(samples_dir):
    page = Image.open(samples_dir / "report_clean.png").convert("L").crop((100, 150, 1100, 1050))
    turned = page.rotate(90, expand=True)  # counter-clockwise: the fix is 90 clockwise
    for current in (tesserocr_engine(), engine.PytesseractEngine()):
        rotate, confidence = current.orientation(turned)
        assert (rotate, current.name) == (90, current.name) and confidence > MIN_OSD_CONFIDENCE


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["tesserocr", "pytesseract"])
def test_command_reads_the_sample_page_with_each_engine(vnocr_bin, samples_dir, name):
    truth = (samples_dir / "report_clean.gt.txt").read_text(encoding="utf-8").split("\f")[0]
    done = subprocess.run(
        [vnocr_bin, "ocr", "--engine", name, "--format", "jsonl", "--alternatives"]
        + [str(samples_dir / "report_clean.png")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert cer(truth, record["raw_text"]) < 0.01
    assert cer(truth, record["text"]) < 0.01
