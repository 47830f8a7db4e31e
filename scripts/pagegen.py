"""Synthetic page generator: render Vietnamese text lines to page images and degrade them.

Used to make OCR training/evaluation data whose ground truth is known line by line:

    from scripts.pagegen import find_fonts, render_page, degrade
    page = render_page(["Quyền được thông tin", "là một quyền cơ bản"], find_fonts()[0], 12)
    scan = degrade(page, "scan", seed=1)

`render_page` draws exactly one text line per input line (never wraps), so the i-th non-blank
OCR line corresponds to the i-th input line. Box geometry is kept in `image.info["line_boxes"]`
(pixel boxes `(left, top, right, bottom)`, one per input line) and is carried through `degrade`.
Everything is deterministic for a given seed.
"""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

REPO = Path(__file__).resolve().parent.parent
CACHE_DIR = REPO / ".cache"

#: Levels the channel model is built from (scripts/build_channel.py).
LEVELS = ("clean", "scan", "poor")
#: Every level `degrade` knows: also "speckle", heavy speckle a person still reads easily
#: (scripts/benchmark_ocr.py).
ALL_LEVELS = (*LEVELS, "speckle")

# Every letter of the Vietnamese alphabet with every tone, both cases (orthography, not data).
_VI_BASE = "aăâeêioôơuưy"
_VI_TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
VIETNAMESE_LETTERS: str = "".join(
    sorted(
        {
            unicodedata.normalize("NFC", v + t)
            for v in _VI_BASE + _VI_BASE.upper()
            for t in _VI_TONES
        }
        | set("đĐbcdghklmnpqrstvxBCDGHKLMNPQRSTVX")
    )
)

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")

# Degradation parameters per level: skew range (degrees), blur radius (px at 300 dpi),
# effective dpi, gaussian noise sigma (grey levels), JPEG quality, speckle density.
_LEVEL_PARAMS: dict[str, dict[str, float]] = {
    "clean": {"skew": 0.0, "blur": 0.0, "dpi": 300, "noise": 0.0, "jpeg": 0, "speckle": 0.0},
    "scan": {"skew": 1.0, "blur": 0.7, "dpi": 200, "noise": 10.0, "jpeg": 60, "speckle": 0.0003},
    "poor": {"skew": 3.0, "blur": 1.4, "dpi": 150, "noise": 20.0, "jpeg": 35, "speckle": 0.002},
    # ~0.8% of the pixels flipped: dark/grey specks at the speckle rate, light at half of it.
    "speckle": {"skew": 3.0, "blur": 1.1, "dpi": 150, "noise": 8.0, "jpeg": 35, "speckle": 0.0053},
}


# --------------------------------------------------------------------------- fonts


def _glyph_bytes(font: ImageFont.FreeTypeFont, ch: str) -> bytes:
    """Rendered bitmap of one character (for comparing against the .notdef box)."""
    img = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(img).text((8, 4), ch, font=font, fill=255)
    return img.tobytes()


def _covers(font_path: Path, chars: str) -> bool:
    """True if the font has a real glyph (not .notdef) for every char in `chars`."""
    try:
        font = ImageFont.truetype(str(font_path), 40)
    except OSError:
        return False
    missing = {_glyph_bytes(font, "\U0010fffd"), _glyph_bytes(font, "\uffff")}
    blank = bytes(64 * 64)
    for ch in chars:
        data = _glyph_bytes(font, ch)
        if data in missing or data == blank:
            return False
    return True


def find_fonts(all_styles: bool = False) -> list[Path]:
    """Installed serif/sans TrueType/OpenType fonts that cover every Vietnamese letter.

    By default only upright regular faces (no bold/italic/condensed/mono/display variants);
    `all_styles=True` also returns bold and italic faces. Sorted by file name.
    """
    return list(_find_fonts(all_styles))


