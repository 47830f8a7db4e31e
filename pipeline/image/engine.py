"""The OCR engine behind the OCR stage: Tesseract in this process (tesserocr) or its CLI.

`current()` gives this process's engine, chosen once: `tesserocr` keeps one Tesseract API per
language loaded for the life of the process and hands it each page's pixels directly;
`pytesseract` runs the `tesseract` program once per page (a temporary image, TSV or hOCR
output). `auto` (the default) takes tesserocr when it is installed and finds the traineddata
folder, else pytesseract. `VNOCR_ENGINE=auto|tesserocr|pytesseract` (or `choose`, or the CLI's
`--engine`) forces one. Both give the same `Word`s: text, confidence, box, Tesseract's
block/paragraph/line/word numbering, and per-character choices on request.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from PIL import Image

from vnocr.errors import DependencyError, OcrError, UsageError

if TYPE_CHECKING:
    from vnocr.image.ocr import Word

#: Environment variable that picks the engine (inherited by batch workers).
ENGINE_ENV = "VNOCR_ENGINE"
ENGINES = ("auto", "tesserocr", "pytesseract")
TESSERACT_INSTALL = "sudo apt-get install tesseract-ocr"
TESSEROCR_INSTALL = "pip install tesserocr"
#: Where Debian and other systems keep Tesseract's models (tried after TESSDATA_PREFIX).
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
#: The Tesseract option that makes the LSTM report its best glyphs per character.
CHOICE_MODE = "lstm_choice_mode"
#: Tesseract's scale from an LSTM choice's rating to its confidence (as hOCR's x_confs).
RATING_COEFFICIENT = "lstm_rating_coefficient"

_T = TypeVar("_T")


def lang_install_command(lang: str) -> str:
    """The apt-get command that installs the Tesseract model for `lang` (e.g. vie)."""
    return f"sudo apt-get install tesseract-ocr-{lang.replace('_', '-').lower()}"


@dataclass(frozen=True)
class EngineInfo:
    """What an engine runs: its name, Tesseract's version, models found and where."""

    name: str
    version: str
    languages: tuple[str, ...]
    tessdata: str = ""


class OcrEngine(Protocol):
    """What the OCR stage asks of an engine."""

    name: str

    def info(self) -> EngineInfo:
        """Tesseract version and languages; DependencyError if the engine cannot run."""
        ...

    def load(self, lang: str) -> None:
        """Get ready to read `lang` (load its models now rather than on the first page)."""
        ...

    def read(
        self, image: Image.Image, lang: str, psm: int, dpi: int, alternatives: bool
    ) -> list[Word]:
        """The words of a page image; `choices` filled when `alternatives` is asked."""
        ...

    def orientation(self, image: Image.Image) -> tuple[int, float] | None:
        """Tesseract OSD: (clockwise rotation that makes the page upright, confidence)."""
        ...


# --- pytesseract: the tesseract program, once per page ----------------------------------------


def _run_cli(call: Callable[[], _T]) -> _T:
    """Run a pytesseract call, turning its failures into DependencyError/OcrError."""
    import pytesseract

    try:
        return call()
    except pytesseract.TesseractNotFoundError:
        raise DependencyError(f"tesseract is not installed ({TESSERACT_INSTALL})") from None
    except pytesseract.TesseractError as exc:
        message = str(exc.message if hasattr(exc, "message") else exc)
        missing = re.search(r"Failed loading language '([^']+)'", message)
        if missing:
            code = missing.group(1)
            raise DependencyError(
                f"Tesseract language model '{code}' is not installed ({lang_install_command(code)})"
            ) from None
        first = next((line for line in message.splitlines() if line.strip()), "unknown error")
        raise OcrError(f"tesseract failed: {first.strip()}") from None


class PytesseractEngine:
    """The `tesseract` program through pytesseract: one process per page."""

    name = "pytesseract"

    def info(self) -> EngineInfo:
        """The CLI's version and the languages it lists."""
        import pytesseract

        try:
            version = str(pytesseract.get_tesseract_version())
            languages = tuple(sorted(pytesseract.get_languages(config="")))
        except pytesseract.TesseractNotFoundError:
            raise DependencyError(f"tesseract is not installed ({TESSERACT_INSTALL})") from None
        except (pytesseract.TesseractError, OSError) as exc:
            raise DependencyError(
                f"tesseract does not run ({exc}); reinstall it ({TESSERACT_INSTALL})"
            ) from None
        return EngineInfo(self.name, version, languages, _cli_tessdata())

    def load(self, lang: str) -> None:
        """Nothing to load: every call starts the program afresh."""

    def read(
        self, image: Image.Image, lang: str, psm: int, dpi: int, alternatives: bool
    ) -> list[Word]:
        """TSV words, or with `alternatives` hOCR words with `lstm_choice_mode=2` choices."""
        import pytesseract

        from vnocr.image.ocr import words_from_data, words_from_hocr

        config = f"--psm {int(psm)} --dpi {int(dpi)}"
        if alternatives:
            config = f"{config} -c {CHOICE_MODE}=2"
            hocr = _run_cli(
                lambda: pytesseract.image_to_pdf_or_hocr(
                    image, lang=lang, config=config, extension="hocr"
                )
            )
            return words_from_hocr(hocr)
        data = _run_cli(
            lambda: pytesseract.image_to_data(
                image, lang=lang, config=config, output_type=pytesseract.Output.DICT
            )
        )
        return words_from_data(data)

    def orientation(self, image: Image.Image) -> tuple[int, float] | None:
        """`tesseract --psm 0` on the image; None when OSD fails."""
        import pytesseract

        try:
            osd = pytesseract.image_to_osd(
                image, config="--psm 0 --dpi 300", output_type=pytesseract.Output.DICT
            )
        except (pytesseract.TesseractError, ValueError, RuntimeError, OSError):
            return None
        return int(osd.get("rotate", 0)) % 360, float(osd.get("orientation_conf", 0.0))


