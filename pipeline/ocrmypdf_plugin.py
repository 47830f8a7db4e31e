"""OCRmyPDF plugin: vnocr as OCRmyPDF's OCR engine, so the PDF's text layer is the corrected text.

    ocrmypdf --plugin vnocr.ocrmypdf_plugin -l vie scan.pdf out.pdf

For every page image OCRmyPDF rasterizes, the engine runs vnocr's page pipeline (preprocessing,
Tesseract, correction; `vnocr.api.process_page`) and writes hOCR of the corrected words at their
positions (`vnocr.formats.hocr`); OCRmyPDF then renders the invisible text layer, grafts it onto
the untouched page and makes the PDF/A. `vnocr ocr --format pdf` runs OCRmyPDF with this plugin
(with `--vnocr-poppler`, the plugin also rasterizes PDF pages as vnocr's own loader does).

Options (also keyword arguments of `ocrmypdf.ocr`, e.g. `vnocr_no_correct=True`):
--vnocr-no-correct, --vnocr-tone-style, --vnocr-lexicon, --vnocr-preprocess, --vnocr-dpi, and
--vnocr-results-dir, with which `vnocr batch` hands over pages it has already OCR'd (the engine
then only places their words, scaled to OCRmyPDF's page image).
Tesseract's language is OCRmyPDF's `-l` and its page segmentation mode
`--tesseract-pagesegmode` (default 3).
"""

from __future__ import annotations

import contextlib
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from ocrmypdf import hookimpl
from ocrmypdf.exceptions import BadArgsError, MissingDependencyError, SubprocessOutputError
from ocrmypdf.pluginspec import OcrEngine, OrientationConfidence
from PIL import Image
from pydantic import BaseModel

from vnocr import api
from vnocr.errors import DependencyError, VnocrError
from vnocr.formats import hocr, page_files
from vnocr.image import load, ocr, preprocess
from vnocr.results import PageResult
from vnocr.settings import DEFAULT_MAX_PIXELS, TONE_STYLES, Settings

#: OCRmyPDF option namespace of this plugin (`--vnocr-...`, `options.vnocr.<field>`).
NAMESPACE = "vnocr"


class VnocrOptions(BaseModel):
    """The plugin's options (OCRmyPDF `--vnocr-*` arguments)."""

    no_correct: bool = False
    tone_style: str = "keep"
    lexicon: str | None = None
    preprocess: str = "auto"
    dpi: int = 300
    #: Internal (vnocr batch): a folder of page results already computed, one JSON per page.
    results_dir: str | None = None
    #: Rasterize PDF pages with poppler, as vnocr's own loader does (`vnocr ocr` on a PDF).
    poppler: bool = False


@hookimpl
def register_options() -> dict[str, type[BaseModel]]:
    """Register the `vnocr` option namespace."""
    return {NAMESPACE: VnocrOptions}


@hookimpl
def add_options(parser: ArgumentParser) -> None:
    """The `--vnocr-*` command-line options of `ocrmypdf`."""
    group = parser.add_argument_group("vnocr", "Vietnamese OCR correction (vnocr)")
    group.add_argument("--vnocr-no-correct", action="store_true", help="Keep Tesseract's raw text.")
    group.add_argument(
        "--vnocr-tone-style",
        choices=TONE_STYLES,
        default="keep",
        help="Tone-mark placement in oa/oe/uy: old (hóa), new (hoá) or keep as found.",
    )
    group.add_argument("--vnocr-lexicon", metavar="FILE", help="Your own vnocr language model.")
    group.add_argument(
        "--vnocr-preprocess",
        default="auto",
        metavar="MODE",
        help="vnocr image clean-up before Tesseract (none, auto or steps); the page in the "
        "PDF is not changed.",
    )
    group.add_argument(
        "--vnocr-dpi",
        type=int,
        default=300,
        help="Resolution assumed for page images that carry none.",
    )
    group.add_argument(
        "--vnocr-poppler",
        action="store_true",
        help="Rasterize PDF pages for OCR with poppler, as `vnocr ocr` does (with --oversample "
        "300, the text layer is then the text `vnocr ocr` prints for pages up to 300 dpi).",
    )
    group.add_argument(
        "--vnocr-results-dir",
        metavar="DIR",
        help="Use the page results vnocr already computed (written by `vnocr batch`).",
    )


@hookimpl
def check_options(options: Any) -> None:
    """Refuse what the engine cannot do, and a missing Tesseract model, before any page."""
    if _is_selected(options) and options.pdf_renderer == "sandwich":
        raise BadArgsError("vnocr writes hOCR: use --pdf-renderer auto (or fpdf2), not sandwich")
    try:
        preprocess.parse_mode(_vnocr(options).preprocess)
        ocr.check_tesseract(_lang(options))
    except VnocrError as exc:
        raise MissingDependencyError(str(exc)) from None


def _is_selected(options: Any) -> bool:
    return options is None or getattr(options, "ocr_engine", "auto") in ("auto", NAMESPACE)


def _vnocr(options: Any) -> VnocrOptions:
    try:
        return getattr(options, NAMESPACE)
    except AttributeError:
        return VnocrOptions()


def _lang(options: Any) -> str:
    languages = list(getattr(options, "languages", None) or [])
    return "+".join(languages) or "vie"