@lru_cache(maxsize=4)
def _find_fonts(all_styles: bool) -> tuple[Path, ...]:
    skip = ("mono", "condensed", "extralight", "display", "math", "symbols")
    styled = ("bold", "italic", "oblique")
    found: dict[str, Path] = {}
    for root in FONT_DIRS:
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.suffix.lower() not in (".ttf", ".otf"):
                continue
            name = path.stem.lower()
            if "serif" not in name and "sans" not in name:
                continue
            if any(s in name for s in skip):
                continue
            if not all_styles and any(s in name for s in styled):
                continue
            # Script-specific Noto families (NotoSansArabic, ...) fail the coverage test anyway;
            # skip them early by name to keep this fast.
            family = path.stem.split("-")[0]
            if family.startswith("Noto") and family not in ("NotoSans", "NotoSerif"):
                continue
            if path.name not in found and _covers(path, VIETNAMESE_LETTERS):
                found[path.name] = path
    return tuple(found[k] for k in sorted(found))


def font_label(font_path: Path) -> str:
    """Short name of a font file, e.g. 'DejaVuSerif'."""
    return Path(font_path).stem.replace("-Regular", "")


@lru_cache(maxsize=64)
def load_font(font_path: str | Path, size_pt: float, dpi: int = 300) -> ImageFont.FreeTypeFont:
    """Pillow font object for `size_pt` points at `dpi`."""
    return ImageFont.truetype(str(font_path), max(1, round(size_pt * dpi / 72)))


# --------------------------------------------------------------------------- rendering


def wrap_words(
    words: Sequence[str], font_path: str | Path, size_pt: float, width_in: float, dpi: int = 300
) -> list[str]:
    """Greedy-wrap `words` into lines no wider than `width_in` inches in the given font."""
    font = load_font(font_path, size_pt, dpi)
    limit = width_in * dpi
    lines: list[str] = []
    current = ""
    for word in words:
        trial = f"{current} {word}" if current else word
        if current and font.getlength(trial) > limit:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def render_page(
    lines: Sequence[str],
    font_path: str | Path,
    size_pt: float,
    dpi: int = 300,
    *,
    margin_in: float = 0.6,
    line_spacing: float = 1.45,
    page_width_in: float = 8.27,
) -> Image.Image:
    """Render `lines` (one image line per input line, never wrapped) on a white greyscale page.

    The page is A4 wide unless a line needs more room. Blank input lines leave an empty line.
    `image.info` gets `dpi`, `line_boxes` (one `(l, t, r, b)` per input line, ink extent;
    an empty box at the line position for blank lines) and `lines` (the text).
    """
    font = load_font(font_path, size_pt, dpi)
    ascent, descent = font.getmetrics()
    pitch = max(round(size_pt * dpi / 72 * line_spacing), ascent + descent + 2)
    margin = round(margin_in * dpi)
    widths = [font.getlength(t) for t in lines]
    width = max(round(page_width_in * dpi), round(max(widths, default=0)) + 2 * margin)
    height = 2 * margin + pitch * max(1, len(lines))
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    boxes: list[tuple[int, int, int, int]] = []
    for i, text in enumerate(lines):
        y = margin + i * pitch + (pitch - (ascent + descent)) // 2
        if text.strip():
            draw.text((margin, y), text, font=font, fill=0)
            left, top, right, bottom = draw.textbbox((margin, y), text, font=font)
            boxes.append((left, top, right, bottom))
        else:
            boxes.append((margin, y, margin, y + ascent + descent))
    image.info["dpi"] = (dpi, dpi)
    image.info["line_boxes"] = boxes
    image.info["lines"] = list(lines)
    return image


# --------------------------------------------------------------------------- degradation


