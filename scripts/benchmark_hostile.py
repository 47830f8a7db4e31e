"""Time and peak memory of `vnocr correct` on big and hostile texts (issue 17).

Builds raw OCR text of each size from ../shared/data/dev/ocr.txt repeated (or, without it,
from the samples' transcriptions), plus one line of 1 MB without spaces, runs `vnocr correct`
on each in a child process (one at a time, one thread) and prints a table: seconds, CPU
seconds, throughput and peak resident memory, with the ratios to the smallest size (equal
throughput and flat memory mean linear time and bounded memory).

    .venv/bin/python scripts/benchmark_hostile.py              # 1 and 10 MB, the 1 MB line
    .venv/bin/python scripts/benchmark_hostile.py --sizes 1,10,100
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV_OCR = ROOT.parent / "shared" / "data" / "dev" / "ocr.txt"
MB = 1 << 20


def source_text() -> tuple[str, str]:
    """Raw OCR text to repeat, and where it comes from."""
    if DEV_OCR.exists():
        return DEV_OCR.read_text(encoding="utf-8"), str(DEV_OCR)
    samples = sorted((ROOT / "samples").glob("*.gt.txt"))
    return "\n".join(p.read_text(encoding="utf-8") for p in samples), "samples/*.gt.txt"


def write_repeated(path: Path, text: str, megabytes: float) -> int:
    """Write `text` (a blank line after each copy) until the file holds `megabytes`."""
    block = (text.rstrip("\n") + "\n\n").encode("utf-8")
    size = 0
    with open(path, "wb") as handle:
        while size < megabytes * MB:
            handle.write(block)
            size += len(block)
    return size


def run_correct(path: Path, out: Path) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, peak RSS in KiB, exit code) of `vnocr correct path -o out`."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "vnocr.cli", "correct", str(path), "-o", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print(f"  vnocr correct failed ({code}): {stderr.strip()}", file=sys.stderr)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10", help="sizes in MB, comma-separated")
    parser.add_argument("--no-line", action="store_true", help="skip the 1 MB line")
    args = parser.parse_args()
    sizes = [float(size) for size in args.sizes.split(",") if size.strip()]
    text, origin = source_text()
    print(f"raw OCR text: {origin} repeated; vnocr correct, one process at a time")
    header = f"{'input':<28}{'MB':>8}{'wall s':>9}{'CPU s':>9}{'MB/CPU min':>12}{'peak MB':>9}"
    print(header)
    print("-" * len(header))
    base: tuple[float, float] | None = None
    with tempfile.TemporaryDirectory(prefix="vnocr-hostile-") as folder:
        cases = [(f"raw OCR {size:g} MB", size) for size in sizes]
        if not args.no_line:
            cases.append(("1 MB line without spaces", None))
        for name, size in cases:
            path, out = Path(folder) / "in.txt", Path(folder) / "out.txt"
            if size is None:
                path.write_bytes(b"x" * MB + b"\n")
                written = MB + 1
            else:
                written = write_repeated(path, text, size)
            wall, cpu, peak_kb, code = run_correct(path, out)
            megabytes = written / MB
            rate = megabytes / cpu * 60 if cpu else float("inf")
            note = "" if code == 0 else f"  (exit {code})"
            if size is not None:
                if base is None:
                    base = (rate, peak_kb)
                note += f"  throughput x{rate / base[0]:.2f}, memory x{peak_kb / base[1]:.2f}"
            print(
                f"{name:<28}{megabytes:>8.1f}{wall:>9.1f}{cpu:>9.1f}{rate:>12.2f}"
                f"{peak_kb / 1024:>9.0f}{note}",
                flush=True,
            )
            path.unlink()
            out.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
