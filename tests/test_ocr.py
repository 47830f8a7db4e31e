"""vnocr.image.ocr: words from Tesseract's hOCR (and TSV dict), choices, line rebuilding, errors."""

from __future__ import annotations

import pytesseract
import pytest
from PIL import Image, ImageDraw, ImageFont

from vnocr.errors import DependencyError, OcrError
from vnocr.image import ocr

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


# Tesseract 5.3.0 hOCR with -c lstm_choice_mode=2 for a rendered line (DejaVu Sans, 300 dpi),
# trimmed to three words, plus a hand-made second block: Tesseract's block ids count blocks
# without words (block_1_2 was a ruled line), a blank word, an ocr_header line, no choices.
HOCR = """\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <body>
  <div class='ocr_page' id='page_1' title='bbox 0 0 2481 504'>
   <div class='ocr_carea' id='block_1_1' title="bbox 183 191 1249 315">
    <p class='ocr_par' id='par_1_1' lang='vie' title="bbox 183 191 1249 315">
     <span class='ocr_line' id='line_1_1' title="bbox 183 191 1249 243">
      <span class='ocrx_word' id='word_1_1' title='bbox 183 191 338 243; x_wconf 95'>Quyền
       <span class='ocrx_cinfo' id='lstm_choices_1_1_1'>
        <span class='ocrx_cinfo' id='choice_1_1_1' title='x_confs 93.053444'>Q</span>
        <span class='ocrx_cinfo' id='choice_1_1_2' title='x_confs 0'>N</span>
        <span class='ocrx_cinfo' id='choice_1_1_3' title='x_confs 0'>O</span>
        <span class='ocrx_cinfo' id='choice_1_1_4' title='x_confs 0'>q</span>
        <span class='ocrx_cinfo' id='choice_1_1_5' title='x_confs 0'>C</span>
        <span class='ocrx_cinfo' id='choice_1_1_6' title='x_confs 0'>À</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_1_2'>
        <span class='ocrx_cinfo' id='choice_1_1_7' title='x_confs 94.252899'>u</span>
        <span class='ocrx_cinfo' id='choice_1_1_8' title='x_confs 0'>ụ</span>
        <span class='ocrx_cinfo' id='choice_1_1_9' title='x_confs 0'>ư</span>
        <span class='ocrx_cinfo' id='choice_1_1_10' title='x_confs 0'>U</span>
        <span class='ocrx_cinfo' id='choice_1_1_11' title='x_confs 0'>„</span>
        <span class='ocrx_cinfo' id='choice_1_1_12' title='x_confs 0'>,</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_1_3'>
        <span class='ocrx_cinfo' id='choice_1_1_13' title='x_confs 94.252335'>y</span>
        <span class='ocrx_cinfo' id='choice_1_1_14' title='x_confs 0'>v</span>
        <span class='ocrx_cinfo' id='choice_1_1_15' title='x_confs 0'>g</span>
        <span class='ocrx_cinfo' id='choice_1_1_16' title='x_confs 0'>r</span>
        <span class='ocrx_cinfo' id='choice_1_1_17' title='x_confs 0'>Y</span>
        <span class='ocrx_cinfo' id='choice_1_1_18' title='x_confs 0'>n</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_1_4'>
        <span class='ocrx_cinfo' id='choice_1_1_19' title='x_confs 94.104713'>ề</span>
        <span class='ocrx_cinfo' id='choice_1_1_20' title='x_confs 24.516144'>ể</span>
        <span class='ocrx_cinfo' id='choice_1_1_21' title='x_confs 0'>ê</span>
        <span class='ocrx_cinfo' id='choice_1_1_22' title='x_confs 0'>Ề</span>
        <span class='ocrx_cinfo' id='choice_1_1_23' title='x_confs 0'>ế</span>
        <span class='ocrx_cinfo' id='choice_1_1_24' title='x_confs 0'>ễ</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_1_5'>
        <span class='ocrx_cinfo' id='choice_1_1_25' title='x_confs 94.253113'>n</span>
        <span class='ocrx_cinfo' id='choice_1_1_26' title='x_confs 0'>-</span>
        <span class='ocrx_cinfo' id='choice_1_1_27' title='x_confs 0'>&quot;</span>
        <span class='ocrx_cinfo' id='choice_1_1_28' title='x_confs 0'>h</span>
        <span class='ocrx_cinfo' id='choice_1_1_29' title='x_confs 0'>N</span>
        <span class='ocrx_cinfo' id='choice_1_1_30' title='x_confs 0'>m</span></span>
      </span>
      <span class='ocrx_word' id='word_1_2' title='bbox 362 195 477 242; x_wconf 96'>được
       <span class='ocrx_cinfo' id='lstm_choices_1_2_1'>
        <span class='ocrx_cinfo' id='choice_1_2_1' title='x_confs 95.462418'> </span>
        <span class='ocrx_cinfo' id='choice_1_2_2' title='x_confs 0'>.</span>
        <span class='ocrx_cinfo' id='choice_1_2_3' title='x_confs 0'>,</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_2_2'>
        <span class='ocrx_cinfo' id='choice_1_2_4' title='x_confs 94.188057'>đ</span>
        <span class='ocrx_cinfo' id='choice_1_2_5' title='x_confs 0'>d</span>
        <span class='ocrx_cinfo' id='choice_1_2_6' title='x_confs 0'>c</span>
        <span class='ocrx_cinfo' id='choice_1_2_7' title='x_confs 0'>ổ</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_2_3'>
        <span class='ocrx_cinfo' id='choice_1_2_8' title='x_confs 94.186874'>ư</span>
        <span class='ocrx_cinfo' id='choice_1_2_9' title='x_confs 0'>ự</span>
        <span class='ocrx_cinfo' id='choice_1_2_10' title='x_confs 0'>r</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_2_4'>
        <span class='ocrx_cinfo' id='choice_1_2_11' title='x_confs 95.214989'>ợ</span>
        <span class='ocrx_cinfo' id='choice_1_2_12' title='x_confs 0'>ọ</span>
        <span class='ocrx_cinfo' id='choice_1_2_13' title='x_confs 0'>ơ</span>
        <span class='ocrx_cinfo' id='choice_1_2_14' title='x_confs 0'>ớ</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_2_5'>
        <span class='ocrx_cinfo' id='choice_1_2_15' title='x_confs 95.214554'>c</span>
        <span class='ocrx_cinfo' id='choice_1_2_16' title='x_confs 0'>C</span>
        <span class='ocrx_cinfo' id='choice_1_2_17' title='x_confs 0'>e</span>
        <span class='ocrx_cinfo' id='choice_1_2_18' title='x_confs 0'>.</span></span>
      </span>
     </span>
     <span class='ocr_line' id='line_1_2' title="bbox 184 255 897 315">
      <span class='ocrx_word' id='word_1_10' title='bbox 184 255 245 315; x_wconf 96'>Ủy
       <span class='ocrx_cinfo' id='lstm_choices_1_10_1'>
        <span class='ocrx_cinfo' id='choice_1_10_1' title='x_confs 94.260735'>Ủ</span>
        <span class='ocrx_cinfo' id='choice_1_10_2' title='x_confs 0'>Ú</span>
        <span class='ocrx_cinfo' id='choice_1_10_3' title='x_confs 0'>Ù</span>
        <span class='ocrx_cinfo' id='choice_1_10_4' title='x_confs 0'>Ử</span>
        <span class='ocrx_cinfo' id='choice_1_10_5' title='x_confs 0'>ủ</span>
        <span class='ocrx_cinfo' id='choice_1_10_6' title='x_confs 0'>Ỏ</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_10_2'>
        <span class='ocrx_cinfo' id='choice_1_10_7' title='x_confs 95.186249'>y</span>
        <span class='ocrx_cinfo' id='choice_1_10_8' title='x_confs 0'>ÿ</span>
        <span class='ocrx_cinfo' id='choice_1_10_9' title='x_confs 0'>Y</span>
        <span class='ocrx_cinfo' id='choice_1_10_10' title='x_confs 0'>ỳ</span>
        <span class='ocrx_cinfo' id='choice_1_10_11' title='x_confs 0'>ỹ</span>
        <span class='ocrx_cinfo' id='choice_1_10_12' title='x_confs 0'>ỷ</span></span>
      </span>
     </span>
    </p>
   </div>
   <div class='ocr_carea' id='block_1_3' title="bbox 183 400 400 450">
    <p class='ocr_par' id='par_1_2' lang='vie' title="bbox 183 400 400 450">
     <span class='ocr_header' id='line_1_3' title="bbox 183 400 400 450">
      <span class='ocrx_word' id='word_1_4' title='bbox 183 400 190 450; x_wconf 70'> </span>
      <span class='ocrx_word' id='word_1_5' title='bbox 200 400 260 450; x_wconf 91'>Số:</span>
     </span>
    </p>
   </div>
  </div>
 </body>
</html>
"""


