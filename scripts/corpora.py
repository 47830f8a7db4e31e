"""The public corpora in ../shared/corpora: reading them, their genres, and the held-out split.

A line is held out of every model build when `is_held_out(line)`: a deterministic hash of the line,
so the build and the benchmark agree on the split without storing it. `in_subset` picks a further,
disjoint share of the remaining lines, for quick experiments on a smaller build.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"

# Genre of each corpus file (its name without .txt.gz), as reported by the benchmark.
GENRES = {
    "vntc-news": "news",
    "baomoi-magizbox": "news",
    "baomoi-tc201805": "news",
    "dantri-uts-unc": "news",
    "wiki-uts-viwiki": "encyclopedia",
    "lit-khudocmo": "literature",
    "law-uts-vlc": "law",
}

HELD_OUT_MODULUS = 100  # one line in 100 is held out
SUBSET_MODULUS = 10  # `in_subset`: one line in 10 of the rest


def _line_hash(line: str) -> int:
    return zlib.crc32(line.encode("utf-8"))


def is_held_out(line: str) -> bool:
    """True for the lines kept out of every model build (about 1%)."""
    return _line_hash(line) % HELD_OUT_MODULUS == 0


def in_subset(line: str) -> bool:
    """True for about a tenth of the lines, never a held-out one (for quick experiments)."""
    return _line_hash(line) % SUBSET_MODULUS == 1


def corpus_files(folder: Path = CORPORA) -> list[Path]:
    """The corpus files present, in a fixed order (empty if the folder is missing)."""
    return sorted(folder.glob("*.txt.gz")) if folder.is_dir() else []


def corpus_name(path: Path) -> str:
    return path.name.removesuffix(".txt.gz")


def read_lines(path: Path) -> Iterator[str]:
    """The non-empty lines of one gzip-compressed corpus file."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                yield line


def held_out_sample(path: Path, words: int) -> list[str]:
    """Held-out lines of a corpus file, evenly spread over it, holding about `words` words."""
    lines = [line for line in read_lines(path) if is_held_out(line)]
    total = sum(len(line.split()) for line in lines)
    step = max(1, total // max(words, 1))
    sample, count = [], 0
    for line in lines[::step]:
        if count >= words:
            break
        sample.append(line)
        count += len(line.split())
    return sample
