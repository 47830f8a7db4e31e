"""`vnocr doctor`: check the external programs and models, and say how to fix what is missing."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata

from vnocr.errors import DependencyError
from vnocr.image import engine
from vnocr.image.ocr import TESSERACT_INSTALL, TesseractInfo, lang_install_command, tesseract_info


@dataclass(frozen=True)
class Check:
    """One dependency: its name, whether it is present, details, required or not, the fix."""

    name: str
    ok: bool
    detail: str
    required: bool = True
    fix: str = ""


def _poppler_version() -> str:
    try:
        done = subprocess.run(
            ["pdftoppm", "-v"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    first = (done.stderr or done.stdout).strip().splitlines()
    return first[0] if first else ""


def _distributed_version() -> str | None:
    """The version of Dask's `distributed` package, None if it is not installed."""
    try:
        return metadata.version("distributed")
    except metadata.PackageNotFoundError:
        return None


def _first_line(command: list[str]) -> str:
    """The first output line of a version command ("" if it cannot run)."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if done.returncode == 0 and lines else ""


def archival_checks() -> list[Check]:
    """OCRmyPDF and Ghostscript, which build the searchable PDF/A of --format pdf."""
    checks: list[Check] = []
    try:
        from importlib.metadata import version

        checks.append(Check("ocrmypdf", True, f"version {version('ocrmypdf')}", required=False))
    except Exception:  # not installed or broken
        checks.append(
            Check(
                "ocrmypdf",
                False,
                "missing (needed for --format pdf)",
                required=False,
                fix="pip install ocrmypdf (or make install)",
            )
        )
    gs = shutil.which("gs")
    gs_version = _first_line([gs, "--version"]) if gs else ""
    if gs_version:
        checks.append(Check("ghostscript", True, f"version {gs_version}", required=False))
    else:
        checks.append(
            Check(
                "ghostscript",
                False,
                "gs not found (needed for --format pdf)",
                required=False,
                fix="sudo apt-get install ghostscript",
            )
        )
    return checks


def _engine_detail(info: TesseractInfo) -> str:
    """Which Tesseract runs, how, and where its models are read from."""
    if info.engine == "tesserocr":
        import tesserocr

        how = f"in-process via tesserocr {tesserocr.__version__}"
    else:
        how = "the tesseract program via pytesseract"
    where = f"; models from {info.tessdata}" if info.tessdata else ""
    return f"version {info.version}, {how}{where}"


def _other_engine(in_use: str) -> Check:
    """The engine not in use, as an optional check (what --engine would switch to)."""
    if in_use == "tesserocr":
        try:
            version = engine.PytesseractEngine().info().version
        except DependencyError:
            return Check(
                "tesseract CLI",
                False,
                "missing (only needed for --engine pytesseract)",
                required=False,
                fix=TESSERACT_INSTALL,
            )
        return Check("tesseract CLI", True, f"version {version} (for --engine pytesseract)")
    if engine.engine_choice() == "pytesseract" and engine.tesserocr_usable():
        return Check("tesserocr", True, "installed, not in use (--engine pytesseract)")
    return Check(
        "tesserocr",
        False,
        "not usable (it reads pages faster: Tesseract in-process, models loaded once)",
        required=False,
        fix=engine.TESSEROCR_INSTALL,
    )


def run_checks() -> list[Check]:
    """Check Tesseract (both engines), the vie/osd/eng models, poppler, (optional) Dask,
    OCRmyPDF and Ghostscript."""
    checks: list[Check] = []
    try:
        info = tesseract_info()
    except DependencyError as exc:
        checks.append(Check("tesseract", False, str(exc), fix=TESSERACT_INSTALL))
        languages: tuple[str, ...] = ()
    else:
        checks.append(Check("tesseract", True, _engine_detail(info)))
        languages = info.languages
        checks.append(_other_engine(info.engine))
    models = (
        ("vie", True, "Vietnamese model"),
        ("osd", False, "orientation detection, used to turn rotated pages"),
        ("eng", False, "English model, for --lang vie+eng"),
    )
    for code, required, what in models:
        present = code in languages
        checks.append(
            Check(
                f"{code} model",
                present,
                what if present else f"missing ({what})",
                required=required,
                fix="" if present else lang_install_command(code),
            )
        )
    pdftoppm, pdfinfo = shutil.which("pdftoppm"), shutil.which("pdfinfo")
    if pdftoppm and pdfinfo:
        checks.append(Check("poppler", True, _poppler_version() or pdftoppm))
    else:
        missing = " and ".join(
            name for name, where in (("pdftoppm", pdftoppm), ("pdfinfo", pdfinfo)) if not where
        )
        checks.append(
            Check(
                "poppler",
                False,
                f"{missing} not found (needed for PDF input)",
                fix="sudo apt-get install poppler-utils",
            )
        )
    dask = _distributed_version()
    checks.append(
        Check(
            "dask",
            dask is not None,
            f"distributed {dask} (vnocr batch --scheduler)"
            if dask
            else "not installed (needed only for vnocr batch --scheduler)",
            required=False,
            fix="" if dask else "pip install 'vnocr[dask]'",
        )
    )
    checks.extend(archival_checks())
    return checks


def format_checks(checks: list[Check]) -> list[str]:
    """Lines of the report, one per check, then the fix commands for missing pieces."""
    lines: list[str] = []
    for check in checks:
        status = "ok" if check.ok else ("MISSING" if check.required else "missing (optional)")
        lines.append(f"{check.name:<13} {status:<18} {check.detail}")
    fixes = [check.fix for check in checks if not check.ok and check.fix]
    if fixes:
        lines.append("")
        lines.append("To fix:")
        lines.extend(f"  {fix}" for fix in fixes)
    else:
        lines.append("")
        lines.append("All dependencies found.")
    return lines


def has_failures(checks: list[Check]) -> bool:
    """True if a required dependency is missing."""
    return any(check.required and not check.ok for check in checks)
