#!/usr/bin/env python3
"""Check the hand-written domain lexicon (lexicon/domain/*.txt).

Per line: Unicode NFC, no trailing/double spaces, no non-Latin look-alike letters or stray
symbols, no duplicate entries (corpus.txt excepted). Per lower-case word: a well-formed
Vietnamese syllable (onset + nucleus + final, c/k and g/gh/ng/ngh rules, only sắc/nặng on
stop finals) with the tone mark in the OLD-style position (hóa, hòa, thủy, khỏe, người).
Abbreviations (two or more capitals: NQ, TTr, QĐi) and the allow-list below are skipped.

Usage: python scripts/check_domain_lexicon.py [FILE ...]   (default: lexicon/domain/*.txt)
Exit status 1 if any problem was found.
"""

import pathlib
import re
import sys
import unicodedata as ud

ONSETS = sorted(
    "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split(),
    key=len,
    reverse=True,
)
TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
EXTRA_CHARS = set("—–-0123456789 \t,.;:()/\"'%!?…“”‘’&+*§°=<>[]_")
NUCLEI = set(
    """a ă â e ê i o ô ơ u ư y
ai ao au ay âu ây eo êu ia iu iê oa oă oe oi ôi ơi ua uâ uê ui uô uơ uy ưa ưi ưu ươ yê
iêu yêu oai oay oeo uây uôi ươi ươu uyê uya uyu""".split()
)

# minority-language place/ethnic names, loanwords and short forms that are not Vietnamese
# syllables but are correct as written
ALLOW = set(
    """Khmer Hrê Brâu Mnông Xtiêng Stiêng Hmông Jrai Bana Raglai Bru Glai Kbang Krông
Đắk Đăk Đak Lắk Jút Ea Kar Súp Búk Pleiku Păh Pưh Grai Sê Kông Kôn Chro Yang Glei Glong Drai
Đrắk gar Kuin Mil Huoai Kạn Attapư Campuchia Lênin dioxin km Internet email online
Zalo Facebook YouTube TikTok COVID OCOP camera Singapore Delta Omicron heroin kg kWh MW mm logistics
Kon Plông Prông Ayun Pa""".split()
)
ALLOW_LOWER = {w.lower() for w in ALLOW}


def split_syllable(word):
    """(onset, nucleus, final, tone, tone_index_in_nucleus) or None."""
    letters, tone, ti = [], None, None
    for ch in ud.normalize("NFD", word.lower()):
        if ch in TONES:
            if tone:
                return None
            tone, ti = ch, len(letters) - 1
        elif ud.combining(ch) and letters:
            letters[-1] = ud.normalize("NFC", letters[-1] + ch)
        else:
            letters.append(ch)
    base = "".join(letters)
    for onset in ONSETS + [""]:
        if not base.startswith(onset):
            continue
        rest = base[len(onset) :]
        if onset == "gi" and (rest == "" or rest[0] in "nmcpt"):
            onset, rest = "g", base[1:]
        m = re.fullmatch(r"([aăâeêioôơuưy]+)(c|ch|m|n|ng|nh|p|t)?", rest)
        if m:
            return (
                onset,
                m.group(1),
                m.group(2) or "",
                tone,
                (ti - len(onset) if ti is not None else None),
            )
    return None


def old_style_tone_index(nucleus, final):
    if "ươ" in nucleus:
        return nucleus.index("ươ") + 1
    marked = [i for i, ch in enumerate(nucleus) if ch in "ăâêôơư"]
    if marked:
        return marked[-1]
    if len(nucleus) == 1:
        return 0
    if final:
        return len(nucleus) - 1
    return 0 if len(nucleus) == 2 else 1


def check_word(word):
    sp = split_syllable(word)
    if sp is None:
        return ["not a Vietnamese syllable"]
    onset, nuc, fin, tone, ti = sp
    probs = []
    if nuc not in NUCLEI:
        probs.append(f"odd nucleus {nuc!r}")
    if onset == "qu" and nuc.startswith("u"):
        probs.append("qu + u")
    if onset in ("gh", "ngh") and nuc[0] not in "eêi":
        probs.append("gh/ngh before a back vowel")
    if onset in ("g", "ng") and nuc[0] in "eê":
        probs.append("g/ng before e/ê (gh/ngh expected)")
    if onset == "c" and nuc[0] in "eêiy":
        probs.append("c before a front vowel (k expected)")
    if onset == "k" and nuc[0] not in "eêiy":
        probs.append("k before a back vowel (c expected)")
    if fin in ("c", "ch", "p", "t") and tone in ("\u0300", "\u0303", "\u0309"):
        probs.append("huyền/ngã/hỏi on a stop final")
    if tone and ti != old_style_tone_index(nuc, fin):
        probs.append("tone mark not in old-style position")
    return probs


def check_file(path):
    problems = 0
    seen = {}
    no_dups = not path.name.startswith("corpus")

    def report(n, msg):
        nonlocal problems
        problems += 1
        print(f"{path}:{n}: {msg}")

    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if line != ud.normalize("NFC", line):
            report(n, "not NFC")
        if line != line.rstrip():
            report(n, "trailing whitespace")
        key = line.strip()
        if not key or key.startswith("#"):
            continue
        if "  " in line.replace("\t", " "):
            report(n, "double space")
        for ch in line:
            cat = ud.category(ch)
            if cat[0] == "L" and ord(ch) > 127 and "LATIN" not in ud.name(ch, ""):
                report(n, f"non-Latin letter {ch!r} ({ud.name(ch, '?')})")
            elif cat[0] != "L" and ch not in EXTRA_CHARS:
                report(n, f"odd character {ch!r} U+{ord(ch):04X}")
        if no_dups:
            if key in seen:
                report(n, f"duplicate of line {seen[key]}: {key}")
            else:
                seen[key] = n
        for w in re.findall(r"[^\W\d_]+", line):
            if sum(c.isupper() for c in w) >= 2 or (len(w) == 1 and w not in "ÊƠêơ"):
                continue  # abbreviation or single letter (a), b), V/v)
            if w in ALLOW or w.lower() in ALLOW_LOWER:
                continue
            for p in check_word(w):
                report(n, f"{w}: {p}")
    return problems


def main(argv):
    root = pathlib.Path(__file__).resolve().parent.parent
    paths = [pathlib.Path(a) for a in argv] or sorted((root / "lexicon" / "domain").glob("*.txt"))
    total = sum(check_file(p) for p in paths)
    print(f"{len(paths)} file(s), {total} problem(s)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
