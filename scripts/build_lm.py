"""Build the shipped syllable language model `lexicon/vi_lm.npz` from registry data and our lexicon.

Sources (see lexicon/README.md):
- our domain lexicon `lexicon/domain/*.txt` (phrases, names, and prose we wrote);
- running text: the VLSP 2013 POS test output shipped in the PyPI package underthesea 9.5.0
  (Apache-2.0), file pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt;
- multi-syllable words: underthesea's corpus/data/Viet74K.txt;
- syllable frequencies: wordfreq's `vi` list (unigram prior);
- attested syllables: Debian's hunspell-vi /usr/share/hunspell/vi_VN.dic (when installed).

The underthesea wheel is fetched with `pip download --no-deps` into .cache/ (nothing is installed).
Run: .venv/bin/python scripts/build_lm.py
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from vnocr.models import lm, shipped

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "wheels"
UNDERTHESEA = "underthesea==9.5.0"
VLSP_MEMBER = "underthesea/pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt"
VIET74K_MEMBER = "underthesea/corpus/data/Viet74K.txt"
HUNSPELL_DIC = Path("/usr/share/hunspell/vi_VN.dic")

# How much each source counts: running text we trust most, word lists least.
WEIGHT_RUNNING_TEXT = 3
WEIGHT_DOMAIN_PHRASES = 2
WEIGHT_WORD_LIST = 1


def underthesea_wheel() -> Path:
    """The underthesea wheel, downloaded once into .cache/wheels."""
    CACHE.mkdir(parents=True, exist_ok=True)
    found = sorted(CACHE.glob("underthesea-9.5.0-*.whl"))
    if not found:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "-q",
                "-d",
                str(CACHE),
                UNDERTHESEA,
            ],
            check=True,
        )
        found = sorted(CACHE.glob("underthesea-9.5.0-*.whl"))
    return found[0]


def read_member(wheel: Path, member: str) -> str:
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(member).decode("utf-8")


def vlsp_sentences(text: str) -> list[str]:
    """Rebuild sentences from the one-token-per-line VLSP file (blank line between sentences)."""
    sentences, words = [], []
    for line in text.splitlines():
        if not line.strip():
            if words:
                sentences.append(" ".join(words))
            words = []
            continue
        words.append(line.split("\t")[0])
    if words:
        sentences.append(" ".join(words))
    return sentences


def domain_lines(folder: Path) -> tuple[list[str], list[str]]:
    """(phrase-like entries, running prose) from our domain lexicon."""
    phrases, prose = [], []
    for path in sorted(folder.glob("*.txt")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip() if raw.lstrip().startswith("#") else raw.strip()
            if not line:
                continue
            (prose if path.name == "corpus.txt" else phrases).extend(line.split("\t"))
    return phrases, prose


def wordfreq_prior() -> dict[str, float]:
    """wordfreq's Vietnamese frequencies, keyed by LM syllable."""
    import wordfreq

    prior: dict[str, float] = {}
    for word, freq in wordfreq.get_frequency_dict("vi").items():
        syllable = lm.normalize_syllable(word)
        if syllable:
            prior[syllable] = prior.get(syllable, 0.0) + freq
    return prior


def hunspell_syllables() -> set[str]:
    if not HUNSPELL_DIC.exists():
        return set()
    words = HUNSPELL_DIC.read_text(encoding="utf-8", errors="replace").splitlines()[1:]
    return {s for w in words if (s := lm.normalize_syllable(w.split("/")[0]))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=shipped.lm_path())
    parser.add_argument(
        "--holdout",
        type=Path,
        help="leave every 10th VLSP sentence out of the model and write them to this file "
        "(held-out text for tuning and measuring; the shipped model uses all of them)",
    )
    args = parser.parse_args()
    started = time.perf_counter()

    counts = lm.Counts.empty()
    wheel = underthesea_wheel()
    held_out = []
    for i, sentence in enumerate(vlsp_sentences(read_member(wheel, VLSP_MEMBER))):
        if args.holdout and i % 10 == 9:
            held_out.append(sentence)
        else:
            counts.add_text(sentence, WEIGHT_RUNNING_TEXT)
    if args.holdout:
        args.holdout.write_text("\n".join(held_out) + "\n", encoding="utf-8")
    for word in read_member(wheel, VIET74K_MEMBER).splitlines():
        # A word's syllables follow each other, but an entry is no sentence: its trigrams with
        # the sentence bounds would be artefacts (leaving them out halved the trigrams and
        # measured alike on held-out text).
        counts.add_text(word.strip(), WEIGHT_WORD_LIST, trigrams=False)
    phrases, prose = domain_lines(shipped.domain_dir())
    for phrase in phrases:
        counts.add_text(phrase, WEIGHT_DOMAIN_PHRASES)
    for paragraph in prose:
        counts.add_text(paragraph, WEIGHT_RUNNING_TEXT)

    prior = wordfreq_prior()
    for syllable in hunspell_syllables():
        prior.setdefault(syllable, 1e-8)
    model = lm.build(counts, prior, unit=WEIGHT_RUNNING_TEXT)
    model.save(args.output)
    syllables = sum(1 for w in model.vocab if w not in lm.SPECIAL)
    print(
        f"wrote {args.output}: {len(model.vocab)} symbols ({syllables} syllables), "
        f"{len(model.bigrams)} bigrams, {model.trigram_count} trigrams, "
        f"{sum(counts.unigrams.values())} weighted tokens, "
        f"{args.output.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