# --- tesserocr: Tesseract's API in this process ------------------------------------------------


def _has_models(folder: str | Path) -> bool:
    path = Path(folder)
    return path.is_dir() and any(path.glob("*.traineddata"))


@functools.lru_cache(maxsize=1)
def _cli_tessdata() -> str:
    """The folder the `tesseract` program reads its models from, or "" if it cannot tell."""
    program = shutil.which("tesseract")
    if not program:
        return ""
    try:
        done = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    match = re.search(r'"([^"]+)"', done.stdout + done.stderr)
    return match.group(1).rstrip("/") if match else ""


@functools.lru_cache(maxsize=1)
def find_tessdata() -> str:
    """The traineddata folder: TESSDATA_PREFIX, a system folder, or the CLI's; "" if none."""
    prefix = os.environ.get("TESSDATA_PREFIX", "")
    candidates = [prefix, str(Path(prefix) / "tessdata")] if prefix else []
    candidates.extend(TESSDATA_DIRS)
    for folder in candidates:
        if _has_models(folder):
            return folder.rstrip("/")
    folder = _cli_tessdata()
    return folder if folder and _has_models(folder) else ""


class _QuietStderr:
    """Send file descriptor 2 to /dev/null while Tesseract runs in this process.

    Leptonica prints warnings such as "Error in boxClipToRectangle" on stderr; the tesseract
    program's stderr is captured by pytesseract, so in-process runs silence it the same way.
    Nested and concurrent uses (threads) share one redirection.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved = -1

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                sys.stderr.flush()
                self._saved = os.dup(2)
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 2)
                os.close(null)
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0:
                    os.dup2(self._saved, 2)
                    os.close(self._saved)


_quiet_stderr = _QuietStderr()


def _languages(tessdata: str) -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in Path(tessdata).glob("*.traineddata")))


def _pixels(image: Image.Image) -> tuple[bytes, int, int]:
    """The raw pixel bytes of `image` as Tesseract takes them: (data, bytes per pixel, stride)."""
    if image.mode == "1":  # packed bits, most significant first, 1 = white: as PIL stores them
        return image.tobytes(), 0, (image.width + 7) // 8
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    depth = 1 if image.mode == "L" else 3
    return image.tobytes(), depth, image.width * depth


class TesserocrEngine:
    """Tesseract's C++ API through tesserocr: models loaded once per process and language.

    Each thread gets its own API objects (an API reads one page at a time).
    """

    name = "tesserocr"

    def __init__(self, tessdata: str) -> None:
        self.tessdata = tessdata
        self._local = threading.local()

    def info(self) -> EngineInfo:
        """The bundled Tesseract's version and the models in the traineddata folder."""
        import tesserocr

        version = tesserocr.tesseract_version().split()[1]
        return EngineInfo(self.name, version, _languages(self.tessdata), self.tessdata)

    def _api(self, lang: str, psm: int) -> Any:
        """This process's API for `lang` (psm 0 gets its own, for orientation only)."""
        key = (lang, 0 if psm == 0 else 1)
        apis: dict[tuple[str, int], Any] = self._local.__dict__.setdefault("apis", {})
        api = apis.get(key)
        if api is None:
            from tesserocr import PyTessBaseAPI

            for code in lang.split("+"):
                if code and not (Path(self.tessdata) / f"{code}.traineddata").is_file():
                    raise DependencyError(
                        f"Tesseract language model '{code}' is not installed "
                        f"({lang_install_command(code)})"
                    )
            try:
                with _quiet_stderr():
                    api = PyTessBaseAPI(path=self.tessdata + "/", lang=lang, init=True)
            except RuntimeError as exc:
                raise DependencyError(
                    f"Tesseract cannot load '{lang}' from {self.tessdata} ({exc})"
                ) from None
            apis[key] = api
        return api

    def load(self, lang: str) -> None:
        """Load `lang`'s models now."""
        self._api(lang, 3)

    def _set_image(self, api: Any, image: Image.Image, dpi: int) -> None:
        data, depth, stride = _pixels(image)
        api.SetImageBytes(data, image.width, image.height, depth, stride)
        api.SetSourceResolution(int(dpi))

    def read(
        self, image: Image.Image, lang: str, psm: int, dpi: int, alternatives: bool
    ) -> list[Word]:
        """Recognise the page and walk its words with Tesseract's result iterator."""
        api = self._api(lang, psm)
        api.SetPageSegMode(int(psm))
        api.SetVariable(CHOICE_MODE, "2" if alternatives else "0")
        try:
            self._set_image(api, image, dpi)
            with _quiet_stderr():
                recognised = api.Recognize()
            if not recognised:
                raise OcrError("tesseract failed to recognise the page")
            rating = api.GetDoubleVariable(RATING_COEFFICIENT) if alternatives else None
            return words_from_iterator(api.GetIterator(), rating)
        finally:
            api.Clear()

    def orientation(self, image: Image.Image) -> tuple[int, float] | None:
        """Tesseract OSD (the `osd` model); None when it is missing or cannot decide."""
        try:
            api = self._api("osd", 0)
        except DependencyError:
            return None
        api.SetPageSegMode(0)
        try:
            self._set_image(api, image, 300)
            with _quiet_stderr():
                osd = api.DetectOrientationScript()
        except RuntimeError:
            return None
        finally:
            api.Clear()
        if not osd:
            return None
        # orient_deg is how far the page is turned (counter-clockwise): the fix turns it back
        return (360 - int(osd["orient_deg"])) % 360, float(osd["orient_conf"])


