"""Image preprocessing before Tesseract (orientation, deskew, denoise, upscale, binarise)."""

from __future__ import annotations

from PIL import Image

MODES = ("none", "auto")


def prepare(image: Image.Image, mode: str = "auto") -> Image.Image:
    """Return the page image ready for Tesseract. For now every mode is the identity."""
    return image