def test_words_from_hocr_numbers_like_tsv():
    words = ocr.words_from_hocr(HOCR.encode("utf-8"))
    assert [w.text for w in words] == ["Quyền", "được", "Ủy", "Số:"]
    numbers = [(w.block, w.par, w.line, w.word) for w in words]
    assert numbers == [(1, 1, 1, 1), (1, 1, 1, 2), (1, 1, 2, 1), (3, 1, 1, 2)]
    assert words[0].box == (183, 191, 155, 52)
    assert [w.conf for w in words] == [95.0, 96.0, 96.0, 91.0]
    assert ocr.rebuild_text(words) == "Quyền được\nỦy\n\nSố:"


def test_hocr_choices_shape():
    words = ocr.words_from_hocr(HOCR)
    for word in words[:3]:
        assert len(word.choices) == len(word.text)
        for char, position in zip(word.text, word.choices, strict=True):
            assert 1 <= len(position) <= ocr.MAX_CHOICES
            assert position[0][0] == char
            probs = [prob for _, prob in position]
            assert probs == sorted(probs, reverse=True)
            assert all(isinstance(glyph, str) and 0 < prob <= 1 for glyph, prob in position)
    # the space position before "được" is dropped; zero-probability glyphs are dropped
    assert words[0].choices[3] == [("ề", 0.941047), ("ể", 0.245161)]
    assert words[1].choices[0] == [("đ", 0.941881)]
    assert words[3].choices == []