def settings_from(options: Any) -> Settings:
    """vnocr Settings from OCRmyPDF's options."""
    own = _vnocr(options)
    psm = None
    with contextlib.suppress(AttributeError):
        psm = options.tesseract.pagesegmode
    return Settings(
        lang=_lang(options),
        psm=3 if psm is None else int(psm),
        dpi=own.dpi,
        correct=not own.no_correct,
        tone_style=own.tone_style,
        lexicon=Path(own.lexicon) if own.lexicon else None,
        preprocess=own.preprocess,
    )


_CORRECTORS: dict[tuple[str, Path | None], Any] = {}


def _corrector(settings: Settings) -> Any:
    """One Corrector per worker process and settings (it loads the models once)."""
    if not settings.correct:
        return None
    key = (settings.tone_style, settings.lexicon)
    if key not in _CORRECTORS:
        _CORRECTORS[key] = api.make_corrector(settings)
    return _CORRECTORS[key]


def page_hocr(result: PageResult, image: Path, dpi: float | None, lang: str) -> bytes:
    """The hOCR of one page result."""
    html, body = hocr.new_document(lang)
    size = result.image_size or (0, 0)
    hocr.add_page(body, 1, result.words, size, image=image.name, dpi=dpi, lang=lang)
    return hocr.serialize(html)


def _image_dpi(path: Path) -> float | None:
    with Image.open(path) as image:
        dpi = image.info.get("dpi")
    try:
        return float(dpi[0]) if dpi else None
    except (TypeError, ValueError, IndexError):
        return None


@hookimpl
def rasterize_pdf_page(
    input_file: Path,
    output_file: Path,
    raster_device: Any,
    raster_dpi: Any,
    pageno: int,
    page_dpi: Any,
    rotation: int | None,
    filter_vector: bool,
    stop_on_soft_error: bool,
    options: Any,
    use_cropbox: bool,
) -> Path | None:
    """With --vnocr-poppler: render the page as vnocr's loader does (poppler's pdftoppm)."""
    if options is None or not _vnocr(options).poppler or rotation or filter_vector or use_cropbox:
        return None  # OCRmyPDF's own rasterizers
    dpi = round(max(float(raster_dpi.x), float(raster_dpi.y)))
    try:
        limit = getattr(options, "max_image_mpixels", None)
        pixels = int(limit * 1_000_000) if limit else DEFAULT_MAX_PIXELS
        image = load.load_page(input_file, pageno, dpi, pixels)
    except VnocrError:
        return None  # let OCRmyPDF's rasterizer report it
    out_dpi = page_dpi or raster_dpi
    image.save(output_file, format="PNG", dpi=(float(out_dpi.x), float(out_dpi.y)))
    return Path(output_file)


class VnocrEngine(OcrEngine):
    """Tesseract `vie` plus vnocr's correction, giving hOCR of the corrected words."""

    @staticmethod
    def version() -> str:
        """vnocr's version."""
        from importlib.metadata import version

        return version("vnocr")

    @staticmethod
    def creator_tag(options: Any) -> str:
        """Names vnocr and Tesseract in the PDF's metadata."""
        try:
            tesseract = ocr.tesseract_info().version
        except DependencyError:
            tesseract = "?"
        return f"vnocr {VnocrEngine.version()} (Tesseract {tesseract})"

    def __str__(self) -> str:
        return f"vnocr {self.version()}"

    @staticmethod
    def languages(options: Any) -> set[str]:
        """Tesseract's installed models."""
        return set(ocr.tesseract_info().languages)

    @staticmethod
    def get_orientation(input_file: Path, options: Any) -> OrientationConfidence:
        """The clockwise turn that makes the page upright (for --rotate-pages)."""
        with Image.open(input_file) as image:
            gray = preprocess.to_gray(image)
        angle = preprocess.detect_orientation(gray)
        return OrientationConfidence(angle=angle, confidence=15.0 if angle else 0.0)

    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path, options: Any) -> None:
        """OCR and correct one page image; write its hOCR and its text."""
        settings = settings_from(options)
        done = _vnocr(options).results_dir
        if done:
            with Image.open(input_file) as image:
                raster = image.size
            try:
                page = page_files.ocrmypdf_page(Path(output_hocr))
            except ValueError as exc:
                raise SubprocessOutputError(f"vnocr: {exc}") from None
            result = page_files.read_result(Path(done), page, raster)
        else:
            try:
                result = api.process_page(input_file, 1, settings, _corrector(settings))
            except VnocrError as exc:
                raise SubprocessOutputError(f"vnocr: {exc}") from None
        dpi = _image_dpi(Path(input_file))
        Path(output_hocr).write_bytes(page_hocr(result, Path(input_file), dpi, settings.lang))
        text = result.text.rstrip("\n")
        Path(output_text).write_text(text + "\n" if text else "", encoding="utf-8")

    @staticmethod
    def generate_pdf(input_file: Path, output_pdf: Path, output_text: Path, options: Any) -> None:
        """Not offered: vnocr gives hOCR (OCRmyPDF's default renderer uses it)."""
        raise BadArgsError("vnocr writes hOCR: use --pdf-renderer auto (or fpdf2), not sandwich")


@hookimpl
def get_ocr_engine(options: Any) -> OcrEngine | None:
    """vnocr's engine, unless another engine was asked for."""
    return VnocrEngine() if _is_selected(options) else None
