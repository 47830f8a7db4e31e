"""`vnocr doctor`: check the external programs and models, and say how to fix what is missing."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from vnocr.errors import DependencyError
from vnocr.image.ocr import TESSERACT_INSTALL, lang_install_command, tesseract_info


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


def run_checks() -> list[Check]:
    """Check Tesseract, the vie/osd/eng models and poppler."""
    checks: list[Check] = []
    try:
        info = tesseract_info()
    except DependencyError as exc:
        checks.append(Check("tesseract", False, str(exc), fix=TESSERACT_INSTALL))
        languages: tuple[str, ...] = ()
    else:
        checks.append(Check("tesseract", True, f"version {info.version}"))
        languages = info.languages
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
    return checks


def format_checks(checks: list[Check]) -> list[str]:
    """Lines of the report, one per check, then the fix commands for missing pieces."""
    lines: list[str] = []
    for check in checks:
        status = "ok" if check.ok else ("MISSING" if check.required else "missing (optional)")
        lines.append(f"{check.name:<11} {status:<18} {check.detail}")
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
