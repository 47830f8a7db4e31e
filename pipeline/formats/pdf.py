"""Searchable PDF/A output: the original pages with an invisible layer of the corrected text.

OCRmyPDF builds the PDF (text layer rendering, grafting onto the untouched pages, PDF/A) with
vnocr as its OCR engine (`vnocr.ocrmypdf_plugin`). Input PDFs keep their pages, page sizes and
metadata; images (multi-page TIFF included) are first wrapped losslessly into a PDF (img2pdf).
The input is checked by vnocr's own loader first, so an encrypted or corrupt file gets the same
one-line error as for text output; the output is written atomically. The OCR reads the same
page image as `vnocr ocr` (see `_rasterizing`), so the text layer is the text it prints.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from vnocr.errors import DependencyError, InputError, OcrError, UsageError, VnocrError
from vnocr.image import load
from vnocr.outputs import atomic_path
from vnocr.results import PageResult
from vnocr.settings import Settings

#: `--pdfa` choices: no PDF/A, or PDF/A-1b, -2b, -3b.
PDFA_LEVELS = ("none", "1", "2", "3")
DEFAULT_PDFA = "2"
PLUGIN = "vnocr.ocrmypdf_plugin"
GHOSTSCRIPT_INSTALL = "sudo apt-get install ghostscript"


def output_type(pdfa: str) -> str:
    """OCRmyPDF's --output-type for a `--pdfa` level."""
    if pdfa not in PDFA_LEVELS:
        raise UsageError(f"unknown PDF/A level '{pdfa}' (use {', '.join(PDFA_LEVELS)})")
    return "pdf" if pdfa == "none" else f"pdfa-{pdfa}"


def page_spec(pages: Iterable[int] | None) -> str | None:
    """OCRmyPDF's --pages value ("1,3,7", or "1-3,7" for a --pages spec) for 1-based pages.

    A spec's ranges are written as ranges, never expanded (1-1000000000 stays short).
    """
    if pages is None:
        return None
    if isinstance(pages, load.PageSpec):
        return ",".join(f"{a}-{b}" if a != b else str(a) for a, b in pages.ranges)
    return ",".join(str(page) for page in pages)


def images_to_pdf(image: Path, pdf: Path, dpi: int) -> None:
    """Wrap an image file (every frame of a TIFF) into a PDF without re-encoding it."""
    import img2pdf
    from PIL import Image

    with Image.open(image) as probe:
        has_dpi = bool(probe.info.get("dpi")) and 70 <= float(probe.info["dpi"][0]) <= 2400
        alpha = probe.mode in ("RGBA", "LA", "PA") or "transparency" in probe.info
    layout = img2pdf.default_layout_fun if has_dpi else img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    source: Path = image
    if alpha:  # PDF images carry no alpha channel: flatten on white (re-encoded, losslessly)
        source = pdf.with_suffix(".png")
        with Image.open(image) as original:
            flat = Image.new("RGB", original.size, "white")
            flat.paste(original.convert("RGBA"), mask=original.convert("RGBA").split()[-1])
            flat.save(source, dpi=original.info.get("dpi", (dpi, dpi)))
    try:
        pdf.write_bytes(
            img2pdf.convert(str(source), layout_fun=layout, rotation=img2pdf.Rotation.ifvalid)
        )
    except (img2pdf.ImageOpenError, ValueError, OSError) as exc:
        raise InputError(f"cannot make a PDF of this image ({exc})", path=str(image)) from None