def test_parse_choices_needs_one_position_per_character():
    import xml.etree.ElementTree as ET

    word = ET.fromstring(
        "<span class='ocrx_word'>ab"
        "<span class='ocrx_cinfo' id='timestep_1'>"
        "<span class='ocrx_cinfo' title='x_confs 50'>z</span></span>"
        "<span class='ocrx_cinfo' id='lstm_choices_1'>"
        "<span class='ocrx_cinfo' title='x_confs 10'>o</span>"
        "<span class='ocrx_cinfo' title='x_confs 90'>a</span>"
        "<span class='ocrx_cinfo' title='x_confs 30'>d</span>"
        "<span class='ocrx_cinfo' title='x_confs 20'>ă</span>"
        "<span class='ocrx_cinfo' title='x_confs 0'>e</span></span>"
        "<span class='ocrx_cinfo' id='lstm_choices_2'>"
        "<span class='ocrx_cinfo' title='x_confs 0'>b</span></span></span>"
    )
    assert ocr.parse_choices(word, "ab") == [[("a", 0.9), ("d", 0.3), ("ă", 0.2)], [("b", 0.0)]]
    assert ocr.parse_choices(word, "abc") == []


def test_unreadable_hocr_is_ocr_error():
    with pytest.raises(OcrError, match="unreadable hOCR"):
        ocr.words_from_hocr("<html><body>")


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


def test_ocr_image_empty_page(monkeypatch, pytesseract_engine):
    empty = tsv_dict([(1, 0, 0, 0, 0, -1, ""), (2, 1, 0, 0, 0, -1, "")])
    monkeypatch.setattr(pytesseract, "image_to_data", lambda *args, **kwargs: empty)
    result = ocr.ocr_image(Image.new("L", (50, 50), 255))
    assert (result.text, result.words, result.confidence) == ("", [], None)


def test_ocr_image_passes_lang_psm_and_dpi(monkeypatch, pytesseract_engine):
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


