"""Tests for vnocr.image.preprocess: modes, orientation, deskew, upscale, blank pages."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest
from PIL import Image

from scripts.pagegen import degrade, find_fonts, render_page, wrap_words
from vnocr.errors import UsageError
from vnocr.image import preprocess

TEXT = (
    "Quyền được thông tin là một quyền cơ bản của công dân, được Hiến pháp ghi nhận. "
    "Các cơ quan hành chính phải công khai quy trình, thủ tục và kết quả giải quyết hồ sơ. "
    "Ủy ban nhân dân tỉnh đã chỉ đạo các sở, ngành rà soát văn bản quy phạm pháp luật. "
    "Người nông dân ở đồng bằng sông Cửu Long chuyển sang trồng lúa và nuôi thủy sản. "
    "Thư viện tỉnh vừa số hóa hàng nghìn cuốn sách cổ, tài liệu quý hiếm và bản đồ xưa. "
)


@lru_cache(maxsize=4)
def _page(font_index: int = 0, repeat: int = 2) -> Image.Image:
    fonts = find_fonts()
    if not fonts:
        pytest.skip("no installed font covers Vietnamese")
    font = fonts[font_index % len(fonts)]
    lines = wrap_words((TEXT * repeat).split(), font, 11, 6.5)
    return render_page(lines, font, 11)


def page(font_index: int = 0, repeat: int = 2) -> Image.Image:
    """A clean 300-dpi greyscale page of Vietnamese text (a fresh copy)."""
    return _page(font_index, repeat).copy()


def rotate_ccw(image: Image.Image, degrees: float) -> Image.Image:
    """The page turned counter-clockwise by `degrees` on a white background."""
    return image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def ocr_text(image: Image.Image) -> str:
    from vnocr.image.ocr import ocr_image

    return ocr_image(image, "vie", 3).text


# --- modes ---------------------------------------------------------------------------------


def test_modes_exported():
    assert preprocess.MODES[:2] == ("none", "auto")
    assert set(preprocess.STEPS) <= set(preprocess.MODES)
    assert set(preprocess.AUTO_STEPS) <= set(preprocess.STEPS)


@pytest.mark.parametrize(
    ("mode", "steps"),
    [
        ("none", ()),
        ("auto", preprocess.AUTO_STEPS),
        ("deskew", ("deskew",)),
        ("upscale, deskew", ("deskew", "upscale")),  # applied in the canonical order
        ("Orient,BINARIZE", ("orient", "binarize")),
        ("denoise,denoise", ("denoise",)),
    ],
)
def test_parse_mode(mode, steps):
    assert preprocess.parse_mode(mode) == steps


@pytest.mark.parametrize(
    "mode", ["", " , ", "sharpen", "deskew,foo", "auto,deskew", "none,upscale"]
)
def test_invalid_mode_raises_usage_error(mode):
    with pytest.raises(UsageError):
        preprocess.prepare(Image.new("L", (50, 50), 255), mode)


def test_none_is_identity():
    image = page()
    assert preprocess.prepare(image, "none") is image


def test_each_step_returns_grayscale():
    image = page().convert("RGB")
    for mode in preprocess.MODES:
        if mode == "none":
            continue
        out = preprocess.prepare(image, mode)
        assert out.mode == "L", mode


# --- blank and tiny pages --------------------------------------------------------------------


@pytest.mark.parametrize(
    "image",
    [
        Image.new("L", (2480, 3508), 255),
        Image.new("RGB", (1000, 1400), (250, 250, 245)),
        Image.new("L", (1000, 1400), 0),
        Image.new("RGBA", (300, 300), (0, 0, 0, 0)),
        Image.new("L", (3, 3), 255),
    ],
    ids=["white-a4", "cream-rgb", "black", "transparent", "tiny"],
)
def test_blank_page_passes_through(image):
    for mode in ("auto", ",".join(preprocess.STEPS)):
        out = preprocess.prepare(image, mode)
        assert out.mode == "L"
        if mode == "auto":
            assert out.size == image.size
            assert np.array_equal(np.asarray(out), preprocess.to_gray(image))


def test_speckled_blank_page_is_not_rotated_or_scaled():
    rng = np.random.default_rng(1)
    arr = np.full((1500, 1100), 245, np.uint8)
    arr[rng.random(arr.shape) < 0.001] = 30
    out = preprocess.prepare(Image.fromarray(arr), "auto")
    assert out.size == (1100, 1500)


# --- deskew ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("angle", "font_index"), [(2.5, 0), (-4.0, 1), (1.0, 3), (-7.5, 5)])
def test_skew_measured_and_undone(angle, font_index):
    skewed = rotate_ccw(page(font_index), angle)
    gray = preprocess.to_gray(skewed)
    assert preprocess.measure_skew(gray) == pytest.approx(angle, abs=0.5)
    fixed = preprocess.deskew(gray)
    assert fixed.shape == gray.shape
    assert abs(preprocess.measure_skew(fixed)) <= 0.5


def test_skew_measured_on_degraded_scans():
    for level, seed in (("scan", 3), ("poor", 4)):
        scan = degrade(page(2), level, seed=seed)
        measured = preprocess.measure_skew(preprocess.to_gray(scan))
        assert measured == pytest.approx(scan.info["skew"], abs=0.5), level


def test_straight_page_is_not_deskewed():
    gray = preprocess.to_gray(page())
    assert preprocess.measure_skew(gray) == 0.0
    assert preprocess.deskew(gray) is gray


# --- denoise ---------------------------------------------------------------------------------


def test_denoise_only_touches_noisy_pages():
    clean = preprocess.to_gray(page())
    assert preprocess.estimate_noise(clean) < preprocess.NOISE_THRESHOLD
    assert preprocess.denoise(clean) is clean
    noisy = preprocess.to_gray(degrade(page(), "poor", seed=2))
    assert preprocess.estimate_noise(noisy) >= preprocess.NOISE_THRESHOLD
    filtered = preprocess.denoise(noisy)
    assert filtered.shape == noisy.shape
    assert preprocess.estimate_noise(filtered) < preprocess.estimate_noise(noisy)


# --- upscale ---------------------------------------------------------------------------------


def test_upscale_enlarges_low_resolution_only():
    clean = preprocess.to_gray(page())
    assert preprocess.upscale(clean) is clean  # 11 pt at 300 dpi: x-height ~25 px
    poor = degrade(page(), "poor", seed=1)  # 150 dpi
    out = preprocess.prepare(poor, "upscale")
    assert out.width >= 1.4 * poor.width
    xheight = preprocess.measure_xheight(np.asarray(out))
    assert xheight is not None and xheight >= preprocess.MIN_XHEIGHT
    assert out.info["dpi"][0] > poor.info["dpi"][0]


def test_sixteen_bit_page_is_scaled_not_clipped():
    gray = preprocess.to_gray(page())
    wide = Image.fromarray(gray.astype(np.uint16) * 257)  # 16-bit greyscale
    assert np.array_equal(preprocess.to_gray(wide), gray)
    assert preprocess.prepare(wide, "auto").mode == "L"


# --- orientation -----------------------------------------------------------------------------


def test_upright_ratio_separates_upside_down_pages():
    gray = preprocess.to_gray(degrade(page(1), "scan", seed=2))
    assert preprocess.upright_ratio(gray) > 1.2
    assert preprocess.upright_ratio(np.ascontiguousarray(gray[::-1, ::-1])) < 0.8


def test_upright_page_skips_osd(monkeypatch):
    def fail(_gray):
        raise AssertionError("OSD must not run on an upright page")

    monkeypatch.setattr(preprocess, "_osd_rotation", fail)
    gray = preprocess.to_gray(page())
    assert preprocess.detect_orientation(gray) == 0


def test_osd_failure_leaves_page_alone(monkeypatch):
    monkeypatch.setattr(preprocess, "_osd_rotation", lambda _gray: None)
    gray = np.ascontiguousarray(np.rot90(preprocess.to_gray(page())))
    assert preprocess.detect_orientation(gray) == 0


@pytest.mark.e2e
@pytest.mark.parametrize("ccw", [90, 180, 270])
def test_rotation_detected_and_undone(ccw):
    upright = page(4)
    turned = upright.rotate(ccw, expand=True)
    gray = preprocess.to_gray(turned)
    assert preprocess.detect_orientation(gray) == ccw  # clockwise fix equals the ccw turn
    fixed = preprocess.prepare(turned, "orient")
    assert np.array_equal(np.asarray(fixed), np.asarray(upright))


@pytest.mark.e2e
def test_rotated_poor_scan_detected():
    scan = degrade(page(3), "poor", seed=5).rotate(90, expand=True)
    assert preprocess.detect_orientation(preprocess.to_gray(scan)) == 90


# --- end to end ------------------------------------------------------------------------------


@pytest.mark.e2e
def test_auto_does_not_hurt_clean_page():
    from vnocr.text.evaluate import cer

    image = page(1, repeat=1)
    truth = "\n".join(image.info["lines"])
    raw = cer(truth, ocr_text(image))
    prepared = cer(truth, ocr_text(preprocess.prepare(image, "auto")))
    assert prepared <= raw + 0.005


@pytest.mark.e2e
def test_auto_helps_a_skewed_low_resolution_scan():
    from vnocr.text.evaluate import cer

    image = degrade(page(0, repeat=1), "poor", seed=7)
    truth = "\n".join(image.info["lines"])
    raw = cer(truth, ocr_text(image))
    prepared = cer(truth, ocr_text(preprocess.prepare(image, "auto")))
    assert prepared < raw


def test_skew_measured_once_per_page_image(monkeypatch):
    calls = []
    measure = preprocess._measure_skew
    monkeypatch.setattr(
        preprocess, "_measure_skew", lambda gray, limit: calls.append(1) or measure(gray, limit)
    )
    page = preprocess.to_gray(_page().rotate(2.0, expand=True, fillcolor=255))
    first = preprocess.measure_skew(page)
    assert preprocess.upright_ratio(page) > 1.2 and preprocess.measure_skew(page) == first
    assert len(calls) == 1 and first == pytest.approx(2.0, abs=0.5)
    other = np.ascontiguousarray(page[:, ::-1])  # a new page, skewed the other way
    assert preprocess.measure_skew(other) == pytest.approx(-first, abs=0.2)
    assert len(calls) == 2
