"""Benchmark the diacritic-restoration engine; prints one table.

Rows:
- dev set (../shared/data/dev): CER/WER of the raw OCR and after `vnocr correct`;
- unaccented input: the dev transcription with every mark stripped, restored by vnocr and by pyvi's
  `ViUtils.add_accents` (a CRF restorer from PyPI), syllable accuracy side by side;
- held-out corpus text: lines of every public corpus in ../shared/corpora that the model build
  leaves out (scripts/corpora.py), grouped by genre, marks stripped, restored by vnocr and by pyvi:
  WER side by side;
- sample pages (samples/*.gt.txt, our own text) OCR'd with Tesseract `vie`: CER before and after;
- unseen pages: samples/heldout_admin.txt (eight short documents we wrote and keep out of every
  model) rendered to pages by scripts/pagegen.py (clean and scan-like) and OCR'd with `eng`
  (raw OCR without a Vietnamese model, like the dev set) and `vie`: WER before and after;
- speed and peak memory correcting ~100 pages (~40,000 words) on one core, for clean text and for
  raw OCR (which is decoded twice, the second time with the error model adapted to it).

Run: .venv/bin/python scripts/benchmark_restore.py [--dev DIR] [--skip-ocr] [--skip-pyvi]
     [--skip-heldout] [--skip-corpora]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import corpora  # noqa: E402
from vnocr.restore.correct import Corrector  # noqa: E402
from vnocr.text.evaluate import compare, normalize_for_eval  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "dev"
HELDOUT = ROOT / "samples" / "heldout_admin.txt"
HELDOUT_LINES_PER_PAGE = 28
CORPUS_WORDS_PER_GENRE = 6_000  # held-out corpus text restored per genre


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


def pyvi_restore(text: str) -> tuple[str, int]:
    """pyvi's restorer line by line, and how many lines it failed on (those are left bare)."""
    from pyvi import ViUtils

    failures = 0
    out = []
    for line in text.split("\n"):
        try:
            out.append(ViUtils.add_accents(line) if line.strip() else line)
        except (KeyError, ValueError, IndexError):  # pyvi raises on some letter pairs
            failures += 1
            out.append(line)
    return "\n".join(out), failures


