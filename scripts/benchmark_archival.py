"""Benchmark `vnocr ocr --format pdf` against plain OCRmyPDF; prints one table.

    .venv/bin/python scripts/benchmark_archival.py [--jobs 2] [--rounds 2]

Input: one PDF of every transcribed page we have, assembled losslessly (pikepdf, img2pdf): the
real 10-page scanned dossier ../shared/data/real-scans/source-pdfs/ldocr_2494.pdf (1-bit JBIG2,
two blank pages), the real-scan images with transcriptions (sohoasv, ocrvbpl; their resolution
taken as an A4 width), and the samples (decision_3p.pdf, plan_2p.tif, report_clean.png,
report_scan.jpg). Without ../shared, the samples alone.

Runs, alternated `--rounds` times, with the same PDF/A level (2b) and --jobs:
  plain:  ocrmypdf -l vie --output-type pdfa-2 --jobs J in.pdf out.pdf
  vnocr:  vnocr ocr in.pdf --format pdf --pdfa 2 --jobs J -o out.pdf
then once `vnocr ocr in.pdf` (the .txt output). Prints pages/min, file sizes, and the word error
rate of each text layer (`pdftotext`, page by page; also `pdftotext -raw`, the order the text
was written in) and of the .txt output against the
transcriptions (vnocr eval's normalisation: NFC, whitespace folded, tone placement ignored).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data" / "real-scans"
sys.path.insert(0, str(REPO))

from vnocr.text.evaluate import compare  # noqa: E402

A4_WIDTH_INCHES = 8.27
BIN = Path(sys.executable).parent


def image_pdf(image: Path, out: Path, dpi: float | None = None) -> Path:
    """`image` (every frame) as a PDF without re-encoding; `dpi` overrides its resolution."""
    import img2pdf

    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi)) if dpi else img2pdf.default_layout_fun
    out.write_bytes(img2pdf.convert(str(image), layout_fun=layout))
    return out


def a4_dpi(image: Path) -> float:
    from PIL import Image

    with Image.open(image) as opened:
        return round(opened.width / A4_WIDTH_INCHES, 1)


def build_input(work: Path) -> tuple[Path, list[str | None], str]:
    """The assembled input PDF, each page's transcription (None: none), and what it holds."""
    import pikepdf

    parts: list[tuple[Path, list[str | None]]] = []
    described: list[str] = []
    dossier = SHARED / "source-pdfs" / "ldocr_2494.pdf"
    if dossier.is_file():
        truths: dict[int, str] = {}
        for gt in SHARED.glob("ldocr_*_p*.gt.txt"):
            page = int(re.search(r"_p(\d+)\.gt\.txt$", gt.name).group(1))
            truths[page] = gt.read_text(encoding="utf-8")
        with pikepdf.open(dossier) as pdf:
            count = len(pdf.pages)
        parts.append((dossier, [truths.get(page) for page in range(1, count + 1)]))
        described.append(f"ldocr_2494.pdf ({count} real pages, {len(truths)} transcribed)")
        images = sorted(SHARED.glob("sohoasv_*.png"))
        images += sorted(SHARED.glob("ocrvbpl_*.png"))
        for image in images:
            gt = image.with_suffix(".gt.txt")
            if not gt.is_file():
                gt = REPO / "tests" / "data" / "real" / gt.name
            if not gt.is_file():
                continue
            pdf = image_pdf(image, work / f"{image.stem}.pdf", a4_dpi(image))
            parts.append((pdf, [gt.read_text(encoding="utf-8")]))
        described.append(f"{len(parts) - 1} real scan images")
    samples = REPO / "samples"
    for name in ("decision_3p.pdf", "plan_2p.tif", "report_clean.png", "report_scan.jpg"):
        source = samples / name
        truth = (samples / f"{source.stem}.gt.txt").read_text(encoding="utf-8").split("\f")
        pdf = source if source.suffix == ".pdf" else image_pdf(source, work / f"{source.stem}.pdf")
        parts.append((pdf, list(truth)))
    described.append("4 sample documents")
    combined = pikepdf.new()
    truths_all: list[str | None] = []
    for path, truths in parts:
        with pikepdf.open(path) as pdf:
            combined.pages.extend(pdf.pages)
        truths_all.extend(truths)
    out = work / "input.pdf"
    combined.save(out)
    return out, truths_all, ", ".join(described)


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-2000:]}")
    return seconds


