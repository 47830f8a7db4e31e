"""Vietnamese orthography: syllable structure, tone marks, tone-placement styles, inventory.

Everything works on NFC strings. Tones are ints: 0 ngang, 1 huyền, 2 sắc, 3 hỏi, 4 ngã, 5 nặng.

Decomposition of a written syllable (see `Syllable`):

* ``onset``: one of `ONSETS`. ``qu`` is an onset (its ``u`` is written but never carries the
  tone, so ``quý``, ``quá``, ``quyết`` are ``qu`` + nucleus with an empty glide). ``gi`` is an
  onset; before the nuclei ``i`` and ``iê`` the two ``i`` merge in writing: ``gì`` is
  ``gi`` + ``i`` and ``giết`` is ``gi`` + ``iê`` + ``t`` (the stored nucleus keeps its ``i``).
* ``glide``: ``""`` or the written medial ``o`` (before a, ă, e) / ``u`` (before â, ê, y, ơ,
  yê, ya): ``hoa``, ``hoặc``, ``khoẻ``, ``tuần``, ``thuế``, ``thuỷ``, ``thuở``, ``chuyện``,
  ``khuya``.
* ``nucleus``: the written vowel or vowel pair carrying the tone, in its written form:
  a ă â e ê i y o ô ơ u ư, ia ya ua ưa, iê yê uô ươ, and oo (``xoong``). ``i``/``y`` and
  ``iê``/``yê``/``ia``/``ya`` are told apart because the spelling depends on the context.
* ``coda``: ``""``, a final consonant (c ch m n ng nh p t) or a semivowel (i y o u):
  ``tai`` = a+i, ``tay`` = a+y, ``cây`` = â+y, ``sao`` = a+o, ``tuổi`` = uô+i, ``rượu`` = ươ+u.

Tone placement: on the nucleus vowel given by `NUCLEI` (first of ia/ya/ua/ưa, second of
iê/yê/uô/ươ/oo). Old style puts it on the glide in open oa/oe/uy syllables (hòa, khỏe, thủy),
new style on the nucleus (hoà, khoẻ, thuỷ); `parse` accepts both, nothing else.

Inventory: onset x (glide, nucleus, coda) from `_RHYMES`, filtered by `_valid_parts` (k/gh/ngh
only before e ê i y ia iê, c/g/ng never there; no glide after c k gh ngh gi qu or labials;
yê only without onset or after a glide/qu; open y only after a few onsets; gi merges with
i/iê), times the tones allowed by the coda (p t c ch take sắc/nặng only): 3,469 toneless
spellings, 15,894 syllables. Deliberately rejected although attested: minority place names
with k before a/ô/ă (Kạn, Đắk Lắk, Krông), syllables run together in loanwords (ôtô, nitơ),
qu + o (quoắt, quoạng), misplaced marks (qúy, gìa, hòan), missing tones on stop codas (têt),
and "ð" (eth) used for "đ".
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import Literal

import regex

Style = Literal["old", "new"]

NGANG, HUYEN, SAC, HOI, NGA, NANG = range(6)

# Each base vowel followed by its five toned forms, in tone order huyền sắc hỏi ngã nặng.
_TONE_TABLE = (
    "aàáảãạ",
    "ăằắẳẵặ",
    "âầấẩẫậ",
    "eèéẻẽẹ",
    "êềếểễệ",
    "iìíỉĩị",
    "oòóỏõọ",
    "ôồốổỗộ",
    "ơờớởỡợ",
    "uùúủũụ",
    "ưừứửữự",
    "yỳýỷỹỵ",
)
# Toned character -> (base vowel, tone), both cases.
_TONED: dict[str, tuple[str, int]] = {}
# (base vowel, tone) -> toned character, both cases.
_WITH: dict[tuple[str, int], str] = {}
for _row in _TONE_TABLE:
    for _case in (str.lower, str.upper):
        _forms = _case(_row)
        for _t, _ch in enumerate(_forms):
            _TONED[_ch] = (_forms[0], _t)
            _WITH[(_forms[0], _t)] = _ch

# Letters with Vietnamese vowel marks -> plain Latin letter (after the tone is removed).
_PLAIN = {"ă": "a", "â": "a", "ê": "e", "ô": "o", "ơ": "o", "ư": "u", "đ": "d"}
_PLAIN.update({k.upper(): v.upper() for k, v in list(_PLAIN.items())})

# The letters of Vietnamese words, in either case: a-z but f, j, w and z; đ; every vowel letter
# (a ă â e ê i o ô ơ u ư y) with or without a tone mark.
VIETNAMESE_LETTERS = frozenset(
    {*"abcdeghiklmnopqrstuvxyđ", *"abcdeghiklmnopqrstuvxyđ".upper(), *_TONED}
)

ONSETS: tuple[str, ...] = (
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
    "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
)  # fmt: skip

# Written nucleus -> index (within the nucleus) of the vowel that carries the tone.
NUCLEI: dict[str, int] = {
    "a": 0, "ă": 0, "â": 0, "e": 0, "ê": 0, "i": 0, "y": 0, "o": 0, "ô": 0, "ơ": 0, "u": 0,
    "ư": 0, "ia": 0, "ya": 0, "ua": 0, "ưa": 0, "iê": 1, "yê": 1, "uô": 1, "ươ": 1, "oo": 1,
}  # fmt: skip

STOPS = frozenset({"c", "ch", "p", "t"})

# (glide, nucleus) -> allowed codas ("" = open syllable).
_RHYMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "a"): ("", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u", "y"),
    ("", "ă"): ("c", "m", "n", "ng", "p", "t"),
    ("", "â"): ("c", "m", "n", "ng", "p", "t", "u", "y"),
    ("", "e"): ("", "c", "m", "n", "ng", "p", "t", "o"),
    ("", "ê"): ("", "ch", "m", "n", "nh", "p", "t", "u"),
    ("", "i"): ("", "ch", "m", "n", "nh", "p", "t", "u"),
    ("", "y"): ("",),
    ("", "o"): ("", "c", "m", "n", "ng", "p", "t", "i"),
    ("", "ô"): ("", "c", "m", "n", "ng", "p", "t", "i"),
    ("", "ơ"): ("", "m", "n", "p", "t", "i"),
    ("", "u"): ("", "c", "m", "n", "ng", "p", "t", "i"),
    ("", "ư"): ("", "c", "m", "n", "ng", "t", "i", "u"),
    ("", "ia"): ("",),
    ("", "ua"): ("",),
    ("", "ưa"): ("",),
    ("", "iê"): ("c", "m", "n", "ng", "p", "t", "u"),
    ("", "yê"): ("m", "n", "ng", "t", "u"),
    ("", "uô"): ("c", "m", "n", "ng", "t", "i"),
    ("", "ươ"): ("c", "m", "n", "ng", "p", "t", "i", "u"),
    ("", "oo"): ("c", "ng"),
    ("o", "a"): ("", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "y", "o"),
    ("o", "ă"): ("c", "m", "n", "ng", "p", "t"),
    ("o", "e"): ("", "n", "t", "o"),
    ("u", "â"): ("n", "ng", "t", "y"),
    ("u", "ê"): ("", "ch", "n", "nh"),
    ("u", "y"): ("", "ch", "nh", "p", "t", "u"),
    ("u", "ơ"): ("",),
    ("u", "yê"): ("n", "t"),
    ("u", "ya"): ("",),
}

# Onsets written before front vowels only (k, gh, ngh) and never before them (c, g, ng).
_FRONT_ONLY = frozenset({"k", "gh", "ngh"})
_NOT_FRONT = frozenset({"c", "g", "ng"})
_FRONT = frozenset({"e", "ê", "i", "y", "ia", "iê"})
# Onsets that take no glide: c/k (c + glide is written qu), gh/ngh, gi, qu, and labials.
_NO_GLIDE = frozenset({"c", "k", "gh", "ngh", "gi", "qu", "b", "m", "p", "ph", "v"})
# Onsets after which an open ``y`` is written (ý, hy, kỳ, lý, mỹ, sỹ, tỷ, quy ...).
_Y_ONSETS = frozenset({"", "h", "k", "l", "m", "n", "s", "t", "v"})
# qu + nucleus + coda is read like c + glide + nucleus + coda (quà ~ oa, quyết ~ uyê, quân ~
# uâ). Extra rhymes attested only after qu: quốc, quệt, quều, quạu, quới, and the older
# spelling with i (quí, quì, quít, quịt) beside quý, quỳ, quýt.
_QU_NUCLEI = frozenset({"a", "ă", "â", "e", "ê", "y", "yê", "ơ"})
_QU_EXTRA: dict[str, tuple[str, ...]] = {
    "ô": ("c",),
    "ê": ("t", "u"),
    "a": ("u",),
    "ơ": ("i",),
    "i": ("", "ch", "nh", "t"),
}
# Loanword syllables outside the native rules that are too common to reject: buýt (xe buýt).
_LOANS = frozenset({("b", "u", "y", "t")})
CODAS: tuple[str, ...] = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "y", "o", "u")


def _valid_parts(onset: str, glide: str, nucleus: str, coda: str) -> bool:
    """True if onset + rhyme is a well-formed written syllable (tone not considered)."""
    if onset not in ONSETS:
        return False
    if (onset, glide, nucleus, coda) in _LOANS:
        return True
    if onset == "qu":
        return not glide and _valid_qu(nucleus, coda)
    if coda not in _RHYMES.get((glide, nucleus), ()):
        return False
    if glide and onset in _NO_GLIDE:
        return False
    if glide == "u" and onset == "g":
        return False
    front = not glide and nucleus in _FRONT
    if onset in _FRONT_ONLY and not front:
        return False
    if onset in _NOT_FRONT and front:
        return False
    if nucleus == "yê" and not glide and onset:
        return False
    if nucleus == "iê" and not onset:
        return False
    if nucleus == "y" and not glide and onset not in _Y_ONSETS:
        return False
    if onset == "gi":
        # gi + i and gi + iê are written with one i (gì, giết). So gi + ê can only be open
        # (giê, giề), gi + iu would read as gi + u, and ia/y/yê never follow gi.
        if nucleus in ("ia", "y", "yê"):
            return False
        if (nucleus == "ê" and coda) or (nucleus == "i" and coda == "u"):
            return False
    return True


def _valid_qu(nucleus: str, coda: str) -> bool:
    """qu + nucleus + coda: valid where c + glide + nucleus + coda would be, plus _QU_EXTRA."""
    if coda in _QU_EXTRA.get(nucleus, ()):
        return True
    if nucleus not in _QU_NUCLEI:
        return False
    glide = "o" if nucleus in ("a", "ă", "e") else "u"
    return coda in _RHYMES.get((glide, nucleus), ())


def _valid_tone(coda: str, tone: int) -> bool:
    """Stop codas p t c ch take only sắc or nặng."""
    return 0 <= tone <= 5 and (coda not in STOPS or tone in (SAC, NANG))


@dataclass(frozen=True)
class Syllable:
    """A parsed syllable; see the module docstring for the decomposition."""

    onset: str
    glide: str
    nucleus: str
    coda: str
    tone: int

    @property
    def base(self) -> str:
        """The syllable written without its tone."""
        return compose(self, tone=0)


def _tone_index(syl: Syllable, style: str) -> int:
    """Index, in the written (toneless) syllable, of the vowel that carries the tone."""
    onset = "g" if syl.onset == "gi" and syl.nucleus in ("i", "iê") else syl.onset
    start = len(onset)
    if (
        style == "old"
        and not syl.coda
        and (syl.glide, syl.nucleus) in (("o", "a"), ("o", "e"), ("u", "y"))
    ):
        return start
    return start + len(syl.glide) + NUCLEI[syl.nucleus]


def compose(syl: Syllable, style: str = "old", tone: int | None = None) -> str:
    """The lower-case syllable with its tone mark placed by `style` ("old" hòa, "new" hoà).

    `tone` overrides ``syl.tone``.
    """
    if style not in ("old", "new"):
        raise ValueError(f"style must be 'old' or 'new', not {style!r}")
    t = syl.tone if tone is None else tone
    onset = "g" if syl.onset == "gi" and syl.nucleus in ("i", "iê") else syl.onset
    text = onset + syl.glide + syl.nucleus + syl.coda
    if not t:
        return text
    i = _tone_index(syl, style)
    return text[:i] + _WITH[(text[i], t)] + text[i + 1 :]


# Toneless spelling -> syllable parts, including stop-coda rhymes that need a tone (viêt).
_BASES: dict[str, Syllable] = {}


@functools.cache
def _syllables() -> tuple[tuple[Syllable, ...], dict[str, Syllable]]:
    """All valid syllables, and a map from every accepted spelling (both styles) to them."""
    out: list[Syllable] = []
    index: dict[str, Syllable] = {}
    bases = _BASES
    rhymes = sorted({(g, n) for g, n in _RHYMES} | {("", n) for n in NUCLEI})
    for onset in ONSETS:
        for glide, nucleus in rhymes:
            for coda in CODAS:
                if not _valid_parts(onset, glide, nucleus, coda):
                    continue
                bases[compose(Syllable(onset, glide, nucleus, coda, 0))] = Syllable(
                    onset, glide, nucleus, coda, 0
                )
                for tone in range(6):
                    if not _valid_tone(coda, tone):
                        continue
                    syl = Syllable(onset, glide, nucleus, coda, tone)
                    out.append(syl)
                    for style in ("old", "new"):
                        word = compose(syl, style)
                        other = index.setdefault(word, syl)
                        if other != syl:
                            raise AssertionError(f"ambiguous spelling {word}: {other} {syl}")
    return tuple(out), index


def parse(word: str) -> Syllable | None:
    """Parse one syllable (any case, either tone style); None if it is not valid Vietnamese."""
    w = unicodedata.normalize("NFC", word).lower()
    return _syllables()[1].get(w)


def is_valid(word: str) -> bool:
    """True if `word` is one valid Vietnamese syllable (any case, either tone style)."""
    return parse(word) is not None


def inventory(style: str = "old") -> list[str]:
    """Every valid lower-case syllable, generated from the phonotactic rules, sorted.

    15,894 syllables with the current rules (see docs in the module and
    scripts/check_inventory.py for coverage of attested word lists).
    """
    return list(_inventory(style))


@functools.cache
def _inventory(style: str) -> tuple[str, ...]:
    if style not in ("old", "new"):
        raise ValueError(f"style must be 'old' or 'new', not {style!r}")
    return tuple(sorted(compose(s, style) for s in _syllables()[0]))


@functools.cache
def _by_skeleton(style: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for s in _inventory(style):
        out.setdefault(skeleton(s), []).append(s)
    return {k: tuple(v) for k, v in out.items()}


def by_skeleton(skel: str, style: str = "old") -> tuple[str, ...]:
    """All inventory syllables whose skeleton is `skel` ("duong" -> dương, đường, ...)."""
    return _by_skeleton(style).get(skel.lower(), ())


@functools.cache
def clusters(longest: int) -> frozenset[str]:
    """The strings of 2 to `longest` letters found inside some syllable's skeleton (uo, ti, ngh)."""
    found: set[str] = set()
    for skel in {skeleton(s) for s in _inventory("old")}:
        for a in range(len(skel)):
            for b in range(a + 2, min(a + longest, len(skel)) + 1):
                found.add(skel[a:b])
    return frozenset(found)


