"""Shared fixtures: sample paths, small test images and PDFs, a stubbed Tesseract."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


@pytest.fixture
def samples_dir() -> Path:
    """The committed sample documents and their ground truth."""
    return SAMPLES


@pytest.fixture
def vnocr_bin() -> str:
    """The installed `vnocr` console script of this venv."""
    path = Path(sys.executable).parent / "vnocr"
    assert path.exists(), "vnocr is not installed in this venv (run make install)"
    return str(path)


def text_image(text: str = "Cộng hòa", size: tuple[int, int] = (600, 160)) -> Image.Image:
    """A small grayscale image with `text` drawn in black."""
    image = Image.new("L", size, 255)
    font = ImageFont.truetype(str(FONT), 40) if FONT.exists() else ImageFont.load_default()
    ImageDraw.Draw(image).text((20, 50), text, font=font, fill=0)
    return image


@pytest.fixture
def make_image(tmp_path: Path) -> Callable[..., Path]:
    """Factory: save a small text image as `name` (format from the extension)."""

    def _make(name: str = "page.png", text: str = "Cộng hòa", size=(600, 160), **save) -> Path:
        path = tmp_path / name
        text_image(text, size).save(path, **save)
        return path

    return _make


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    """Factory: a PDF whose page n is an image of width 300 + 100*n points at 72 dpi."""

    def _make(name: str = "doc.pdf", pages: int = 3) -> Path:
        path = tmp_path / name
        images = [text_image(f"trang {n}", (300 + 100 * n, 200)) for n in range(1, pages + 1)]
        images[0].save(path, save_all=True, append_images=images[1:], resolution=72)
        return path

    return _make


@pytest.fixture
def pytesseract_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run OCR through the tesseract program (pytesseract) in this test."""
    monkeypatch.setenv("VNOCR_ENGINE", "pytesseract")


@pytest.fixture
def stub_tesseract(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Replace Tesseract: each page's text is "<width>x<height>" of the image it was given.

    Returns the list of image sizes OCR'd, in order.
    """
    from vnocr.image import ocr

    seen: list[tuple[int, int]] = []

    def fake_ocr(image: Image.Image, lang: str = "vie", psm: int = 3, dpi: int = 300):
        seen.append(image.size)
        word = ocr.Word(f"{image.width}x{image.height}", 90.0, (0, 0, 1, 1), 1, 1, 1, 1)
        return ocr.PageOCR(words=[word], text=word.text, confidence=90.0)

    info = ocr.TesseractInfo(version="5.3.0", languages=("eng", "osd", "vie"))
    monkeypatch.setattr(ocr, "ocr_image", fake_ocr)
    monkeypatch.setattr(ocr, "tesseract_info", lambda: info)
    return seen
