"""pipeline.ocr: words from Tesseract's TSV dict, line rebuilding, confidence, errors."""

from __future__ import annotations

import pytesseract
import pytest
from PIL import Image

from pipeline import ocr
from pipeline.errors import DependencyError, OcrError

COLUMNS = (
    "level",
    "block_num",
    "par_num",
    "line_num",
    "word_num",
    "left",
    "top",
    "width",
    "height",
    "conf",
    "text",
)


def tsv_dict(rows: list[tuple]) -> dict[str, list]:
    """A pytesseract Output.DICT from rows of (level, block, par, line, word, conf, text)."""
    data: dict[str, list] = {column: [] for column in COLUMNS}
    for index, (level, block, par, line, word, conf, text) in enumerate(rows):
        values = (level, block, par, line, word, 10 * index, 20, 30, 40, conf, text)
        for column, value in zip(COLUMNS, values, strict=True):
            data[column].append(value)
    return data


PAGE = tsv_dict(
    [
        (1, 0, 0, 0, 0, -1, ""),
        (2, 1, 0, 0, 0, -1, ""),
        (3, 1, 1, 0, 0, -1, ""),
        (4, 1, 1, 1, 0, -1, ""),
        (5, 1, 1, 1, 1, 96.5, "CỘNG"),
        (5, 1, 1, 1, 2, 93.0, "HÒA"),
        (4, 1, 1, 2, 0, -1, ""),
        (5, 1, 1, 2, 1, 91.0, "Độc"),
        (5, 1, 1, 2, 2, 89.5, "lập"),
        (5, 1, 1, 2, 3, 95, " "),  # Tesseract sometimes emits blank words: dropped
        (3, 1, 2, 0, 0, -1, ""),
        (5, 1, 2, 1, 1, 80.0, "Số:"),
        (2, 2, 0, 0, 0, -1, ""),
        (5, 2, 1, 1, 1, 70.0, "142-BC/HU"),
    ]
)


def test_words_from_data_keeps_word_rows():
    words = ocr.words_from_data(PAGE)
    assert [word.text for word in words] == ["CỘNG", "HÒA", "Độc", "lập", "Số:", "142-BC/HU"]
    first = words[0]
    assert (first.block, first.par, first.line, first.word) == (1, 1, 1, 1)
    assert first.conf == 96.5
    assert first.box == (40, 20, 30, 40)


def test_rebuild_text_lines_and_paragraph_breaks():
    text = ocr.rebuild_text(ocr.words_from_data(PAGE))
    assert text == "CỘNG HÒA\nĐộc lập\n\nSố:\n\n142-BC/HU"


def test_mean_confidence():
    words = ocr.words_from_data(PAGE)
    assert ocr.mean_confidence(words) == pytest.approx(
        (96.5 + 93 + 91 + 89.5 + 80 + 70) / 6, abs=0.01
    )
    assert ocr.mean_confidence([]) is None


def test_ocr_image_empty_page(monkeypatch):
    empty = tsv_dict([(1, 0, 0, 0, 0, -1, ""), (2, 1, 0, 0, 0, -1, "")])
    monkeypatch.setattr(pytesseract, "image_to_data", lambda *args, **kwargs: empty)
    result = ocr.ocr_image(Image.new("L", (50, 50), 255))
    assert (result.text, result.words, result.confidence) == ("", [], None)


def test_ocr_image_passes_lang_psm_and_dpi(monkeypatch):
    calls = []

    def fake(image, lang, config, output_type):
        calls.append((lang, config))
        return PAGE

    monkeypatch.setattr(pytesseract, "image_to_data", fake)
    image = Image.new("L", (50, 50), 255)
    assert ocr.ocr_image(image, "vie+eng", 6, dpi=200).text.startswith("CỘNG HÒA")
    image.info["dpi"] = (400, 400)
    ocr.ocr_image(image, "vie", 3, dpi=200)
    assert calls == [("vie+eng", "--psm 6 --dpi 200"), ("vie", "--psm 3 --dpi 400")]


def test_missing_language_model(monkeypatch):
    def fail(*args, **kwargs):
        raise pytesseract.TesseractError(
            1, "Failed loading language 'vie'\nTesseract couldn't load any languages!"
        )

    monkeypatch.setattr(pytesseract, "image_to_data", fail)
    with pytest.raises(DependencyError, match="apt-get install tesseract-ocr-vie"):
        ocr.ocr_image(Image.new("L", (10, 10)))


def test_tesseract_failure_is_ocr_error(monkeypatch):
    def fail(*args, **kwargs):
        raise pytesseract.TesseractError(1, "Error in pixReadMem")

    monkeypatch.setattr(pytesseract, "image_to_data", fail)
    with pytest.raises(OcrError, match="tesseract failed: Error in pixReadMem"):
        ocr.ocr_image(Image.new("L", (10, 10)))


def test_tesseract_not_installed(monkeypatch):
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    ocr.tesseract_info.cache_clear()
    try:
        with pytest.raises(DependencyError, match="apt-get install tesseract-ocr"):
            ocr.check_tesseract("vie")
        with pytest.raises(DependencyError, match="not installed"):
            ocr.ocr_image(Image.new("L", (10, 10)))
    finally:
        ocr.tesseract_info.cache_clear()


def test_check_tesseract_languages(monkeypatch):
    info = ocr.TesseractInfo("5.3.0", ("eng", "osd"))
    monkeypatch.setattr(ocr, "tesseract_info", lambda: info)
    assert ocr.check_tesseract("eng") is info
    with pytest.raises(DependencyError, match="'vie' is not installed.*tesseract-ocr-vie"):
        ocr.check_tesseract("eng+vie")
