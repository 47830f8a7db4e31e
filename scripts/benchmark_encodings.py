#!/usr/bin/env python3
"""Legacy encodings: detection and conversion back to Unicode, measured as CER.

The committed Vietnamese texts (samples/*.gt.txt and samples/heldout_admin.txt) are encoded in
each legacy encoding (TCVN3, VNI-Windows, VISCII, Windows-1258, VIQR); the bytes are then read
the way `vnocr correct` reads an input (UTF-8 first, then detection) and compared with the
original text as `vnocr eval` does. With --cli (the default) each encoded file is also run
through the `vnocr correct` command, and that output is compared too. "viqr-unescaped" is VIQR
as many wrote it, without the backslash before literal marks (sentence-final "gia.").

Run: .venv/bin/python scripts/benchmark_encodings.py [--no-cli]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from vnocr.text import decoding, evaluate, legacy_encodings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
ENCODINGS = ("tcvn3", "vni", "viscii", "cp1258", "viqr", "viqr-unescaped")


def corpus() -> str:
    """The reference text: every ground truth and the held-out administrative text."""
    paths = sorted(SAMPLES.glob("*.gt.txt")) + [SAMPLES / "heldout_admin.txt"]
    return "\n".join(path.read_text(encoding="utf-8") for path in paths)


def run_correct(path: Path) -> tuple[str, str]:
    """(stdout, stderr) of `vnocr correct PATH`."""
    vnocr = Path(sys.executable).parent / "vnocr"
    result = subprocess.run(
        [str(vnocr), "correct", str(path)], capture_output=True, check=True, timeout=600
    )
    return result.stdout.decode("utf-8"), result.stderr.decode("utf-8").strip()


def main() -> None:
    """Print one row per encoding."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cli", action="store_true", help="skip the `vnocr correct` runs")
    args = parser.parse_args()
    reference = corpus()
    legacy_encodings.syllable_share("việt")  # build the syllable index before timing
    print(
        f"reference: {len(reference)} characters, {len(reference.split())} words "
        "(samples/*.gt.txt + samples/heldout_admin.txt)"
    )
    with tempfile.TemporaryDirectory() as folder:
        if not args.no_cli:
            plain = Path(folder) / "utf8.txt"
            plain.write_text(reference, encoding="utf-8")
            baseline = evaluate.cer(reference, run_correct(plain)[0])
            print(f"`vnocr correct` on the UTF-8 original itself: CER {baseline:.3%}")
        header = (
            f"{'encoding':<15} {'bytes':>6} {'detected as':<13} {'share':>6} "
            f"{'decode CER':>10} {'WER':>7} {'ms':>5} {'correct CER':>11}"
        )
        print(header)
        print("-" * len(header))
        for name in ENCODINGS:
            data = legacy_encodings.encode(reference, name.removesuffix("-unescaped"))
            if name.endswith("-unescaped"):
                data = data.replace(b"\\", b"")
            started = time.perf_counter()
            decoded = decoding.decode_document(data, f"{name}.txt")
            millis = (time.perf_counter() - started) * 1000
            share = legacy_encodings.syllable_share(decoded.text)[0]
            figures = evaluate.compare(reference, decoded.text)
            cli = "-"
            if not args.no_cli:
                path = Path(folder) / f"{name}.txt"
                path.write_bytes(data)
                corrected, note = run_correct(path)
                cli = f"{evaluate.cer(reference, corrected):.3%}"
                if "decoded as" not in note:
                    cli += " (no note)"
            print(
                f"{name if '-' in name else legacy_encodings.label(name):<15} {len(data):>6} "
                f"{legacy_encodings.label(decoded.encoding or 'utf-8'):<13} {share:>6.1%} "
                f"{figures['cer']:>10.3%} {figures['wer']:>7.2%} {millis:>5.0f} {cli:>11}"
            )


if __name__ == "__main__":
    main()