def test_missing_language_model(monkeypatch, pytesseract_engine):
    def fail(*args, **kwargs):
        raise pytesseract.TesseractError(
            1, "Failed loading language 'vie'\nTesseract couldn't load any languages!"
        )

    monkeypatch.setattr(pytesseract, "image_to_data", fail)
    with pytest.raises(DependencyError, match="apt-get install tesseract-ocr-vie"):
        ocr.ocr_image(Image.new("L", (10, 10)))


def test_tesseract_failure_is_ocr_error(monkeypatch, pytesseract_engine):
    def fail(*args, **kwargs):
        raise pytesseract.TesseractError(1, "Error in pixReadMem")

    monkeypatch.setattr(pytesseract, "image_to_data", fail)
    with pytest.raises(OcrError, match="tesseract failed: Error in pixReadMem"):
        ocr.ocr_image(Image.new("L", (10, 10)))


EMPTY_HOCR = (
    "<html xmlns='http://www.w3.org/1999/xhtml'><body>"
    "<div class='ocr_page' id='page_1' title='bbox 0 0 50 50'></div></body></html>"
)


def test_ocr_image_alternatives_run_hocr_with_choices(monkeypatch, pytesseract_engine):
    calls = []

    def fake(image, lang, config, extension):
        calls.append((lang, config, extension))
        return HOCR.encode("utf-8")

    monkeypatch.setattr(pytesseract, "image_to_pdf_or_hocr", fake)
    image = Image.new("L", (50, 50), 255)
    page = ocr.ocr_image(image, "vie+eng", 6, dpi=200, alternatives=True)
    assert page.text == "Quyền được\nỦy\n\nSố:"
    assert [len(word.choices) for word in page.words] == [5, 4, 2, 0]
    assert page.confidence == pytest.approx((95 + 96 + 96 + 91) / 4, abs=0.01)
    assert calls == [("vie+eng", "--psm 6 --dpi 200 -c lstm_choice_mode=2", "hocr")]
    monkeypatch.setattr(pytesseract, "image_to_pdf_or_hocr", lambda *a, **k: EMPTY_HOCR)
    empty = ocr.ocr_image(image, alternatives=True)
    assert (empty.text, empty.words, empty.confidence) == ("", [], None)


def test_ocr_image_alternatives_errors(monkeypatch, pytesseract_engine):
    def fail(*args, **kwargs):
        raise pytesseract.TesseractError(1, "Failed loading language 'vie'")

    monkeypatch.setattr(pytesseract, "image_to_pdf_or_hocr", fail)
    with pytest.raises(DependencyError, match="apt-get install tesseract-ocr-vie"):
        ocr.ocr_image(Image.new("L", (10, 10)), alternatives=True)


def test_tesseract_not_installed(monkeypatch, pytesseract_engine):
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


def rendered_line(text: str) -> Image.Image:
    """`text` in DejaVu Serif at about 12 pt, 300 dpi."""
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 50)
    image = Image.new("L", (int(font.getlength(text)) + 200, 200), 255)
    ImageDraw.Draw(image).text((100, 60), text, font=font, fill=0)
    image.info["dpi"] = (300, 300)
    return image


@pytest.mark.e2e
def test_real_tesseract_choices_and_same_words_as_tsv(pytesseract_engine):
    image = rendered_line("Ủy ban nhân dân huyện Thường Tín báo cáo")
    page = ocr.ocr_image(image, "vie", 7, alternatives=True)
    assert page.words and page.text.startswith("Ủy ban")
    with_choices = [w for w in page.words if w.choices]
    assert with_choices
    assert any(w.choices[0][0][0] == w.text[0] for w in with_choices)
    for word in with_choices:
        assert len(word.choices) == len(word.text)
        assert all(1 <= len(position) <= ocr.MAX_CHOICES for position in word.choices)
    # the hOCR words are the TSV words (text, confidence, box, numbering)
    data = pytesseract.image_to_data(
        image, lang="vie", config="--psm 7 --dpi 300", output_type=pytesseract.Output.DICT
    )
    tsv = ocr.words_from_data(data)
    assert [(w.text, w.conf, w.box, w.block, w.par, w.line, w.word) for w in page.words] == [
        (w.text, w.conf, w.box, w.block, w.par, w.line, w.word) for w in tsv
    ]
