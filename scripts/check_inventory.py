"""Check the generated syllable inventory against attested Vietnamese word lists.

Usage: python scripts/check_inventory.py [VIET74K_PATH] [--hunspell PATH] [--show N]

Prints the inventory size, the share of attested syllables the inventory accepts (wordfreq
`vi`, hunspell vi_VN.dic, underthesea Viet74K if a path is given) and the attested syllables it
rejects, most frequent first (so an over-strict rule shows up).
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vnocr.text.orthography import has_vietnamese_letter, inventory, is_valid  # noqa: E402

HUNSPELL = Path("/usr/share/hunspell/vi_VN.dic")
VIET74K = Path("/tmp/uts/x/underthesea/corpus/data/Viet74K.txt")


def attested(words: Iterable[tuple[str, float]]) -> Counter[str]:
    """Vietnamese-looking single syllables (weight summed): alphabetic, lower-cased, and either
    containing a Vietnamese-specific letter or already valid."""
    out: Counter[str] = Counter()
    for word, weight in words:
        for part in unicodedata.normalize("NFC", word).lower().split():
            if part.isalpha() and (has_vietnamese_letter(part) or is_valid(part)):
                out[part] += weight
    return out


def wordfreq_vi() -> Counter[str]:
    """Syllables of wordfreq's `vi` list, weighted by frequency."""
    from wordfreq import get_frequency_dict

    return attested(get_frequency_dict("vi").items())


def hunspell_vi(path: Path = HUNSPELL) -> Counter[str]:
    """Syllables of a hunspell .dic (first line is a count; flags after '/')."""
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return attested((line.split("/")[0], 1.0) for line in lines)


def viet74k(path: Path) -> Counter[str]:
    """Syllables of underthesea's Viet74K word list (one word per line, syllables spaced)."""
    return attested((line, 1.0) for line in path.read_text(encoding="utf-8").splitlines())


def report(name: str, counts: Counter[str], show: int) -> float:
    """Print coverage of `counts` (by type and by weight) and the rejected syllables."""
    total = sum(counts.values())
    bad = Counter({w: c for w, c in counts.items() if not is_valid(w)})
    types = 1 - len(bad) / len(counts)
    weight = 1 - sum(bad.values()) / total
    print(
        f"{name}: {len(counts)} syllables, {len(bad)} rejected; "
        f"coverage {types:.4%} of types, {weight:.4%} by weight"
    )
    if bad and show:
        items = bad.most_common(show)
        print("  rejected: " + " ".join(w for w, _ in items))
    return types


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("viet74k", nargs="?", type=Path, default=None)
    ap.add_argument("--hunspell", type=Path, default=HUNSPELL)
    ap.add_argument("--show", type=int, default=200, help="rejected syllables to list")
    args = ap.parse_args(argv)

    inv_old, inv_new = inventory("old"), inventory("new")
    print(
        f"inventory: {len(inv_old)} syllables (old style), {len(set(inv_old) | set(inv_new))} "
        "spellings accepted with both tone styles"
    )
    seen: set[str] = set()
    lists = [("wordfreq vi", wordfreq_vi())]
    if args.hunspell.exists():
        lists.append((f"hunspell {args.hunspell.name}", hunspell_vi(args.hunspell)))
    else:
        print(f"hunspell: {args.hunspell} not found, skipped")
    path = args.viet74k or (VIET74K if VIET74K.exists() else None)
    if path is not None and path.exists():
        lists.append((f"Viet74K {path.name}", viet74k(path)))
    else:
        print("Viet74K: no path given, skipped")
    for name, counts in lists:
        report(name, counts, args.show)
        seen.update(counts)
    accepted = set(inv_old) | set(inv_new)
    used = {w for w in seen if w in accepted}
    print(
        f"inventory spellings attested in these lists: {len(used)} "
        f"({len(used) / len(accepted):.1%}); the rest are possible but unattested"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
