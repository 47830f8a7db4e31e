#!/usr/bin/env python3
"""Raw OCR quality and speed on the committed samples (no correction).

For each sample it runs the same code as `vnocr ocr --no-correct`, compares the text with
`samples/<name>.gt.txt` as `vnocr eval` does, and prints CER, WER and pages per minute.

Run: .venv/bin/python scripts/benchmark_ocr_raw.py [--preprocess auto|none] [--psm 3]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from vnocr import api
from vnocr.outputs import format_txt
from vnocr.settings import Settings
from vnocr.text import evaluate

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
NAMES = ("report_clean.png", "report_scan.jpg", "plan_2p.tif", "decision_3p.pdf")


def main() -> None:
    """Print one row per sample and a total row."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preprocess", default="auto", choices=("auto", "none"))
    parser.add_argument("--psm", type=int, default=3)
    parser.add_argument("--lang", default="vie")
    args = parser.parse_args()
    settings = Settings(lang=args.lang, psm=args.psm, correct=False, preprocess=args.preprocess)

    header = f"{'sample':<18} {'pages':>5} {'CER':>7} {'WER':>7} {'seconds':>8} {'pages/min':>9}"
    print(
        f"raw OCR (--no-correct, --preprocess {args.preprocess}, --psm {args.psm}, "
        f"OMP_THREAD_LIMIT={os.environ.get('OMP_THREAD_LIMIT', '1')}, {os.cpu_count()} cores)"
    )
    print(header)
    print("-" * len(header))
    total_pages, total_seconds = 0, 0.0
    for name in NAMES:
        path = SAMPLES / name
        truth = (SAMPLES / f"{path.stem}.gt.txt").read_text(encoding="utf-8")
        started = time.perf_counter()
        results = list(api.ocr_file(path, settings))
        seconds = time.perf_counter() - started
        figures = evaluate.compare(truth, format_txt(results))
        total_pages += len(results)
        total_seconds += seconds
        print(
            f"{name:<18} {len(results):>5} {figures['cer']:>7.2%} {figures['wer']:>7.2%} "
            f"{seconds:>8.1f} {60 * len(results) / seconds:>9.1f}"
        )
    print("-" * len(header))
    print(
        f"{'total':<18} {total_pages:>5} {'':>7} {'':>7} {total_seconds:>8.1f} "
        f"{60 * total_pages / total_seconds:>9.1f}"
    )


if __name__ == "__main__":
    main()