def _probability(rating: float, coefficient: float) -> float:
    """An LSTM choice's rating as a probability 0-1 (hOCR's x_confs divided by 100)."""
    return min(100.0, max(0.0, 100.0 - coefficient * rating)) / 100.0


def words_from_iterator(iterator: Any, rating_coefficient: float | None = None) -> list[Word]:
    """The non-empty words of a tesserocr result iterator, numbered as Tesseract's TSV does.

    A block, paragraph or line is counted when its first word with text is reached; words are
    counted within their line. Given the `rating_coefficient` (run with `lstm_choice_mode=2`),
    each word's LSTM symbol choices become `Word.choices` (see `ocr.clean_choices`).
    """
    from tesserocr import RIL, iterate_level

    from vnocr.image.ocr import Word, clean_choices

    words: list[Word] = []
    if iterator is None:
        return words
    block = par = line = number = 0
    for item in iterate_level(iterator, RIL.WORD):
        if item.Empty(RIL.WORD):
            continue
        if item.IsAtBeginningOf(RIL.BLOCK):
            block, par, line = block + 1, 0, 0
        if item.IsAtBeginningOf(RIL.PARA):
            par, line = par + 1, 0
        if item.IsAtBeginningOf(RIL.TEXTLINE):
            line, number = line + 1, 0
        number += 1
        text = (item.GetUTF8Text(RIL.WORD) or "").strip()
        if not text:
            continue
        left, top, right, bottom = item.BoundingBox(RIL.WORD)
        choices = []
        if rating_coefficient is not None:
            symbols = item.GetBestLSTMSymbolChoices() or []
            positions = [[(g, _probability(r, rating_coefficient)) for g, r in s] for s in symbols]
            choices = clean_choices(positions, text)
        words.append(
            Word(
                text=text,
                conf=round(float(item.Confidence(RIL.WORD)), 2),
                box=(left, top, right - left, bottom - top),
                block=block,
                par=par,
                line=line,
                word=number,
                choices=choices,
            )
        )
    return words


# --- choosing ---------------------------------------------------------------------------------


def _tesserocr_importable() -> bool:
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return True


def tesserocr_usable() -> bool:
    """True when tesserocr imports and a traineddata folder is found."""
    return _tesserocr_importable() and bool(find_tessdata())


@functools.lru_cache(maxsize=8)
def _build(name: str, pid: int) -> OcrEngine:
    """The engine `name` for process `pid` (a forked worker builds its own)."""
    if name == "pytesseract":
        return PytesseractEngine()
    usable = _tesserocr_importable()
    tessdata = find_tessdata() if usable else ""
    if name == "tesserocr":
        if not usable:
            raise DependencyError(f"tesserocr is not installed ({TESSEROCR_INSTALL})")
        if not tessdata:
            raise DependencyError(
                "no Tesseract traineddata folder found (set TESSDATA_PREFIX, or "
                f"{lang_install_command('vie')})"
            )
    if usable and tessdata:
        return TesserocrEngine(tessdata)
    return PytesseractEngine()


def engine_choice() -> str:
    """The engine asked for (VNOCR_ENGINE, default auto); UsageError for an unknown name."""
    name = os.environ.get(ENGINE_ENV, "").strip().lower() or "auto"
    if name not in ENGINES:
        raise UsageError(f"unknown OCR engine {name!r} in {ENGINE_ENV}; use {', '.join(ENGINES)}")
    return name


def choose(name: str) -> None:
    """Use engine `name` from now on in this process and in the workers it starts."""
    name = name.strip().lower()
    if name not in ENGINES:
        raise UsageError(f"unknown OCR engine {name!r}; use {', '.join(ENGINES)}")
    os.environ[ENGINE_ENV] = name


def current() -> OcrEngine:
    """This process's engine (built on first use, then reused)."""
    return _build(engine_choice(), os.getpid())