def held_out_by_genre(folder: Path) -> dict[str, str]:
    """Held-out lines of each corpus, about CORPUS_WORDS_PER_GENRE words per genre (shared
    evenly between the files of a genre), one text per genre."""
    files = corpora.corpus_files(folder)
    by_genre: dict[str, list[Path]] = {}
    for path in files:
        by_genre.setdefault(corpora.GENRES.get(corpora.corpus_name(path), "other"), []).append(path)
    return {
        genre: "\n".join(
            line
            for path in paths
            for line in corpora.held_out_sample(path, CORPUS_WORDS_PER_GENRE // len(paths))
        )
        for genre, paths in sorted(by_genre.items())
    }


def ocr_vie(image: Path) -> str:
    """Raw Tesseract `vie` text of every page of a sample (no correction)."""
    out = subprocess.run(
        [sys.executable, "-m", "vnocr.cli", "ocr", "--no-correct", str(image)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return out.stdout


def render_heldout(text: str) -> tuple[str, dict[tuple[str, str], str]]:
    """Render `text` to pages (paragraphs wrapped, fonts in turn) and OCR them: the pages' text
    as rendered, and the OCR text by (level, language) for clean/scan and eng/vie."""
    from concurrent.futures import ProcessPoolExecutor

    from scripts.pagegen import find_fonts, wrap_words

    fonts = find_fonts()
    pages: list[tuple[int, str, list[str]]] = []
    lines: list[str] = []
    for paragraph in (p for p in text.splitlines() if p.strip()):
        lines += wrap_words(paragraph.split(), fonts[len(pages) % len(fonts)], 13, 7.0)
        if len(lines) >= HELDOUT_LINES_PER_PAGE:
            pages.append((len(pages), str(fonts[len(pages) % len(fonts)]), lines))
            lines = []
    if lines:
        pages.append((len(pages), str(fonts[len(pages) % len(fonts)]), lines))
    with ProcessPoolExecutor(2) as pool:
        done = list(pool.map(_ocr_heldout_page, pages))
    reference = "\n\n".join("\n".join(page_lines) for _, _, page_lines in pages)
    keys = done[0].keys()
    return reference, {key: "\n\n".join(page[key].strip() for page in done) for key in keys}


def _ocr_heldout_page(page: tuple[int, str, list[str]]) -> dict[tuple[str, str], str]:
    import pytesseract

    from scripts.pagegen import degrade, render_page

    number, font, lines = page
    image = render_page(lines, font, 13)
    found = {}
    for level in ("clean", "scan"):
        degraded = degrade(image, level, seed=number)
        dpi = int(degraded.info.get("dpi", (300, 300))[0])
        for language in ("eng", "vie"):
            config = f"--psm 6 --dpi {dpi}"
            found[(level, language)] = pytesseract.image_to_string(
                degraded, lang=language, config=config
            )
    return found


# Peak memory is this process's own high-water mark (VmHWM): ru_maxrss would also count the
# memory of the benchmark process it was forked from.
SPEED_SCRIPT = """
import json, re, resource, sys, time
from vnocr.restore.correct import Corrector
text = open(sys.argv[1], encoding="utf-8").read()
started = time.perf_counter()
corrector = Corrector()
loaded = time.perf_counter()
corrector.correct(text)
done = time.perf_counter()
try:
    status = open("/proc/self/status").read()
    peak_kb = int(re.search(r"VmHWM:\\s*(\\d+) kB", status).group(1))
except (OSError, AttributeError):
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"words": len(text.split()), "load": loaded - started, "seconds": done - loaded,
                  "peak_mb": peak_kb / 1024}))
"""


def first_words(text: str, count: int) -> str:
    """The first whole lines of `text` that hold about `count` words."""
    lines, words = [], 0
    for line in text.splitlines():
        if words >= count:
            break
        lines.append(line)
        words += len(line.split())
    return "\n".join(lines)


def speed_row(text: str) -> dict[str, float]:
    """Correct `text` in a fresh process: words, model load and correction seconds, peak MB."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
        f.write(text)
    try:
        out = subprocess.run(
            [sys.executable, "-c", SPEED_SCRIPT, f.name],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
        )
    finally:
        os.unlink(f.name)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--skip-ocr", action="store_true", help="skip the sample-page OCR rows")
    parser.add_argument("--skip-pyvi", action="store_true")
    parser.add_argument("--skip-heldout", action="store_true", help="skip the unseen-page rows")
    parser.add_argument("--corpora", type=Path, default=corpora.CORPORA)
    parser.add_argument("--skip-corpora", action="store_true", help="skip the held-out corpus rows")
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
        by_pyvi, failures = pyvi_restore(bare)
        rows.append(
            (
                "unaccented dev truth: pyvi",
                f"syllables {syllable_accuracy(truth, by_pyvi):.2%}",
                f"WER {compare(truth, by_pyvi)['wer']:.2%} (pyvi failed on {failures} lines)",
            )
        )

    if not args.skip_corpora:
        for genre, reference in held_out_by_genre(args.corpora).items():
            bare = strip_marks(reference)
            ours = compare(reference, corrector.correct(bare).text)["wer"]
            detail = ""
            if not args.skip_pyvi:
                by_pyvi, failures = pyvi_restore(bare)
                detail = (
                    f"pyvi WER {compare(reference, by_pyvi)['wer']:.2%} "
                    f"(failed on {failures} of {reference.count(chr(10)) + 1} lines)"
                )
            rows.append(
                (
                    f"held-out {genre} ({len(reference.split()):,} words), unaccented: vnocr",
                    f"WER {ours:.2%}",
                    detail,
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

    if not args.skip_heldout:
        reference, ocr_texts = render_heldout(HELDOUT.read_text(encoding="utf-8"))
        pages = reference.count("\n\n") + 1
        for (level, language), text in sorted(ocr_texts.items(), key=lambda kv: kv[0][::-1]):
            before = compare(reference, text)
            after = compare(reference, corrector.correct(text).text)
            rows.append(
                (
                    f"unseen pages ({pages}), {language} OCR, {level}: raw -> corrected",
                    f"WER {before['wer']:.2%} -> {after['wer']:.2%}",
                    f"CER {before['cer']:.2%} -> {after['cer']:.2%}",
                )
            )
        restored = corrector.correct(strip_marks(reference)).text
        rows.append(
            (
                "unseen pages, unaccented: vnocr",
                f"syllables {syllable_accuracy(reference, restored):.2%}",
                f"WER {compare(reference, restored)['wer']:.2%}",
            )
        )

    # Speed on 100 pages (~40,000 words) of two kinds of text, each in a fresh process.
    clean = first_words(
        (ROOT / "lexicon" / "domain" / "corpus.txt").read_text(encoding="utf-8"), 40_000
    )
    noisy = "\n\n".join([ocr_text] * max(1, round(40_000 / len(ocr_text.split()))))
    for name, text in [
        ("clean text (lexicon/domain/corpus.txt, first 40,000 words)", clean),
        ("raw OCR (dev ocr.txt repeated)", noisy),
    ]:
        # Best of three runs: the machine's other work only ever slows a run down.
        figures = min((speed_row(text) for _ in range(3)), key=lambda f: f["seconds"])
        rows.append(
            (
                f"speed, {name}, 1 core, best of 3",
                f"{figures['words'] / figures['seconds']:,.0f} tokens/s",
                f"{figures['words']:,} words in {figures['seconds']:.1f} s, "
                f"models load {figures['load']:.2f} s, peak {figures['peak_mb']:.0f} MB",
            )
        )

    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'value':<28}  detail")
    for name, value, detail in rows:
        print(f"{name.ljust(width)}  {value:<28}  {detail}")


if __name__ == "__main__":
    main()
