"""Image preprocessing before Tesseract (orientation, deskew, denoise, upscale, binarise).

`prepare(image, mode)` takes a page image and returns a grayscale ("L") image for Tesseract.
`mode` is "none", "auto", or a comma-separated list of steps from `STEPS` (e.g. "deskew,upscale").
Steps always run in the order of `STEPS`, whatever order the list names them in. Every step is
conservative: when it cannot measure what it needs (blank page, too little text, OSD failure) it
returns the image unchanged, so a clean upright page passes through untouched.

Which steps "auto" runs was chosen with scripts/benchmark_ocr.py (see AUTO_STEPS).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import cv2
import numpy as np
from PIL import Image

from vnocr.errors import UsageError
from vnocr.image import geometry

#: Individual steps, in the order they are applied.
STEPS = ("orient", "deskew", "denoise", "upscale", "binarize")
#: Every accepted single-word mode; `prepare` also takes comma-separated lists of steps.
MODES = ("none", "auto", *STEPS)
#: Steps "auto" runs: those that lowered CER in `scripts/benchmark_ocr.py --ablation` without
#: hurting clean pages. orient: fixes sideways pages (CER ~88% -> 1%), free on upright ones (no
#: OSD call); deskew: 15.5% -> 1.6% on a 2-degree poor page; denoise + upscale only pay off
#: together (poor level 6.3% -> 0.8%; each alone hurts); binarize hurts at every level (Tesseract's
#: own Otsu does better), so it is available but not in auto. On moderately noisy 200-dpi scans
#: (noise 2-3) the median filter erodes thin serif strokes, so denoise waits for heavy noise, and
#: in auto mode upscale runs only on pages that denoise filtered (`prepare`).
AUTO_STEPS = ("orient", "deskew", "denoise", "upscale")

#: `estimate_noise` level from which `denoise` filters (grey levels).
NOISE_THRESHOLD = 3.5
#: Deskew search range and precision (degrees).
MAX_SKEW = 10.0
MIN_SKEW = 0.15
#: Target and threshold for the x-height of lowercase letters, in pixels.
TARGET_XHEIGHT = 24.0
MIN_XHEIGHT = 18.0
MAX_UPSCALE = 3.0
UPSCALE_INTERPOLATION = cv2.INTER_CUBIC
#: Upscaling never makes a page larger than this (an A4 page at 600 dpi is ~35 megapixels).
MAX_UPSCALED_PIXELS = 60_000_000
#: OSD needs this confidence before a page is turned.
MIN_OSD_CONFIDENCE = 1.5

_T = TypeVar("_T")


def parse_mode(mode: str) -> tuple[str, ...]:
    """Return the steps `mode` asks for, in application order; UsageError for an unknown step."""
    if not isinstance(mode, str):
        raise UsageError(f"preprocess mode must be a string, not {type(mode).__name__}")
    names = [part.strip().lower() for part in mode.split(",") if part.strip()]
    if not names:
        raise UsageError(f"empty preprocess mode; choose from {', '.join(MODES)}")
    unknown = [name for name in names if name not in MODES]
    if unknown:
        raise UsageError(
            f"unknown preprocess mode {unknown[0]!r}; choose from {', '.join(MODES)} "
            "or a comma-separated list of steps"
        )
    if len(names) > 1 and ("none" in names or "auto" in names):
        raise UsageError("'none' and 'auto' cannot be combined with other preprocess steps")
    if names == ["none"]:
        return ()
    if names == ["auto"]:
        return AUTO_STEPS
    return tuple(step for step in STEPS if step in names)


def to_gray(image: Image.Image) -> np.ndarray:
    """Grayscale uint8 array of `image` (transparency composited on white)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):  # 16-bit / float scans
        values = np.asarray(image, dtype=np.float64)
        low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
        if high <= low:
            return np.full(values.shape, 255, dtype=np.uint8)
        return np.round((values - low) * (255.0 / (high - low))).astype(np.uint8)
    if image.mode != "L":
        image = image.convert("L")
    return np.asarray(image, dtype=np.uint8)