def tone_of(word: str) -> int:
    """The tone of the first tone-marked vowel in `word` (0 if none)."""
    for ch in unicodedata.normalize("NFC", word):
        hit = _TONED.get(ch)
        if hit and hit[1]:
            return hit[1]
    return NGANG


def strip_tone(word: str) -> str:
    """Remove tone marks, keep vowel marks (ă â ê ô ơ ư) and đ; case is kept."""
    text = unicodedata.normalize("NFC", word)
    return "".join(_TONED[ch][0] if ch in _TONED else ch for ch in text)


def base_letter(ch: str) -> str:
    """The Latin letter of a letter with marks (ế -> e, ơ -> o, đ -> d); else `ch` unchanged."""
    if ch in "đĐ":
        return "d" if ch == "đ" else "D"
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or ch


def is_vietnamese_letter(ch: str) -> bool:
    """True for a letter of Vietnamese words (see `VIETNAMESE_LETTERS`), in either case."""
    return ch in VIETNAMESE_LETTERS


def skeleton(word: str) -> str:
    """Lower case with all marks removed and đ -> d: "Nghị" -> "nghi", "Đảng" -> "dang"."""
    w = strip_tone(word).lower()
    w = "".join(_PLAIN.get(ch, ch) for ch in w)
    w = unicodedata.normalize("NFD", w)
    return "".join(ch for ch in w if not unicodedata.combining(ch))


