"""What each OCR engine reads on transcribed pages: CER and WER, raw and corrected, and time.

    .venv/bin/python scripts/benchmark_engines.py [--pages ../shared/data/real-scans]

For every `<page>.png` with a `<page>.gt.txt` beside it, runs the page through the pipeline as
`vnocr ocr` does (default settings) once with each engine, tesserocr and pytesseract, in
alternating order, and scores the raw and the corrected text against the transcription as
`vnocr eval` does. Errors are summed over the pages (a page weighs by its length).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from vnocr import api
from vnocr.image import engine
from vnocr.settings import Settings
from vnocr.text.evaluate import compare

ENGINES = ("tesserocr", "pytesseract")
DEFAULT_PAGES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real-scans"


def main() -> None:
    """Print one row per engine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    args = parser.parse_args()
    pages = [p for p in sorted(args.pages.glob("*.png")) if p.with_suffix(".gt.txt").is_file()]
    if not pages:
        raise SystemExit(f"no transcribed PNG pages in {args.pages}")
    settings = Settings()
    corrector = api.make_corrector(settings)
    # errors and reference sizes: raw chars, raw words, corrected chars, corrected words
    totals = {name: [0, 0, 0, 0, 0, 0] for name in ENGINES}
    seconds = dict.fromkeys(ENGINES, 0.0)
    versions = {}
    for number, page in enumerate(pages):
        truth = page.with_suffix(".gt.txt").read_text(encoding="utf-8")
        for name in ENGINES if number % 2 == 0 else reversed(ENGINES):
            engine.choose(name)
            versions[name] = engine.current().info().version
            started = time.perf_counter()
            result = api.process_page(page, 1, settings, corrector)
            seconds[name] += time.perf_counter() - started
            raw, fixed = compare(truth, result.raw_text), compare(truth, result.text)
            total = totals[name]
            total[0] += raw["char_distance"]
            total[1] += raw["word_distance"]
            total[2] += fixed["char_distance"]
            total[3] += fixed["word_distance"]
            total[4] += raw["ref_chars"]
            total[5] += raw["ref_words"]
    print(f"{len(pages)} transcribed pages of {args.pages}; load average {os.getloadavg()[0]:.2f}")
    header = ("engine", "Tesseract", "raw CER", "raw WER", "CER", "WER", "s/page")
    print("{:<12} {:<9} {:>8} {:>8} {:>7} {:>7} {}".format(*header))
    for name in ENGINES:
        chars, words = totals[name][4], totals[name][5]
        raw_cer, raw_wer = totals[name][0] / chars, totals[name][1] / words
        cer, wer = totals[name][2] / chars, totals[name][3] / words
        print(
            f"{name:<12} {versions[name]:<9} {raw_cer:>8.2%} {raw_wer:>8.2%} {cer:>7.2%} "
            f"{wer:>7.2%} {seconds[name] / len(pages):.2f}"
        )


if __name__ == "__main__":
    main()