def _rotate_boxes(
    boxes: Iterable[tuple[float, float, float, float]],
    angle_deg: float,
    size: tuple[int, int],
    new_size: tuple[int, int],
) -> list[tuple[int, int, int, int]]:
    """Boxes after `Image.rotate(angle_deg, expand=True)` (counter-clockwise), as bounding boxes."""
    a = math.radians(angle_deg)
    cos, sin = math.cos(a), math.sin(a)
    cx, cy = size[0] / 2, size[1] / 2
    nx, ny = new_size[0] / 2, new_size[1] / 2
    out = []
    for left, top, right, bottom in boxes:
        xs, ys = [], []
        for x, y in ((left, top), (right, top), (left, bottom), (right, bottom)):
            dx, dy = x - cx, y - cy
            # Image y axis points down, so a CCW rotation on screen uses this sign pattern.
            xs.append(nx + dx * cos + dy * sin)
            ys.append(ny - dx * sin + dy * cos)
        out.append((round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys))))
    return out


def degrade(image: Image.Image, level: str, seed: int = 0) -> Image.Image:
    """Return a degraded copy of a rendered page; deterministic for (`image`, `level`, `seed`).

    Levels: "clean" (unchanged, greyscale), "scan" (slight blur, noise, ~1 degree skew,
    200 dpi equivalent, JPEG q60), "poor" (heavy blur and noise, speckles, ~3 degree skew,
    150 dpi equivalent, JPEG q35), "speckle" (blur 1.1, ~0.8% of the pixels flipped to black,
    grey or white, ~3 degree skew, 150 dpi, JPEG q35). The result is downscaled to the effective
    dpi (recorded in `info["dpi"]`); `info["line_boxes"]` is rotated and scaled along with the
    page, and `info["skew"]`, `info["level"]` record what was done.
    """
    if level not in _LEVEL_PARAMS:
        raise ValueError(f"unknown degradation level {level!r}; expected one of {ALL_LEVELS}")
    p = _LEVEL_PARAMS[level]
    rng = np.random.default_rng([seed, ALL_LEVELS.index(level)])
    src_dpi = int(image.info.get("dpi", (300, 300))[0])
    boxes = list(image.info.get("line_boxes", []))
    lines = image.info.get("lines")
    img = image.convert("L")
    angle = 0.0
    if level == "clean":
        out = img.copy()
        out.info.update(dpi=(src_dpi, src_dpi), line_boxes=boxes, skew=0.0, level=level)
        if lines is not None:
            out.info["lines"] = lines
        return out

    # Skew: magnitude around the nominal value, random sign.
    angle = float(p["skew"] * rng.uniform(0.6, 1.15) * rng.choice([-1.0, 1.0]))
    size = img.size
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    boxes = _rotate_boxes(boxes, angle, size, img.size)

    # Optical blur at full resolution.
    if p["blur"]:
        img = img.filter(ImageFilter.GaussianBlur(p["blur"] * rng.uniform(0.85, 1.15)))

    # Sample at the effective scanner resolution.
    dpi = int(p["dpi"])
    scale = dpi / src_dpi
    if scale < 1:
        new = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        img = img.resize(new, Image.Resampling.BILINEAR)
        boxes = [tuple(round(v * scale) for v in b) for b in boxes]

    arr = np.asarray(img, dtype=np.float32)
    # Paper tone and uneven illumination (a gentle horizontal/vertical gradient).
    h, w = arr.shape
    paper = 255 - rng.uniform(5, 25 if level == "poor" else 12)
    ink = rng.uniform(20, 60 if level == "poor" else 40)
    arr = ink + (paper - ink) * (arr / 255.0)
    gy = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    gx = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    shade = rng.uniform(0, 20 if level == "poor" else 8)
    arr -= shade * (0.5 * gx + 0.5 * gy)
    # Sensor noise.
    if p["noise"]:
        arr += rng.normal(0, p["noise"], size=arr.shape).astype(np.float32)
    # Dust speckles (dark) and dropouts (light).
    if p["speckle"]:
        mask = rng.random(arr.shape) < p["speckle"]
        arr[mask] = rng.uniform(0, 90, size=int(mask.sum()))
        mask = rng.random(arr.shape) < p["speckle"] / 2
        arr[mask] = 255
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")

    if p["jpeg"]:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(p["jpeg"]))
        buf.seek(0)
        img = Image.open(buf)
        img.load()
        img = img.convert("L")
    img.info.update(dpi=(dpi, dpi), line_boxes=boxes, skew=angle, level=level)
    if lines is not None:
        img.info["lines"] = lines
    return img