def page_texts(pdf: Path, pages: int, raw: bool = False) -> list[str]:
    mode = ["-raw"] if raw else []
    return [
        subprocess.run(
            ["pdftotext", *mode, "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, pages + 1)
    ]


def wer(truths: list[str | None], texts: list[str]) -> tuple[float, int]:
    """Word error rate over the transcribed pages (edit distances summed), and the words."""
    distance = words = 0
    for truth, text in zip(truths, texts, strict=True):
        if truth is None:
            continue
        figures = compare(truth, text)
        distance += figures["word_distance"]
        words += figures["ref_words"]
    return distance / max(1, words), words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vnocr-bench-") as folder:
        work = Path(folder)
        source, truths, described = build_input(work)
        pages = len(truths)
        plain_pdf, vnocr_pdf = work / "plain.pdf", work / "vnocr.pdf"
        plain = [str(BIN / "ocrmypdf"), "-l", "vie", "--output-type", "pdfa-2", "--quiet"]
        plain += ["--jobs", str(args.jobs), str(source), str(plain_pdf)]
        ours = [str(BIN / "vnocr"), "ocr", str(source), "--format", "pdf", "--pdfa", "2"]
        ours += ["--jobs", str(args.jobs), "-o", str(vnocr_pdf)]
        load = os.getloadavg()
        print(f"input: {pages} pages ({described}); jobs {args.jobs}; rounds {args.rounds}")
        print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        times: dict[str, list[float]] = {"plain": [], "vnocr": []}
        for _ in range(args.rounds):
            times["plain"].append(timed(plain))
            times["vnocr"].append(timed(ours))
        txt_started = time.perf_counter()
        txt = subprocess.run(
            [str(BIN / "vnocr"), "ocr", str(source)], capture_output=True, text=True, check=True
        ).stdout.split("\f")
        txt_seconds = time.perf_counter() - txt_started
        load = os.getloadavg()
        plain_wer, words = wer(truths, page_texts(plain_pdf, pages))
        vnocr_wer, _ = wer(truths, page_texts(vnocr_pdf, pages))
        txt_wer, _ = wer(truths, txt)
        plain_raw, _ = wer(truths, page_texts(plain_pdf, pages, raw=True))
        vnocr_raw, _ = wer(truths, page_texts(vnocr_pdf, pages, raw=True))
        total = {name: sum(values) for name, values in times.items()}
        size = {"plain": plain_pdf.stat().st_size, "vnocr": vnocr_pdf.stat().st_size}
        print(f"load average at end:   {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print()
        print("| run | seconds per round | pages/min | size (bytes) | text-layer WER | -raw |")
        print("| --- | --- | --- | --- | --- | --- |")
        for name, label in (("plain", "plain ocrmypdf"), ("vnocr", "vnocr ocr --format pdf")):
            rate = pages * len(times[name]) / total[name] * 60
            rounds = ", ".join(f"{s:.1f}" for s in times[name])
            layer_wer, raw_wer = (
                (plain_wer, plain_raw) if name == "plain" else (vnocr_wer, vnocr_raw)
            )
            print(
                f"| {label} | {rounds} | {rate:.1f} | {size[name]:,} | {layer_wer:.2%} "
                f"| {raw_wer:.2%} |"
            )
        print(
            f"| vnocr ocr (.txt, one process) | {txt_seconds:.1f} | "
            f"{pages / txt_seconds * 60:.1f} | - | {txt_wer:.2%} | - |"
        )
        print()
        print(f"time vnocr / plain: {total['vnocr'] / total['plain']:.3f}")
        print(f"size vnocr / plain: {size['vnocr'] / size['plain']:.3f}")
        print(
            f"WER over {words} reference words: text layer vnocr {vnocr_wer:.2%} vs .txt "
            f"{txt_wer:.2%} (difference {abs(vnocr_wer - txt_wer) * 100:.2f} points); "
            f"plain OCRmyPDF {plain_wer:.2%}"
        )


if __name__ == "__main__":
    main()