def with_tone(base: str, tone: int, style: str = "old") -> str:
    """Put `tone` on the syllable `base` (any existing tone is replaced); case is kept.

    Raises ValueError if `base` is not a valid syllable with that tone.
    """
    _syllables()
    syl = _BASES.get(unicodedata.normalize("NFC", strip_tone(base)).lower())
    if syl is None or not _valid_tone(syl.coda, tone):
        raise ValueError(f"cannot put tone {tone} on {base!r}")
    return _match_case(compose(syl, style, tone=tone), base)


def _match_case(lower: str, model: str) -> str:
    """`lower` with the case of `model`, character by character (same length)."""
    if len(lower) != len(model):
        return lower
    return "".join(c.upper() if m.isupper() else c for c, m in zip(lower, model, strict=True))


def _differs_by_style(syl: Syllable) -> bool:
    return (
        bool(syl.tone)
        and not syl.coda
        and (syl.glide, syl.nucleus) in (("o", "a"), ("o", "e"), ("u", "y"))
    )


def restyle_word(word: str, style: str) -> str:
    """Move the tone mark of an oa/oe/uy open syllable to `style`; anything else is unchanged.

    Case is kept (Hòa/HÒA/hòa); a string that is not one syllable is returned as is.
    """
    if style not in ("old", "new"):
        raise ValueError(f"style must be 'old' or 'new', not {style!r}")
    syl = parse(word) if len(word) <= 7 else None
    if syl is None or not _differs_by_style(syl):
        return word
    out = compose(syl, style)
    if len(out) != len(word):
        return word
    return _match_case(out, word)


