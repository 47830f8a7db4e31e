"""Input loading: file kinds, page images (PDF rendered one page at a time), text files."""

from __future__ import annotations

import codecs
import contextlib
import re
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

from pipeline import legacy_encodings
from pipeline.errors import DependencyError, InputError, UsageError
from pipeline.settings import DEFAULT_MAX_PIXELS

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

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# What pdf2image raises for a PDF poppler cannot read (mapped to one-line errors by _pdf_error).
PDF_ERRORS = (PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError, PDFPopplerTimeoutError)


def _check_file(path: Path) -> None:
    """Raise InputError unless `path` is an existing, readable regular file."""
    if not path.exists():
        raise InputError("no such file (check the path)", path=str(path))
    if path.is_dir():
        raise InputError("is a directory, not a file (give the files inside it)", path=str(path))
    if not path.is_file():
        raise InputError("is not a regular file", path=str(path))


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
    _check_file(path)
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


def parse_page_spec(spec: str | None) -> list[int] | None:
    """Parse "1-3,7" into [1, 2, 3, 7] (sorted, unique, 1-based); None or "" means all pages.

    Raises UsageError for a malformed spec.
    """
    if spec is None or not spec.strip():
        return None
    pages: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if not match:
            raise UsageError(f"bad page range '{part}' in '{spec}' (use e.g. 1-3,7)")
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        if first < 1 or last < first:
            raise UsageError(f"bad page range '{part}' in '{spec}' (pages start at 1, low-high)")
        pages.update(range(first, last + 1))
    return sorted(pages)


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
        return int(getattr(image, "n_frames", 1))


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
        frames = int(getattr(image, "n_frames", 1))
        if page > frames:
            raise InputError(
                f"page {page} does not exist (the file has {frames} page(s))", path=str(path)
            )
        if page > 1:
            image.seek(page - 1)
        width, height = image.size
        if width * height > max_pixels:
            raise _too_big(path, page if frames > 1 else None, image.size, max_pixels)
        try:
            image.load()
        except Image.DecompressionBombError:
            raise _too_big(path, page, image.size, max_pixels) from None
        except (OSError, SyntaxError, ValueError) as exc:
            reason = "truncated" if "truncated" in str(exc) else f"corrupt ({exc})"
            where = page if frames > 1 else None
            raise InputError(
                f"image data is {reason} (re-scan or re-export it)", path=str(path), page=where
            ) from None
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
    try:
        images = pdf2image.convert_from_path(
            str(path), dpi=dpi, first_page=page, last_page=page, timeout=PDF_TIMEOUT_SECONDS
        )
    except PDF_ERRORS as exc:
        raise _pdf_error(path, exc, page) from None
    except Image.DecompressionBombError:
        raise _too_big(path, page, None, max_pixels) from None
    except OSError as exc:
        raise InputError(f"cannot render PDF page ({exc})", path=str(path), page=page) from None
    if not images:
        raise InputError(
            "PDF page could not be rendered (the file may be corrupt)", path=str(path), page=page
        )
    return _to_page_image(images[0])


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
    wanted = list(pages)
    missing = [page for page in wanted if page > total]
    if missing:
        raise InputError(
            f"page {missing[0]} does not exist (the file has {total} page(s))", path=str(path)
        )
    return wanted


def iter_pages(
    path: str | Path,
    pages: Iterable[int] | None = None,
    dpi: int = 300,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Iterator[tuple[int, Image.Image]]:
    """Yield (page number, image) for the selected pages, loading one page at a time."""
    for page in select_pages(path, pages, max_pixels):
        yield page, load_page(path, page, dpi, max_pixels)


def decode_text(data: bytes, name: str) -> str:
    """Decode bytes as UTF-8 (with or without BOM) or BOM-marked UTF-16/32.

    Raises InputError naming `name` and the byte offset of the first invalid byte.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"invalid {encoding.upper()} at byte offset {exc.start} "
                    "(re-save the file as UTF-8)",
                    path=name,
                ) from None
            return text.lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise InputError(
            f"not valid UTF-8: byte 0x{bad} at byte offset {exc.start} (re-save the file as UTF-8)",
            path=name,
        ) from None


def _read_bytes(path: Path) -> bytes:
    _check_file(path)
    try:
        return path.read_bytes()
    except PermissionError:
        raise InputError("permission denied (check the file permissions)", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", path=str(path)) from None


def read_text(path: str | Path) -> str:
    """Read a text file as str (UTF-8, UTF-8 BOM or UTF-16/32 BOM); InputError otherwise."""
    path = Path(path)
    return decode_text(_read_bytes(path), str(path))


@dataclass(frozen=True)
class DecodedText:
    """A text document's content and, if it was not Unicode, the legacy encoding it was in."""

    text: str
    encoding: str | None = None  # a pipeline.legacy_encodings name; None for UTF-8/16/32
    detected: bool = False  # True when the encoding was found, not given


def decode_document(data: bytes, name: str, encoding: str | None = None) -> DecodedText:
    """Decode a text document: UTF-8 or a BOM first, then the Vietnamese legacy encodings.

    `encoding` forces one (a pipeline.legacy_encodings name; "utf-8" means UTF-8 only).
    Without it, bytes that are not UTF-8 are decoded with the 8-bit encoding (TCVN3, VNI,
    VISCII, Windows-1258) whose words are valid Vietnamese syllables, and pure ASCII that is
    clearly VIQR is converted. InputError with the byte offset of the first bad UTF-8 byte
    if nothing fits.
    """
    if encoding is not None:
        known = legacy_encodings.lookup(encoding)
        if known is None:
            names = ", ".join(legacy_encodings.NAMES)
            raise UsageError(f"unknown encoding '{encoding}' (use one of: {names})")
        encoding = known.name
    if encoding is not None and encoding != "utf-8":
        return DecodedText(legacy_encodings.decode(data, encoding), encoding)
    if encoding == "utf-8" or any(data.startswith(bom) for bom, _ in _BOMS):
        return DecodedText(decode_text(data, name))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        found = legacy_encodings.detect(data)
        if found is None:
            bad = data[exc.start : exc.start + 1].hex()
            raise InputError(
                f"not valid UTF-8: byte 0x{bad} at byte offset {exc.start} (re-save the file "
                "as UTF-8, or name its encoding with --encoding)",
                path=name,
            ) from None
        return DecodedText(legacy_encodings.decode(data, found.name), found.name, True)
    viqr = legacy_encodings.detect_viqr(text) if text.isascii() else None
    if viqr is not None:
        return DecodedText(viqr, "viqr", True)
    return DecodedText(text)


def read_document(path: str | Path, encoding: str | None = None) -> DecodedText:
    """Read a text document, recognising legacy Vietnamese encodings (see decode_document)."""
    path = Path(path)
    return decode_document(_read_bytes(path), str(path), encoding)