# --------------------------------------------------------------------------- text source

UNDERTHESEA_VERSION = "9.5.0"
_UTS_MEMBER = "underthesea/pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt"

_NO_SPACE_BEFORE = set(",.;:!?)]}%…”’")
_NO_SPACE_AFTER = set("([{“‘")


def detokenize(tokens: Sequence[str]) -> str:
    """Join word tokens with spaces, attaching punctuation sensibly (no space before ',' etc.)."""
    out = ""
    quote_open = False
    for tok in tokens:
        if not out:
            out = tok
        elif (
            tok in _NO_SPACE_BEFORE
            or (tok == '"' and quote_open)
            or out[-1] in _NO_SPACE_AFTER
            or (out.endswith('"') and quote_open)
        ):
            out += tok
        else:
            out += " " + tok
        if tok == '"':
            quote_open = not quote_open
    return out


def _ensure_underthesea_wheel(cache_dir: Path) -> Path:
    """Path of the cached underthesea wheel, downloading it with pip (no deps) if missing."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    pattern = f"underthesea-{UNDERTHESEA_VERSION}-*.whl"
    wheels = sorted(cache_dir.glob(pattern))
    if not wheels:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                f"underthesea=={UNDERTHESEA_VERSION}",
                "--no-deps",
                "-d",
                str(cache_dir),
                "-q",
            ],
            check=True,
        )
        wheels = sorted(cache_dir.glob(pattern))
    if not wheels:
        raise FileNotFoundError(f"pip download left no {pattern} in {cache_dir}")
    return wheels[-1]


def underthesea_sentences(cache_dir: Path | None = None) -> list[str]:
    """Vietnamese sentences from underthesea 9.5.0's VLSP-2013 POS test output (Apache-2.0).

    The wheel is fetched once with `pip download` into `.cache/underthesea/`.
    """
    cache_dir = cache_dir or CACHE_DIR / "underthesea"
    text_cache = cache_dir / "test_output.txt"
    if not text_cache.exists():
        with zipfile.ZipFile(_ensure_underthesea_wheel(cache_dir)) as zf:
            text_cache.write_bytes(zf.read(_UTS_MEMBER))
    sentences: list[str] = []
    tokens: list[str] = []
    for raw in text_cache.read_text(encoding="utf-8").splitlines() + [""]:
        if not raw.strip():
            if tokens:
                sentences.append(unicodedata.normalize("NFC", detokenize(tokens)))
            tokens = []
            continue
        tokens.append(raw.split("\t")[0].strip())
    return [s for s in sentences if len(s) >= 3]


def corpus_sentences(extra: Sequence[Path] = ()) -> list[str]:
    """underthesea sentences plus lines of `lexicon/domain/corpus.txt` (if present) and `extra`."""
    sentences = underthesea_sentences()
    for path in [REPO / "lexicon" / "domain" / "corpus.txt", *extra]:
        if Path(path).is_file():
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                line = unicodedata.normalize("NFC", line.strip())
                if len(line) >= 3:
                    sentences.append(line)
    return sentences


if __name__ == "__main__":  # pragma: no cover - quick visual check
    out = Path(os.environ.get("PAGEGEN_OUT", "/tmp/pagegen"))
    out.mkdir(parents=True, exist_ok=True)
    fonts = find_fonts()
    print("fonts:", ", ".join(font_label(f) for f in fonts))
    sents = underthesea_sentences()
    print("sentences:", len(sents))
    lines = wrap_words(" ".join(sents[:12]).split(), fonts[0], 11, 6.5)
    page = render_page(lines, fonts[0], 11)
    for lvl in LEVELS:
        degrade(page, lvl, seed=1).save(out / f"{lvl}.png")
    print("wrote", out)
