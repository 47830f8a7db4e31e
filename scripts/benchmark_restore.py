"""Benchmark the diacritic-restoration engine; prints one table.

Rows:
- dev set (../shared/data/dev): CER/WER of the raw OCR and after `vnocr correct`;
- unaccented input: the dev transcription with every mark stripped, restored by vnocr and by pyvi's
  `ViUtils.add_accents` (a CRF restorer from PyPI), syllable accuracy side by side;
- sample pages (samples/*.gt.txt, our own text) OCR'd with Tesseract `vie`: CER before and after;
- speed and peak memory correcting a 100-page text on one core.

Run: .venv/bin/python scripts/benchmark_restore.py [--dev DIR] [--skip-ocr] [--skip-pyvi]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.correct import Corrector  # noqa: E402
from pipeline.evaluate import compare, normalize_for_eval  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "dev"


def strip_marks(text: str) -> str:
    """Remove every Vietnamese mark (tone and vowel marks, đ -> d), keeping case and the rest."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def syllable_accuracy(reference: str, hypothesis: str) -> float:
    """Share of reference words restored exactly (case-insensitive), position by position."""
    ref = normalize_for_eval(reference).lower().split()
    hyp = normalize_for_eval(hypothesis).lower().split()
    if len(ref) != len(hyp):
        return 1.0 - compare(reference.lower(), hypothesis.lower())["wer"]
    return sum(r == h for r, h in zip(ref, hyp, strict=True)) / max(len(ref), 1)


def pyvi_restore(text: str) -> str:
    """pyvi's restorer, line by line (a line it cannot handle is left bare, as it came)."""
    from pyvi import ViUtils

    def one(line: str) -> str:
        try:
            return ViUtils.add_accents(line) if line.strip() else line
        except (KeyError, ValueError, IndexError):
            return line

    return "\n".join(one(line) for line in text.split("\n"))


def ocr_vie(image: Path) -> str:
    """Raw Tesseract `vie` text of every page of a sample (no correction)."""
    out = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "ocr", "--no-correct", str(image)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return out.stdout


def speed_row(text: str) -> tuple[float, float, int]:
    """(tokens per second, seconds, words) correcting `text` on one core, in this process."""
    corrector = Corrector()
    words = len(text.split())
    started = time.perf_counter()
    corrector.correct(text)
    seconds = time.perf_counter() - started
    return words / seconds, seconds, words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--skip-ocr", action="store_true", help="skip the sample-page OCR rows")
    parser.add_argument("--skip-pyvi", action="store_true")
    args = parser.parse_args()

    corrector = Corrector()
    rows: list[tuple[str, str, str]] = []

    ocr_text = (args.dev / "ocr.txt").read_text(encoding="utf-8")
    truth = (args.dev / "truth.txt").read_text(encoding="utf-8")
    raw = compare(truth, ocr_text)
    fixed = compare(truth, corrector.correct(ocr_text).text)
    rows.append(("dev set: raw OCR", f"CER {raw['cer']:.2%}", f"WER {raw['wer']:.2%}"))
    rows.append(("dev set: vnocr correct", f"CER {fixed['cer']:.2%}", f"WER {fixed['wer']:.2%}"))

    bare = strip_marks(truth)
    restored = corrector.correct(bare).text
    rows.append(
        (
            "unaccented dev truth: vnocr",
            f"syllables {syllable_accuracy(truth, restored):.2%}",
            f"WER {compare(truth, restored)['wer']:.2%}",
        )
    )
    if not args.skip_pyvi:
        by_pyvi = pyvi_restore(bare)
        rows.append(
            (
                "unaccented dev truth: pyvi",
                f"syllables {syllable_accuracy(truth, by_pyvi):.2%}",
                f"WER {compare(truth, by_pyvi)['wer']:.2%}",
            )
        )

    if not args.skip_ocr:
        for gt in sorted((ROOT / "samples").glob("*.gt.txt")):
            name = gt.name.removesuffix(".gt.txt")
            images = [p for p in gt.parent.glob(name + ".*") if not p.name.endswith(".txt")]
            if not images:
                continue
            reference = gt.read_text(encoding="utf-8")
            raw_text = ocr_vie(images[0])
            before = compare(reference, raw_text)["cer"]
            after = compare(reference, corrector.correct(raw_text).text)["cer"]
            rows.append(
                (
                    f"sample {images[0].name}: vie raw -> corrected",
                    f"CER {before:.2%} -> {after:.2%}",
                    "",
                )
            )

    pages = max(1, round(100 * 40 / max(1, ocr_text.count("\n"))))  # ~40 lines a page
    tps, seconds, words = speed_row("\n\n".join([ocr_text] * pages))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(
        (
            "speed, 100-page OCR text, 1 core",
            f"{tps:,.0f} tokens/s",
            f"{words:,} words in {seconds:.1f} s",
        )
    )
    rows.append(("peak memory (whole run)", f"{peak_mb:.0f} MB", ""))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'value':<28}  detail")
    for name, value, detail in rows:
        print(f"{name.ljust(width)}  {value:<28}  {detail}")


if __name__ == "__main__":
    main()