# A run of letters not glued to digits or underscores ("hòa2" and "x_hòa" are left alone).
_WORD = regex.compile(r"(?<!\w)[\p{L}\p{M}]+(?!\w)")


def restyle_text(text: str, style: str) -> str:
    """Restyle every oa/oe/uy open syllable of `text`; all other characters stay identical."""
    if style not in ("old", "new"):
        raise ValueError(f"style must be 'old' or 'new', not {style!r}")
    return _WORD.sub(lambda m: restyle_word(m.group(), style), text)


def detect_style(text: str) -> Style | None:
    """ "old" or "new" by counting oa/oe/uy open syllables marked each way; None on a tie."""
    counts = {"old": 0, "new": 0}
    for m in _WORD.finditer(text):
        syl = parse(m.group()) if len(m.group()) <= 7 else None
        if syl is None or not _differs_by_style(syl):
            continue
        w = m.group().lower()
        for style in counts:
            if compose(syl, style) == w:
                counts[style] += 1
    if counts["old"] == counts["new"]:
        return None
    return "old" if counts["old"] > counts["new"] else "new"


# Letters of Vietnamese words outside Latin-1: đ ă ơ ư and tone-marked vowels such as ả ạ ế ờ
# (à á â ê é ô ó ... are shared with French, Spanish, etc. and do not count).
_VI_LETTERS = frozenset(c for c in ["đ", "ă", "ơ", "ư", *_TONED] if ord(c) > 0xFF)


def has_vietnamese_letter(word: str) -> bool:
    """True if `word` has a letter (outside Latin-1) that is specific to Vietnamese."""
    return any(ch in _VI_LETTERS for ch in unicodedata.normalize("NFC", word).lower())