@contextlib.contextmanager
def _quiet_ocrmypdf() -> Iterator[None]:
    """Keep OCRmyPDF's progress messages off stderr; its errors still show."""
    logger = logging.getLogger("ocrmypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _error(exc: Exception, source: Path) -> VnocrError:
    """One-line vnocr error for an OCRmyPDF failure."""
    from ocrmypdf import exceptions as ox

    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    if isinstance(exc, ox.EncryptedPdfError):
        return InputError(
            "PDF is encrypted with a password (decrypt it first, e.g. "
            "qpdf --decrypt --password=... in.pdf out.pdf)",
            path=str(source),
        )
    if isinstance(exc, ox.PriorOcrFoundError):
        return InputError(
            "the PDF already has a text layer (vnocr does not replace it; remove it first, "
            "or use --format txt)",
            path=str(source),
        )
    if isinstance(exc, ox.DigitalSignatureError):
        return InputError(
            "the PDF is digitally signed (adding text would break the signature)", path=str(source)
        )
    if isinstance(exc, ox.MissingDependencyError):
        if "ghostscript" in first.lower() or "gs" in first.split():
            return DependencyError(f"ghostscript is missing ({GHOSTSCRIPT_INSTALL})")
        return DependencyError(first or "a program OCRmyPDF needs is missing")
    if isinstance(exc, ox.InputFileError | ox.UnsupportedImageFormatError | ox.DpiError):
        return InputError(first or "OCRmyPDF cannot read the file", path=str(source))
    return OcrError(f"making the PDF failed: {first or type(exc).__name__}", path=str(source))


def _rasterizing(is_image: bool, dpi: int) -> dict[str, Any]:
    """OCRmyPDF options that give the OCR the page image `vnocr ocr` reads for the same page.

    An image is rasterized by Ghostscript at its own resolution, which gives it back pixel for
    pixel. A PDF page is rendered by poppler (the plugin's rasterizer, vnocr's own loader) at
    no less than `dpi`, as `vnocr ocr` renders it.
    """
    if is_image:
        return {"rasterizer": "ghostscript"}
    return {"oversample": dpi, "vnocr_poppler": True}


def make_pdf(
    source: str | Path,
    out: str | Path,
    settings: Settings,
    pdfa: str = DEFAULT_PDFA,
    jobs: int | None = None,
    pages: Iterable[int] | None = None,
    results: Sequence[PageResult] | None = None,
) -> None:
    """Write `out`: `source` (PDF or image) with the corrected text layer, PDF/A by default.

    `jobs` pages run at once (default: all cores); `pages` (1-based) are OCR'd, the others are
    kept without text. With `results` (pages vnocr already OCR'd, as `vnocr batch` has them)
    their words are placed and nothing is OCR'd again. Raises InputError for a bad input;
    nothing is written then.
    """
    import ocrmypdf
    from ocrmypdf import exceptions as ox

    from vnocr.formats import page_files

    source = Path(source)
    kind = output_type(pdfa)
    if results is not None:
        pages = [result.page for result in results]
    try:  # the loader's errors for a missing, encrypted or corrupt file, as for text output
        selected = load.select_pages(source, pages, settings.max_pixels)
    except VnocrError as exc:
        if exc.path is None:
            exc.path = str(source)
        raise
    if load.detect_kind(source) == "text":
        raise UsageError("a text file has no page images (use --format txt)", path=str(source))
    with tempfile.TemporaryDirectory(prefix="vnocr-pdf-") as work, atomic_path(out) as temp:
        pdf_input = source
        is_image = load.detect_kind(source) == "image"
        done = None
        if results is not None:
            done = Path(work) / "results"
            done.mkdir()
            for result in results:
                page_files.write_result(done, result)
        if is_image:
            pdf_input = Path(work) / "images.pdf"
            images_to_pdf(source, pdf_input, settings.dpi)
        options: dict[str, Any] = dict(
            language=settings.lang.split("+"),
            output_type=kind,
            jobs=jobs,
            pages=page_spec(selected) if pages is not None else None,
            progress_bar=False,
            **_rasterizing(is_image, settings.dpi),
            plugins=[PLUGIN],
            max_image_mpixels=settings.max_pixels / 1_000_000,
            tesseract_pagesegmode=settings.psm,
            vnocr_no_correct=not settings.correct,
            vnocr_tone_style=settings.tone_style,
            vnocr_lexicon=str(settings.lexicon) if settings.lexicon else None,
            vnocr_preprocess=settings.preprocess,
            vnocr_dpi=settings.dpi,
            vnocr_results_dir=str(done) if done else None,
        )
        try:
            with _quiet_ocrmypdf():
                code = ocrmypdf.ocr(pdf_input, temp, **options)
        except ox.ExitCodeException as exc:
            raise _error(exc, source) from None
        if code not in (ocrmypdf.ExitCode.ok, ocrmypdf.ExitCode.pdfa_conversion_failed):
            raise OcrError(
                f"making the PDF failed (OCRmyPDF exit code {int(code)})", path=str(source)
            )
        if code == ocrmypdf.ExitCode.pdfa_conversion_failed:
            raise OcrError("the PDF/A conversion failed (try --pdfa none)", path=str(source))
