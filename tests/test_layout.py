"""Word geometry through correction (vnocr.layout) and page geometry (vnocr.image.geometry)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from vnocr.image import geometry, preprocess
from vnocr.image.ocr import Word, rebuild_text
from vnocr.layout import BoxedWord, align_line, blocks, place_words, split_box


def word(text: str, left: int, width: int = 100, line: int = 1, par: int = 1, conf=90.0) -> Word:
    return Word(text, conf, (left, 50 * line, width, 40), 1, par, line, 0)


def texts_and_boxes(words: list[BoxedWord]) -> list[tuple[str, tuple[int, int, int, int]]]:
    return [(w.text, w.box) for w in words]


def test_replaced_word_takes_the_box_of_the_word_it_replaces():
    ocr = [word("Nghi", 0), word("quyét", 120), word("s6", 240, 40)]
    placed = align_line(ocr, "Nghị quyết số")
    assert texts_and_boxes(placed) == [
        ("Nghị", (0, 50, 100, 40)),
        ("quyết", (120, 50, 100, 40)),
        ("số", (240, 50, 40, 40)),
    ]
    assert [w.conf for w in placed] == [90.0, 90.0, 90.0]


def test_split_word_shares_the_box_by_character_widths():
    ocr = [word("của", 0, 60), word("Banchấp", 80, 150), word("hành", 250, 80)]
    placed = align_line(ocr, "của Ban chấp hành")
    assert [w.text for w in placed] == ["của", "Ban", "chấp", "hành"]
    ban, chap = placed[1].box, placed[2].box
    # 3 + 1 space + 4 characters over 150 px: "Ban" gets 3/8, "chấp" the last 4/8
    assert ban == (80, 50, round(150 * 3 / 8), 40)
    assert chap[0] == 80 + round(150 * 4 / 8) and chap[0] + chap[2] == 230
    assert ban[0] + ban[2] < chap[0]  # the space between them belongs to neither


def test_merged_words_take_the_union_of_their_boxes():
    ocr = [word("Quyết", 0), word("đị", 110, 30), word("nh", 150, 40), word("này", 210, 60)]
    placed = align_line(ocr, "Quyết định này")
    assert texts_and_boxes(placed) == [
        ("Quyết", (0, 50, 100, 40)),
        ("định", (110, 50, 80, 40)),
        ("này", (210, 50, 60, 40)),
    ]


def test_dropped_junk_has_no_text_and_other_words_keep_their_boxes():
    ocr = [word("Ủy", 0, 50), word("~@#", 70, 30), word("ban", 120, 60), word("nhân", 200)]
    placed = align_line(ocr, "Ủy ban nhân")
    assert texts_and_boxes(placed) == [
        ("Ủy", (0, 50, 50, 40)),
        ("ban", (120, 50, 60, 40)),
        ("nhân", (200, 50, 100, 40)),
    ]


def test_split_box_covers_the_box_left_to_right():
    parts = split_box((10, 0, 90, 20), ["ab", "c", "def"])
    assert parts[0][0] == 10 and parts[-1][0] + parts[-1][2] == 100
    assert all(a[0] + a[2] <= b[0] for a, b in zip(parts, parts[1:], strict=False))


def test_place_words_follows_lines_and_blank_lines_between_paragraphs():
    ocr = [word("Mot", 0), word("hai", 120), word("Ba", 0, line=2, par=2)]
    raw = rebuild_text(ocr)
    assert raw == "Mot hai\n\nBa"
    placed = place_words(ocr, "Một hai\n\nBa")
    assert [(w.text, w.par, w.line) for w in placed] == [("Một", 1, 1), ("hai", 1, 1), ("Ba", 2, 2)]
    [block] = blocks(placed)
    assert [len(p.lines) for p in block.paragraphs] == [1, 1]
    assert block.paragraphs[0].box == (0, 50, 220, 40)
    assert block.box == (0, 50, 220, 90)


def test_place_words_falls_back_to_the_ocr_words_if_lines_do_not_match():
    ocr = [word("Mot", 0), word("hai", 120)]
    assert [w.text for w in place_words(ocr, "Một\nhai")] == ["Mot", "hai"]


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_right_angle_turn_maps_boxes_back_onto_the_page(turns):
    page = np.zeros((300, 200), dtype=np.uint8)  # height 300, width 200
    page[40:60, 30:90] = 255  # a "word" at (30, 40, 60, 20)
    turned = preprocess.rotate_right_angle(page, turns * 90)
    ys, xs = np.nonzero(turned)
    found = (int(xs.min()), int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1)
    transform = geometry.Transform((200, 300)).then(geometry.right_angle(turns, 200, 300))
    assert transform.to_page(found) == (30, 40, 60, 20)


def test_deskew_and_upscale_boxes_map_back_onto_the_page():
    page = geometry.Transform((1000, 800))
    angle_matrix = np.array([[0.9998, 0.0175, -12.0], [-0.0175, 0.9998, 9.0]])
    transform = page.then(angle_matrix).then(geometry.scaling(2.0, 2.0))
    box = (300, 200, 120, 30)
    corners = np.array([[300, 420, 300, 420], [200, 200, 230, 230], [1, 1, 1, 1]], dtype=float)
    xs, ys, _ = np.array(transform.matrix) @ corners
    prepared = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min()), int(ys.max() - ys.min()))
    back = transform.to_page(prepared)
    assert geometry.overlap(back, box) >= 0.9 * box[2] * box[3]
    assert abs(back[0] - box[0]) <= 3 and abs(back[1] - box[1]) <= 3


def test_prepare_page_reports_an_upscale():
    image = Image.new("L", (400, 300), 255)
    prepared, transform = preprocess.prepare_page(image, "none")
    assert prepared is image and transform.is_identity
    assert transform.to_page((10, 20, 30, 40)) == (10, 20, 30, 40)


def test_deskew_transform_follows_the_pixels():
    from conftest import FONT
    from PIL import ImageDraw, ImageFont

    page = Image.new("L", (1200, 900), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(FONT), 36) if FONT.exists() else ImageFont.load_default()
    for row in range(12):
        draw.text((80, 60 + row * 60), "Cộng hòa xã hội chủ nghĩa Việt Nam " * 2, font=font, fill=0)
    page = page.rotate(3, fillcolor=255)
    ImageDraw.Draw(page).rectangle((900, 820, 923, 843), fill=0)  # a mark on the page as loaded
    prepared, transform = preprocess.prepare_page(page, "deskew")
    assert not transform.is_identity
    x, y, _ = np.array(transform.matrix) @ np.array([911.5, 831.5, 1.0])
    assert np.asarray(prepared)[round(y), round(x)] < 100  # the mark is where the map says
    back = transform.to_page((round(x) - 12, round(y) - 12, 24, 24))
    assert geometry.overlap(back, (900, 820, 24, 24)) > 0.5 * 24 * 24


def test_a_line_the_corrector_emptied_gives_no_words_and_the_others_keep_their_place():
    ocr = [word("Mot", 0), word("~#", 0, line=2), word("Ba", 0, line=3)]
    assert rebuild_text(ocr) == "Mot\n~#\nBa"
    placed = place_words(ocr, "Một\n\nBa")
    assert [(w.text, w.line) for w in placed] == [("Một", 1), ("Ba", 3)]
