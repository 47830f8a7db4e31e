"""vnocr: OCR and diacritic restoration for scanned Vietnamese documents.

    >>> import vnocr
    >>> vnocr.correct("Nghi quyét s6 25-NQ/TW ciia Ban Chép hanh")  # doctest: +SKIP
    'Nghị quyết số 25-NQ/TW của Ban Chấp hành'
    >>> pages = vnocr.ocr("scan.pdf", pages=[1, 2], tone_style="old")  # doctest: +SKIP
    >>> corrector = vnocr.Corrector()  # loads the models once, for many texts  # doctest: +SKIP
    >>> vnocr.correct("Uy ban nhan dan tinh", corrector=corrector)  # doctest: +SKIP

Data flows one way through the stages, one subpackage each:
image (load -> preprocess -> ocr) -> text (tokens) -> restore (candidates -> decode) ->
outputs; `api` is the page loop, `cli` the command line, `archive` batch and search.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from vnocr.errors import (
    DependencyError,
    ExitCode,
    InputError,
    OcrError,
    UsageError,
    VnocrError,
)
from vnocr.results import Change, Correction, PageResult, TextCorrector
from vnocr.settings import Settings

if TYPE_CHECKING:
    from vnocr.api import correct
    from vnocr.api import ocr_document as ocr
    from vnocr.restore.correct import CorrectOptions, Corrector

__all__ = [
    "Change",
    "CorrectOptions",
    "Correction",
    "Corrector",
    "DependencyError",
    "ExitCode",
    "InputError",
    "OcrError",
    "PageResult",
    "Settings",
    "TextCorrector",
    "UsageError",
    "VnocrError",
    "correct",
    "ocr",
]


def __getattr__(name: str) -> Any:
    """The heavy parts (imaging libraries, the restoration engine) are imported on first use,
    so that `import vnocr.text.tokens` or the CLI's start-up does not pay for them."""
    if name == "correct":
        from vnocr.api import correct

        return correct
    if name == "ocr":
        from vnocr.api import ocr_document

        return ocr_document
    if name in ("Corrector", "CorrectOptions"):
        from vnocr.restore import correct as engine

        return getattr(engine, name)
    raise AttributeError(f"module 'vnocr' has no attribute {name!r}")