def _ink_mask(gray: np.ndarray) -> np.ndarray:
    """Boolean mask of dark (ink) pixels by Otsu's threshold; empty without contrast."""
    if gray.size == 0 or int(gray.max()) - int(gray.min()) < 40:
        return np.zeros(gray.shape, dtype=bool)
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    mask = binary > 0
    if mask.mean() > 0.5:  # inverted page (light text on dark): ink is the minority class
        mask = ~mask
    return mask


class _LastPage:
    """Measurements of the last page image, kept while that image lives.

    The orientation check and deskew both need the skew of the same image, and a copy of it
    downscaled the same way: each is made once per image, not once per step that asks.
    """

    def __init__(self) -> None:
        self._image: weakref.ref[np.ndarray] | None = None
        self._values: dict[tuple[Any, ...], Any] = {}

    def get(self, image: np.ndarray, key: tuple[Any, ...], make: Callable[[], _T]) -> _T:
        """The value `make()` gave for this image and key, made now if not yet."""
        if self._image is None or self._image() is not image:
            self._image, self._values = weakref.ref(image), {}
        values = self._values  # `make` may ask about another image meanwhile
        if key not in values:
            values[key] = make()
        return values[key]


_last_page = _LastPage()


def _downscale(gray: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """Downscale so the longer side is at most `max_side`; return the image and the scale used."""
    scale = min(1.0, max_side / max(gray.shape))
    if scale >= 1.0:
        return gray, scale

    def resize() -> tuple[np.ndarray, float]:
        size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
        return cv2.resize(gray, size, interpolation=cv2.INTER_AREA), scale

    return _last_page.get(gray, ("downscale", max_side), resize)


# --- orientation -----------------------------------------------------------------------------


def _line_direction(gray: np.ndarray) -> str:
    """Which way the text lines run: "horizontal", "vertical" or "unknown" (projection profiles)."""
    small, _ = _downscale(gray, 1000)
    mask = _ink_mask(small)
    if mask.sum() < 200 or mask.mean() > 0.4:
        return "unknown"
    ink_ys, ink_xs = np.nonzero(mask)
    ys, xs = _subsample(ink_ys, ink_xs)
    ys, xs = ys.astype(np.float64), xs.astype(np.float64)
    angles = np.arange(-MAX_SKEW, MAX_SKEW + 0.5, 2.0)
    rows = max(_profile_score(ys, xs, float(a)) for a in angles)
    cols = max(_profile_score(xs, ys, float(a)) for a in angles)
    if rows > 1.5 * cols:
        return "horizontal"
    if cols > 1.5 * rows:
        return "vertical"
    return "unknown"


def _osd_window(gray: np.ndarray) -> np.ndarray:
    """The half-page window (at least 1000 px a side) holding the most ink, at full resolution."""
    height, width = gray.shape
    win_h, win_w = min(height, max(1000, height // 2)), min(width, max(1000, width // 2))
    if (win_h, win_w) == (height, width):
        return gray
    small, scale = _downscale(gray, 400)
    ink = _ink_mask(small).astype(np.int64)
    integral = np.pad(ink.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    sh, sw = max(1, round(win_h * scale)), max(1, round(win_w * scale))
    sh, sw = min(sh, ink.shape[0]), min(sw, ink.shape[1])
    sums = integral[sh:, sw:] - integral[:-sh, sw:] - integral[sh:, :-sw] + integral[:-sh, :-sw]
    small_top, small_left = (int(i) for i in np.unravel_index(int(np.argmax(sums)), sums.shape))
    top = min(round(small_top / scale), height - win_h)
    left = min(round(small_left / scale), width - win_w)
    return gray[top : top + win_h, left : left + win_w]


def upright_ratio(gray: np.ndarray) -> float | None:
    """Ink above the x-height band over ink below it, summed over the text lines.

    Ascenders, capitals and Vietnamese tone marks put far more ink above the band than
    descenders and the dot below put under it: about 1.4-3 on upright pages, 0.3-0.7 upside down.
    None when no text lines are found. Expects roughly horizontal lines.
    """
    small, _ = _downscale(gray, 1200)
    angle = measure_skew(gray)  # on the same downscaled copy; deskew reuses the measurement
    if abs(angle) >= MIN_SKEW:
        small = rotate_small(small, -angle)
    profile = _ink_mask(small).sum(axis=1).astype(np.float64)
    if profile.max() <= 0:
        return None
    on = profile > 0.02 * profile.max()
    edges = np.flatnonzero(np.diff(np.concatenate(([0], on.astype(np.int8), [0]))))
    above = below = 0.0
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        line = profile[start:end]
        if end - start < 4:
            continue
        core = np.flatnonzero(line >= 0.5 * line.max())
        above += float(line[: core[0]].sum())
        below += float(line[core[-1] + 1 :].sum())
    if above + below <= 0:
        return None
    return above / max(below, 1.0)


def _osd_rotation(gray: np.ndarray) -> tuple[int, float] | None:
    """Tesseract OSD on the densest part of the page: (clockwise fix, confidence) or None."""
    from vnocr.image import engine

    window = _osd_window(gray)
    xheight = measure_xheight(window)
    if xheight is not None and xheight < MIN_XHEIGHT:
        factor = min(MAX_UPSCALE, TARGET_XHEIGHT / max(xheight, 1.0))
        size = (round(window.shape[1] * factor), round(window.shape[0] * factor))
        window = cv2.resize(window, size, interpolation=cv2.INTER_CUBIC)
    return engine.current().orientation(Image.fromarray(window))


def detect_orientation(gray: np.ndarray) -> int:
    """Clockwise rotation (0, 90, 180, 270) that makes the page upright.

    Cheap checks first: projection profiles tell whether the lines run across or down the page,
    and `upright_ratio` whether horizontal lines are upside down. Tesseract OSD (on the densest
    part of the page) is only asked when the page looks sideways or upside down, and its answer
    must agree with those checks and be confident. Anything unclear (blank or text-poor page,
    OSD failure) gives 0.
    """
    direction = _line_direction(gray)
    if direction == "unknown":
        return 0
    if direction == "horizontal":
        ratio = upright_ratio(gray)
        if ratio is None or ratio >= 1.0:
            return 0
    osd = _osd_rotation(gray)
    if osd is None or osd[1] < MIN_OSD_CONFIDENCE:
        return 0
    rotate = osd[0]
    if direction == "vertical" and rotate in (90, 270):
        return rotate
    if direction == "horizontal" and rotate == 180:
        return rotate
    return 0


def rotate_right_angle(gray: np.ndarray, clockwise: int) -> np.ndarray:
    """Rotate by a multiple of 90 degrees clockwise (lossless)."""
    turns = (clockwise // 90) % 4
    return np.ascontiguousarray(np.rot90(gray, k=-turns))


def orient(gray: np.ndarray) -> np.ndarray:
    """Turn a page scanned sideways or upside down upright (Tesseract OSD)."""
    rotate = detect_orientation(gray)
    return rotate_right_angle(gray, rotate) if rotate else gray


# --- deskew ----------------------------------------------------------------------------------


def _subsample(ys: np.ndarray, xs: np.ndarray, limit: int = 60_000) -> tuple[np.ndarray, ...]:
    """At most `limit` ink pixel coordinates, evenly spaced (the profiles keep their shape)."""
    if ys.size <= limit:
        return ys, xs
    keep = np.linspace(0, ys.size - 1, limit).astype(np.int64)
    return ys[keep], xs[keep]


def _profile_score(ys: np.ndarray, xs: np.ndarray, angle: float) -> float:
    """Variance of the row profile of ink pixels rotated by `angle` degrees (sharper = larger)."""
    theta = math.radians(angle)
    rows = ys * math.cos(theta) - xs * math.sin(theta)
    rows = np.round(rows - rows.min()).astype(np.int64)
    counts = np.bincount(rows)
    return float(np.var(counts))


def measure_skew(gray: np.ndarray, max_angle: float = MAX_SKEW) -> float:
    """Skew of the text lines in degrees (positive = counter-clockwise), 0.0 when unmeasurable.

    Projection-profile search: the row histogram of ink pixels is sharpest when the lines are
    horizontal. Coarse search over +-max_angle, then refinement, on a downscaled copy. Asked
    again about the same image object, it returns the measurement it made.
    """
    return _last_page.get(gray, ("skew", max_angle), lambda: _measure_skew(gray, max_angle))


def _measure_skew(gray: np.ndarray, max_angle: float) -> float:
    small, _ = _downscale(gray, 1200)
    mask = _ink_mask(small)
    ink = int(mask.sum())
    if ink < 200 or mask.mean() > 0.4:
        return 0.0
    ys, xs = np.nonzero(mask)
    ys, xs = _subsample(ys, xs)
    ys = ys.astype(np.float64)
    xs = xs.astype(np.float64) - small.shape[1] / 2.0

    best = 0.0
    for step, span in ((1.0, max_angle), (0.2, 1.0), (0.05, 0.2)):
        angles = np.arange(best - span, best + span + step / 2, step)
        angles = angles[np.abs(angles) <= max_angle + 1e-9]
        scores = [_profile_score(ys, xs, float(a)) for a in angles]
        best = float(angles[int(np.argmax(scores))])
    flat = _profile_score(ys, xs, 0.0)
    peak = _profile_score(ys, xs, best)
    if peak <= flat * 1.02:  # no clear line structure (pictures, noise): leave it
        return 0.0
    # Rows y point down, so the sharpest profile at +a means the page was turned by -a
    # (counter-clockwise positive, as in PIL's Image.rotate).
    return round(-best, 2) + 0.0


def rotate_small(gray: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by `angle` degrees counter-clockwise about the centre, same size, paper fill."""
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), angle, 1.0)
    return cv2.warpAffine(
        gray,
        matrix,
        (width, height),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=_background(gray),
    )


def _background(gray: np.ndarray) -> int:
    """Paper colour: the median of the image (pages are mostly background)."""
    return int(np.median(gray[::4, ::4])) if gray.size else 255


def deskew(gray: np.ndarray) -> np.ndarray:
    """Undo a small rotation (up to +-10 degrees) of the text lines."""
    angle = measure_skew(gray)
    if abs(angle) < MIN_SKEW:
        return gray
    return rotate_small(gray, -angle)


# --- denoise ---------------------------------------------------------------------------------


def estimate_noise(gray: np.ndarray) -> float:
    """Median absolute difference from a 3x3 median filter: 0 on clean pages, 2+ on noisy ones."""
    return _noise(gray, cv2.medianBlur(gray, 3))


def _noise(gray: np.ndarray, filtered: np.ndarray) -> float:
    return float(np.median(cv2.absdiff(gray, filtered)[::2, ::2]))


def denoise(gray: np.ndarray) -> np.ndarray:
    """3x3 median filter against sensor noise and speckles, only when the page is noisy.

    Alone it can hurt a low-resolution page; before `upscale` it is what makes upscaling pay off
    (scripts/benchmark_ocr.py --ablation).
    """
    filtered = cv2.medianBlur(gray, 3)
    if _noise(gray, filtered) < NOISE_THRESHOLD:
        return gray
    return filtered


# --- upscale ---------------------------------------------------------------------------------


def measure_xheight(gray: np.ndarray) -> float | None:
    """Typical x-height of the text in pixels (mode of glyph heights); None without text."""
    mask = _ink_mask(gray)
    if mask.mean() < 0.001:
        return None
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    areas = stats[1:, cv2.CC_STAT_AREA]
    glyph = (heights >= 4) & (heights <= 200) & (widths <= 4 * heights) & (areas >= 6)
    heights = heights[glyph]
    if heights.size < 20:
        return None
    hist = np.bincount(heights)
    smooth = np.convolve(hist, np.ones(3), mode="same")
    return float(np.argmax(smooth))


def upscale(gray: np.ndarray) -> np.ndarray:
    """Enlarge low-resolution scans so the x-height reaches ~TARGET_XHEIGHT pixels (bicubic)."""
    xheight = measure_xheight(gray)
    if xheight is None or xheight >= MIN_XHEIGHT:
        return gray
    factor = min(
        MAX_UPSCALE, TARGET_XHEIGHT / max(xheight, 1.0), math.sqrt(MAX_UPSCALED_PIXELS / gray.size)
    )
    if factor <= 1.05:
        return gray
    size = (round(gray.shape[1] * factor), round(gray.shape[0] * factor))
    return cv2.resize(gray, size, interpolation=UPSCALE_INTERPOLATION)


# --- binarise --------------------------------------------------------------------------------


def binarize(gray: np.ndarray) -> np.ndarray:
    """Adaptive (local mean) threshold: black text on white, robust to uneven illumination."""
    if _ink_mask(gray).mean() == 0:
        return gray
    block = max(15, (min(gray.shape) // 40) | 1)
    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 15
    )


_FUNCTIONS = {
    "orient": orient,
    "deskew": deskew,
    "denoise": denoise,
    "upscale": upscale,
    "binarize": binarize,
}


def _step(step: str, gray: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Run one step; also return its geometric matrix (None when pixels stay in place)."""
    height, width = gray.shape
    if step == "orient":
        turns = detect_orientation(gray) // 90
        if not turns:
            return gray, None
        return rotate_right_angle(gray, turns * 90), geometry.right_angle(turns, width, height)
    if step == "deskew":
        angle = measure_skew(gray)
        if abs(angle) < MIN_SKEW:
            return gray, None
        matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), -angle, 1.0)
        return rotate_small(gray, -angle), matrix
    result = _FUNCTIONS[step](gray)
    if result.shape != gray.shape:  # upscale
        factors = (result.shape[1] / width, result.shape[0] / height)
        return result, geometry.scaling(*factors)
    return result, None


def prepare_page(image: Image.Image, mode: str = "auto") -> tuple[Image.Image, geometry.Transform]:
    """Like `prepare`, and also the Transform from `image` to the prepared image.

    Boxes found on the prepared image go back onto `image` with `Transform.to_page`.
    """
    transform = geometry.Transform((image.width, image.height))
    steps = parse_mode(mode)
    if not steps:
        return image, transform
    auto = mode.strip().lower() == "auto"
    noisy = False
    gray = to_gray(image)
    for step in steps:
        if min(gray.shape) < 8:
            break
        if auto and step == "upscale" and not noisy:
            continue  # upscaling only paid off together with denoising (see AUTO_STEPS)
        stepped, matrix = _step(step, gray)
        if step == "denoise":  # it filters exactly when estimate_noise reaches the threshold
            noisy = stepped is not gray
        gray = stepped
        if matrix is not None:
            transform = transform.then(matrix)
    result = Image.fromarray(gray)
    dpi = image.info.get("dpi")
    if dpi:  # keep the resolution hint in step with any upscaling (rotation keeps the scale)
        factor = math.sqrt(gray.size / max(1, image.width * image.height))
        result.info["dpi"] = (round(float(dpi[0]) * factor), round(float(dpi[1]) * factor))
    return result, transform


def prepare(image: Image.Image, mode: str = "auto") -> Image.Image:
    """Return the page image ready for Tesseract: grayscale (binary with "binarize")."""
    return prepare_page(image, mode)[0]
