"""Input loading: file kinds, page images (PDF rendered one page at a time), text files."""

from __future__ import annotations

import contextlib
import io
import re
import struct
import subprocess
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pdf2image
from pdf2image.exceptions import (
    PDFInfoNotInstalledError,
    PDFPageCountError,
    PDFPopplerTimeoutError,
    PDFSyntaxError,
)
from PIL import Image, ImageOps, UnidentifiedImageError

from vnocr.errors import DependencyError, InputError, UsageError
from vnocr.settings import DEFAULT_MAX_PIXELS
from vnocr.text.decoding import check_file

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
PDF_EXTENSIONS = {".pdf"}
TEXT_EXTENSIONS = {".txt", ".text"}
SUPPORTED = "PNG, JPEG, TIFF, BMP, WebP or PDF"
POPPLER_INSTALL = "install poppler: sudo apt-get install poppler-utils"
PDF_TIMEOUT_SECONDS = 600

# Magic numbers of the image formats we accept (first bytes of the file).
_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"),
    (b"MM\x00+", "TIFF"),
    (b"BM", "BMP"),
)

# What pdf2image raises for a PDF poppler cannot read (mapped to one-line errors by _pdf_error).
PDF_ERRORS = (PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError, PDFPopplerTimeoutError)


def _head(path: Path, size: int = 1024) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except PermissionError:
        raise InputError("permission denied (check the file permissions)", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", path=str(path)) from None


def image_format(head: bytes) -> str | None:
    """Name of the image format the first bytes announce, or None."""
    for magic, name in _IMAGE_MAGIC:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    return None


def detect_kind(path: str | Path) -> str:
    """Return "image", "pdf" or "text" from the file's first bytes (then its extension).

    Raises InputError for a missing file, a directory, an empty file or an unsupported type.
    """
    path = Path(path)
    check_file(path)
    head = _head(path)
    if not head:
        raise InputError("file is empty", path=str(path))
    if image_format(head):
        return "image"
    if b"%PDF-" in head:
        return "pdf"
    suffix = path.suffix.lower()
    if suffix in IMAGE_EXTENSIONS:
        raise InputError(
            f"not a valid {suffix[1:].upper()} image: the file is corrupt or not an image "
            "(re-scan or re-export it)",
            path=str(path),
        )
    if suffix in PDF_EXTENSIONS:
        raise InputError(
            "not a valid PDF: no %PDF header, the file is corrupt (re-export or re-download it)",
            path=str(path),
        )
    if suffix in TEXT_EXTENSIONS:
        return "text"
    label = f"'{suffix}'" if suffix else "without extension"
    raise InputError(f"unsupported file type {label} (expected {SUPPORTED})", path=str(path))


@dataclass(frozen=True)
class PageSpec:
    """The pages a --pages spec asks for, as sorted disjoint ranges (first, last), 1-based.

    Iterating gives the page numbers; the ranges are never expanded before they are checked
    against the page count (1-1000000000 costs nothing).
    """

    ranges: tuple[tuple[int, int], ...]

    def __iter__(self) -> Iterator[int]:
        for first, last in self.ranges:
            yield from range(first, last + 1)

    def __len__(self) -> int:
        return sum(last - first + 1 for first, last in self.ranges)

    def first_above(self, total: int) -> int | None:
        """The lowest page asked for above `total`, or None."""
        return next((max(first, total + 1) for first, last in self.ranges if last > total), None)


def parse_page_spec(spec: str | None) -> PageSpec | None:
    """Parse "1-3,7" into the pages 1, 2, 3, 7 (sorted, unique, 1-based); None or "" means
    all pages. Raises UsageError for a malformed spec.
    """
    if spec is None or not spec.strip():
        return None
    ranges: list[tuple[int, int]] = []
    for part in spec.split(","):
        part = part.strip()
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if not match:
            raise UsageError(
                f"bad page range '{_shown(part)}' in '{_shown(spec)}' (use e.g. 1-3,7)"
            )
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        if first < 1 or last < first:
            raise UsageError(
                f"bad page range '{part}' in '{_shown(spec)}' (pages start at 1, low-high)"
            )
        ranges.append((first, last))
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return PageSpec(tuple(merged))


def _shown(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters for an error message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _pdf_error(path: Path, exc: Exception, page: int | None = None) -> InputError | DependencyError:
    """Map a pdf2image/poppler failure to a one-line error."""
    if isinstance(exc, PDFInfoNotInstalledError):
        return DependencyError(f"poppler (pdfinfo/pdftoppm) not found ({POPPLER_INSTALL})")
    if isinstance(exc, PDFPopplerTimeoutError):
        return InputError(
            "rendering the PDF timed out (the file may be corrupt)", path=str(path), page=page
        )
    message = str(exc)
    if "Incorrect password" in message or "password" in message.lower():
        return InputError(
            "PDF is encrypted with a password (decrypt it first, e.g. "
            "qpdf --decrypt --password=... in.pdf out.pdf)",
            path=str(path),
        )
    if "Invalid page count 0" in message or "last page (0)" in message:
        return InputError("PDF has no pages (nothing to OCR)", path=str(path))
    detail = next(
        (
            line.strip()
            for line in message.splitlines()
            if line.strip() and not line.startswith("Unable to get page count")
        ),
        "",
    )
    detail = f": {detail}" if detail else ""
    return InputError(
        f"corrupt or unreadable PDF{detail} (re-export or repair it, e.g. with qpdf)",
        path=str(path),
        page=page,
    )


def _pdfinfo(path: Path, page: int | None = None) -> dict:
    try:
        if page is None:
            return pdf2image.pdfinfo_from_path(str(path), timeout=PDF_TIMEOUT_SECONDS)
        return pdf2image.pdfinfo_from_path(
            str(path), first_page=page, last_page=page, timeout=PDF_TIMEOUT_SECONDS
        )
    except PDF_ERRORS as exc:
        raise _pdf_error(path, exc, page) from None
    except (ValueError, KeyError) as exc:  # pdf2image fails to parse odd pdfinfo output
        raise InputError(f"corrupt or unreadable PDF ({exc})", path=str(path)) from None


@contextlib.contextmanager
def pixel_limit(max_pixels: int) -> Iterator[None]:
    """Make PIL's decompression-bomb check use `max_pixels` meanwhile (restored afterwards).

    PIL warns above its limit and fails above twice it; the warning is silenced because we
    check `width * height > max_pixels` ourselves and fail with a clear message.
    """
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # PIL's own remarks on damaged files (corrupt EXIF data): the damage that matters
            # fails the page with one line.
            warnings.filterwarnings("ignore", category=UserWarning, module="PIL")
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _open_image(path: Path, max_pixels: int) -> Image.Image:
    """Open an image file lazily (header only); call inside `pixel_limit`."""
    try:
        image = Image.open(path)
    except Image.DecompressionBombError:
        raise _too_big(path, None, None, max_pixels) from None
    except UnidentifiedImageError:
        raise InputError(
            "corrupt or unsupported image (re-scan or re-export it)", path=str(path)
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read image ({exc})", path=str(path)) from None
    return image


def _too_big(
    path: Path, page: int | None, size: tuple[int, int] | None, max_pixels: int
) -> InputError:
    dims = f"{size[0]}x{size[1]} = {size[0] * size[1] / 1e6:.0f} megapixels, " if size else ""
    return InputError(
        f"image too large ({dims}limit {max_pixels / 1e6:.0f} megapixels; "
        "scan at a lower dpi or raise the limit with --max-pixels)",
        path=str(path),
        page=page,
    )


def count_pages(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> int:
    """Number of pages (frames) in an image or PDF. Raises InputError if unreadable or empty."""
    path = Path(path)
    kind = detect_kind(path)
    if kind == "text":
        raise InputError(
            "is a text file, not an image or PDF (use `vnocr correct` for text)", path=str(path)
        )
    if kind == "pdf":
        pages = int(_pdfinfo(path).get("Pages", 0))
        if pages < 1:
            raise InputError("PDF has no pages (nothing to OCR)", path=str(path))
        return pages
    with pixel_limit(max_pixels), _open_image(path, max_pixels) as image:
        return _frame_count(image, path)


# What PIL raises on image data cut short or garbled, depending on where the damage is.
_IMAGE_DAMAGE = (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, struct.error)


def _frame_count(image: Image.Image, path: Path) -> int:
    """The number of pages (frames) of an opened image; InputError if its frames are damaged
    (a multi-page TIFF cut short: PIL must walk every frame to count them)."""
    try:
        return int(getattr(image, "n_frames", 1))
    except _IMAGE_DAMAGE as exc:
        raise _damaged_image(path, None, exc) from None


def _damaged_image(path: Path, page: int | None, exc: BaseException) -> InputError:
    """The one-line error for image data that is truncated or corrupt."""
    reason = "truncated" if "truncated" in str(exc) else f"corrupt ({exc})"
    return InputError(
        f"image data is {reason} (re-scan or re-export it)", path=str(path), page=page
    )


def _to_page_image(image: Image.Image) -> Image.Image:
    """Apply EXIF rotation and convert to a mode Tesseract accepts (1, L or RGB)."""
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("1", "L", "RGB"):
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _load_image_page(path: Path, page: int, max_pixels: int) -> Image.Image:
    image = _open_image(path, max_pixels)
    try:
        frames = _frame_count(image, path)
        if page > frames:
            raise InputError(
                f"page {page} does not exist (the file has {frames} page(s))", path=str(path)
            )
        if page > 1:
            try:
                image.seek(page - 1)
            except _IMAGE_DAMAGE as exc:
                raise _damaged_image(path, page, exc) from None
        width, height = image.size
        if width * height > max_pixels:
            raise _too_big(path, page if frames > 1 else None, image.size, max_pixels)
        try:
            image.load()
        except Image.DecompressionBombError:
            raise _too_big(path, page, image.size, max_pixels) from None
        except _IMAGE_DAMAGE as exc:
            raise _damaged_image(path, page if frames > 1 else None, exc) from None
        return _to_page_image(image.copy())
    finally:
        image.close()


def _load_pdf_page(path: Path, page: int, dpi: int, max_pixels: int) -> Image.Image:
    info = _pdfinfo(path, page)
    total = int(info.get("Pages", 0))
    if total < 1:
        raise InputError("PDF has no pages (nothing to OCR)", path=str(path))
    if page > total:
        raise InputError(
            f"page {page} does not exist (the PDF has {total} page(s))", path=str(path)
        )
    size_text = next(
        (value for key, value in info.items() if key.startswith("Page") and key.endswith("size")),
        "",
    )
    match = re.match(r"\s*([\d.]+)\s*x\s*([\d.]+)", str(size_text))
    if match:
        width = round(float(match.group(1)) / 72 * dpi)
        height = round(float(match.group(2)) / 72 * dpi)
        if width * height > max_pixels:
            raise _too_big(path, page, (width, height), max_pixels)
    image, problems = _render_pdf_page(path, page, dpi, max_pixels)
    image = _to_page_image(image)
    if problems:
        blank = image.convert("L").getextrema()[0] == image.convert("L").getextrema()[1]
        state = "renders blank" if blank else "may be incomplete"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        image.info[WARNINGS_KEY] = [
            f"damaged PDF page: {state}; poppler reported: {problems[0]}{more} "
            "(check the page, or repair the file, e.g. with qpdf)"
        ]
    return image


#: Where `load_page` puts its warnings about a page in `Image.info` (see `page_warnings`).
WARNINGS_KEY = "vnocr.warnings"
# Poppler's (and libjpeg's) messages about damage, as opposed to mere warnings.
_POPPLER_DAMAGE = re.compile(r"error|corrupt|premature|invalid|illegal|bad ", re.IGNORECASE)


def page_warnings(image: Image.Image) -> list[str]:
    """What `load_page` noticed about the page it loaded (damage), as one-line messages."""
    return list(getattr(image, "info", {}).get(WARNINGS_KEY, []))


def _render_pdf_page(
    path: Path, page: int, dpi: int, max_pixels: int
) -> tuple[Image.Image, list[str]]:
    """Render one PDF page with pdftoppm; (image, poppler's messages about damage)."""
    command = ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), str(path)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT_SECONDS)
    except FileNotFoundError:
        raise DependencyError(f"poppler (pdftoppm) not found ({POPPLER_INSTALL})") from None
    except subprocess.TimeoutExpired:
        raise InputError(
            "rendering the PDF timed out (the file may be corrupt)", path=str(path), page=page
        ) from None
    messages = done.stderr.decode("utf-8", "replace").splitlines()
    problems = [line.strip() for line in messages if _POPPLER_DAMAGE.search(line)]
    if done.returncode != 0 or not done.stdout:
        raise _pdf_error(path, PDFSyntaxError("\n".join(messages)), page)
    try:
        image = Image.open(io.BytesIO(done.stdout))
        image.load()
    except Image.DecompressionBombError:
        raise _too_big(path, page, None, max_pixels) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"cannot render PDF page ({exc})", path=str(path), page=page) from None
    return image, problems


def load_page(
    path: str | Path, page: int, dpi: int = 300, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Image.Image:
    """Load page `page` (1-based) of an image or PDF as a PIL image (PDFs rendered at `dpi`)."""
    path = Path(path)
    if page < 1:
        raise UsageError(f"page numbers start at 1 (got {page})")
    kind = detect_kind(path)
    if kind == "text":
        raise InputError(
            "is a text file, not an image or PDF (use `vnocr correct` for text)", path=str(path)
        )
    with pixel_limit(max_pixels):
        if kind == "pdf":
            return _load_pdf_page(path, page, dpi, max_pixels)
        return _load_image_page(path, page, max_pixels)


def select_pages(
    path: str | Path, pages: Iterable[int] | None, max_pixels: int = DEFAULT_MAX_PIXELS
) -> list[int]:
    """The pages to process: all of them, or `pages` checked against the page count."""
    total = count_pages(path, max_pixels)
    if pages is None:
        return list(range(1, total + 1))
    if isinstance(pages, PageSpec):  # checked before it is expanded
        missing = pages.first_above(total)
    else:
        pages = list(pages)
        missing = next((page for page in pages if page > total), None)
    if missing is not None:
        raise InputError(
            f"page {missing} does not exist (the file has {total} page(s))", path=str(path)
        )
    return list(pages)


def iter_pages(
    path: str | Path,
    pages: Iterable[int] | None = None,
    dpi: int = 300,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Iterator[tuple[int, Image.Image]]:
    """Yield (page number, image) for the selected pages, loading one page at a time."""
    for page in select_pages(path, pages, max_pixels):
        yield page, load_page(path, page, dpi, max_pixels)
