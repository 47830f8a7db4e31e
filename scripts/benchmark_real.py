"""Benchmark OCR on real scanned pages: plain Tesseract vs vnocr without and with correction.

    .venv/bin/python scripts/benchmark_real.py [--part tune|check|all] [--pages NAME,...]
                                               [--save DIR]

Images come from ../shared/data/real-scans/ (never copied into the repo); transcriptions from
there (`<page>.gt.txt`) and from tests/data/real/. The transcribed pages are split in two
parts: `tune` (mechanisms are developed on it) and `check` (only measured). The two ldocr
letters 618 (p4) and 621 (p10) share their body text, so both sit in the tuning part.

For every page it prints WER and CER of: plain `tesseract IMAGE stdout -l vie` (psm 3, one
OpenMP thread); `vnocr ocr --no-correct` (the raw text of the same vnocr run); `vnocr ocr`
(`--lang vie+Vietnamese` runs vnocr with Tesseract's Vietnamese script model added);
and the seconds of plain Tesseract and of vnocr (load, preprocess, OCR, correction). Totals are
micro-averaged (edit distances summed over pages). `--save DIR` writes the three texts of every
page there, to diff against the truth. Pages run one at a time, Tesseract on one thread.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from vnocr import api  # noqa: E402
from vnocr.settings import Settings  # noqa: E402
from vnocr.text.evaluate import compare  # noqa: E402

REAL_SCANS = REPO.parent / "shared" / "data" / "real-scans"
REPO_TRUTH = REPO / "tests" / "data" / "real"

#: Pages mechanisms are tuned on; the rest of the transcribed pages form the checking part.
TUNE_PAGES = (
    "ldocr_tt391_p1",
    "ldocr_tt735_p3",
    "ldocr_cv618_p4",
    "ldocr_qd1851_p7",
    "ldocr_cv621_p10",
    "ocrvbpl_nd28-2021_p1",
    "sohoasv_qd-cdktkt_p1",
)
CHECK_PAGES = (
    "ldocr_tt391_p2",
    "ldocr_cv164_p5",
    "ldocr_cv61_p8",
    "ocrvbpl_nd-cp-unid_p8",
    "ocrvbpl_nd155-2020_p1",
    "sohoasv_qd-dhdn_p1",
)
SYSTEMS = ("tesseract", "vnocr raw", "vnocr")


def truth_path(name: str) -> Path | None:
    """The transcription of page `name`, in ../shared or in tests/data/real."""
    for folder in (REAL_SCANS, REPO_TRUTH):
        path = folder / f"{name}.gt.txt"
        if path.exists():
            return path
    return None


def available_pages(names: list[str]) -> list[tuple[str, Path, str]]:
    """(name, image, truth) of the pages whose image and transcription are both present."""
    pages = []
    for name in names:
        image, truth = REAL_SCANS / f"{name}.png", truth_path(name)
        if image.exists() and truth is not None:
            pages.append((name, image, truth.read_text(encoding="utf-8")))
    return pages


def plain_tesseract(image: Path) -> tuple[str, float]:
    """Text and seconds of `tesseract IMAGE stdout -l vie` (one OpenMP thread)."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    start = time.perf_counter()
    done = subprocess.run(
        ["tesseract", str(image), "stdout", "-l", "vie"],
        capture_output=True,
        check=True,
        env=env,
    )
    return done.stdout.decode("utf-8"), time.perf_counter() - start


@dataclass
class Tally:
    """Summed edit distances and reference sizes of one system over several pages."""

    words: int = 0
    word_errors: int = 0
    chars: int = 0
    char_errors: int = 0
    seconds: float = 0.0

    def add(self, figures: dict, seconds: float = 0.0) -> None:
        self.words += figures["ref_words"]
        self.word_errors += figures["word_distance"]
        self.chars += figures["ref_chars"]
        self.char_errors += figures["char_distance"]
        self.seconds += seconds

    def cells(self) -> str:
        wer = 100 * self.word_errors / max(self.words, 1)
        cer = 100 * self.char_errors / max(self.chars, 1)
        return f"{wer:6.2f} {cer:5.2f}"


def run(
    pages: list[tuple[str, Path, str]], save: Path | None, lang: str = "vie"
) -> dict[str, dict[str, Tally]]:
    """Run the three systems on every page; print one row per page; return the tallies."""
    from vnocr.restore.correct import Corrector

    settings = Settings(lang=lang)
    corrector = Corrector()
    header = (
        f"{'page':26} {'tess WER  CER':>13} {'raw WER  CER':>13} {'vnocr WER CER':>13}"
        f" {'tess s':>7} {'vnocr s':>7}  worse?"
    )
    print(header)
    totals: dict[str, dict[str, Tally]] = {}
    for name, image, truth in pages:
        part = "tune" if name in TUNE_PAGES else "check"
        plain, plain_seconds = plain_tesseract(image)
        result = api.process_page(image, 1, settings, corrector)
        texts = {"tesseract": plain, "vnocr raw": result.raw_text, "vnocr": result.text}
        seconds = {"tesseract": plain_seconds, "vnocr raw": 0.0, "vnocr": result.seconds}
        row: dict[str, Tally] = {}
        for system, text in texts.items():
            figures = compare(truth, text)
            for key in (part, "all"):
                totals.setdefault(key, {s: Tally() for s in SYSTEMS})[system].add(
                    figures, seconds[system]
                )
            row[system] = Tally()
            row[system].add(figures)
            if save is not None:
                save.mkdir(parents=True, exist_ok=True)
                (save / f"{name}.{system.replace(' ', '_')}.txt").write_text(text, "utf-8")
        worse = row["vnocr"].word_errors > row["tesseract"].word_errors
        print(
            f"{name:26} {row['tesseract'].cells():>13} {row['vnocr raw'].cells():>13}"
            f" {row['vnocr'].cells():>13} {plain_seconds:7.1f} {result.seconds:7.1f}"
            f"  {'WORSE' if worse else ''}",
            flush=True,
        )
    print()
    for key in ("tune", "check", "all"):
        if key not in totals:
            continue
        tally = totals[key]
        ratio = tally["vnocr"].seconds / max(tally["tesseract"].seconds, 1e-9)
        print(
            f"{'total ' + key:26} {tally['tesseract'].cells():>13} {tally['vnocr raw'].cells():>13}"
            f" {tally['vnocr'].cells():>13} {tally['tesseract'].seconds:7.1f}"
            f" {tally['vnocr'].seconds:7.1f}  vnocr/tesseract time {ratio:.2f}x"
        )
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("tune", "check", "all"), default="all")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: part)")
    parser.add_argument("--save", type=Path, help="folder to write each system's text into")
    parser.add_argument("--lang", default="vie", help="vnocr's Tesseract languages (vie)")
    args = parser.parse_args(argv)
    if args.pages:
        names = [name.strip() for name in args.pages.split(",") if name.strip()]
    else:
        names = {"tune": list(TUNE_PAGES), "check": list(CHECK_PAGES)}.get(
            args.part, [*TUNE_PAGES, *CHECK_PAGES]
        )
    pages = available_pages(names)
    if not pages:
        print(f"no transcribed real pages found in {REAL_SCANS}; nothing to measure")
        return 0
    print(f"{len(pages)} real page(s); WER and CER in %, seconds per page")
    run(pages, args.save, args.lang)
    return 0


if __name__ == "__main__":
    sys.exit(main())
