"""Vietnamese legacy text encodings: conversion tables, decoding, encoding and detection.

Archives hold text typed before Unicode in one of these encodings:

* ``tcvn3``: TCVN3 (ABC), the VN3 table of TCVN 5712:1993 used by the .VnTime fonts. Lower-case
  letters with marks have one byte each; of the capitals only Ă Â Ê Ô Ơ Ư Đ do. Capitals with
  tone marks were typed in the separate capitals font (.VnTimeH) with the lower-case codes, so
  the bytes of ``Ộ`` and ``ộ`` are the same. `decode` upper-cases such letters only where the
  text shows it is in capitals (see `_restore_capitals`); elsewhere they stay lower-case. The
  VN1 capitals that TCVN 5712 puts in positions VN3 leaves unused (0xAF, 0xBA, 0xBF-0xC5, ...)
  are decoded too; bytes 0x80-0xA0 keep their Windows-1252 meaning (quotes, dashes).
* ``vni``: VNI-Windows, the layout of the VNI fonts: a base letter followed by one byte that
  carries its marks (``a`` + 0xF8 is ``à``, ``o`` + 0xE4 is ``ộ``); ơ ư đ and the toned i, ỵ
  are single bytes.
* ``viscii``: VISCII 1.1 as listed in RFC 1456: one byte per letter, six capitals in C0
  control positions (0x02 0x05 0x06 0x14 0x19 0x1E).
* ``cp1258``: Windows-1258 (Python's codec): ă â ê ô ơ ư đ and some toned letters precomposed,
  the other tone marks as combining bytes; put in NFC after decoding.
* ``viqr``: VIQR from RFC 1456: ASCII with ``( ^ +`` (breve, circumflex, horn) and
  ``' ` ? ~ .`` (tones) after the vowel, ``dd`` for đ, a backslash before a literal mark.

`decode(data, name)` and `encode(text, name)` convert; `detect(data)` tries the 8-bit
encodings on bytes that are not UTF-8 and keeps the one whose words are valid Vietnamese
syllables; `detect_viqr(text)` does the same for pure-ASCII text.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import regex

from vnocr.text import orthography


@dataclass(frozen=True)
class Encoding:
    """A text encoding vnocr reads: its option name, its human name and other accepted names."""

    name: str
    label: str
    aliases: tuple[str, ...] = ()


ENCODINGS: tuple[Encoding, ...] = (
    Encoding("utf-8", "UTF-8", ("utf8",)),
    Encoding("tcvn3", "TCVN3 (ABC)", ("abc", "tcvn", "tcvn5712", "vn3", "vntime")),
    Encoding("vni", "VNI-Windows", ("vni-windows", "vni-win")),
    Encoding("viscii", "VISCII"),
    Encoding("cp1258", "Windows-1258", ("windows-1258", "win1258")),
    Encoding("viqr", "VIQR"),
)
NAMES: tuple[str, ...] = tuple(encoding.name for encoding in ENCODINGS)
#: The 8-bit encodings `detect` tries, in order of preference when two score the same.
EIGHT_BIT: tuple[str, ...] = ("tcvn3", "vni", "cp1258", "viscii")


def lookup(name: str) -> Encoding | None:
    """The encoding called `name` (any case, `_` for `-`, aliases accepted), or None."""
    key = name.strip().lower().replace("_", "-")
    for encoding in ENCODINGS:
        if key == encoding.name or key in encoding.aliases:
            return encoding
    return None


def label(name: str) -> str:
    """Human name of an encoding, e.g. "TCVN3 (ABC)"."""
    encoding = lookup(name)
    return encoding.label if encoding else name


# ---------------------------------------------------------------------------------------------
# Letters and their parts

# Combining tone marks in orthography's tone order: ngang, huyền, sắc, hỏi, ngã, nặng.
_TONE_MARKS = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_TONE_OF = {mark: tone for tone, mark in enumerate(_TONE_MARKS) if mark}
# Combining vowel marks and their VIQR characters.
_MODIFIER_OF = {"\u0302": "^", "\u0306": "(", "\u031b": "+"}
_MODIFIER_MARK = {char: mark for mark, char in _MODIFIER_OF.items()}
_VOWELS = "aeiouy"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def vietnamese_letters() -> list[str]:
    """The 134 letters of Vietnamese outside ASCII: 67 lower-case, then their capitals.

    ă â ê ô ơ ư đ, and each of the twelve vowels with each of the five tone marks.
    """
    lower = list("ăâêôơưđ")
    lower += [_nfc(vowel + mark) for vowel in "aăâeêioôơuưy" for mark in _TONE_MARKS[1:]]
    return lower + [letter.upper() for letter in lower]


def letter_parts(letter: str) -> tuple[str, str, int] | None:
    """(ASCII vowel, VIQR modifier "" ^ ( +, tone 0-5) of a vowel letter; None otherwise."""
    decomposed = unicodedata.normalize("NFD", letter)
    if not decomposed or decomposed[0].lower() not in _VOWELS:
        return None
    modifier, tone = "", 0
    for mark in decomposed[1:]:
        if mark in _MODIFIER_OF and not modifier:
            modifier = _MODIFIER_OF[mark]
        elif mark in _TONE_OF and not tone:
            tone = _TONE_OF[mark]
        else:
            return None
    return decomposed[0], modifier, tone


def compose_letter(vowel: str, modifier: str = "", tone: int = 0) -> str:
    """The NFC letter made of an ASCII vowel, a VIQR modifier and a tone (0-5)."""
    return _nfc(vowel + _MODIFIER_MARK.get(modifier, "") + _TONE_MARKS[tone])


# ---------------------------------------------------------------------------------------------
# 8-bit tables (byte -> character)


def _windows_1252(byte: int) -> str:
    """The Windows-1252 character of a byte (Latin-1 for its five unassigned bytes)."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


def _table(runs: tuple[tuple[int, str], ...], base: str = "cp1252") -> dict[int, str]:
    """A byte -> character table: runs of characters from a start byte over `base`."""
    table = {byte: chr(byte) if base == "ascii" else _windows_1252(byte) for byte in range(256)}
    if base == "ascii":
        table.update({byte: "\ufffd" for byte in range(0x80, 0x100)})
    for start, chars in runs:
        for offset, char in enumerate(chars):
            table[start + offset] = char
    return table


# TCVN 5712:1993 VN3 (the .VnTime fonts): capitals Ă..Đ, lower-case ă..đ, five combining
# tone marks, then the lower-case letters with tone marks in the order huyền, hỏi, ngã, sắc,
# nặng for a ă â e ê i o ô ơ u ư y.
_TCVN3_RUNS: tuple[tuple[int, str], ...] = (
    (0xA1, "ĂÂÊÔƠƯĐăâêôơưđ"),
    (0xB0, "\u0300\u0309\u0303\u0301\u0323"),
    (0xB5, "àảãáạ"),
    (0xBB, "ằẳẵắ"),
    (0xC6, "ặầẩẫấậè"),
    (0xCE, "ẻẽéẹềểễếệìỉ"),
    (0xDC, "ĩíịò"),
    (0xE1, "ỏõóọồổỗốộờởỡớợù"),
    (0xF1, "ủũúụừửữứựỳỷỹýỵ"),
    # TCVN 5712 VN1 capitals in the positions VN3 leaves unused.
    (0xAF, "Ằ"),
    (0xBA, "Ẳ"),
    (0xBF, "ẴẮẦẨẪẤỀ"),
    (0xCD, "Ể"),
    (0xD9, "ỄẾỒ"),
    (0xE0, "Ổ"),
    (0xF0, "Ỗ"),
    (0xFF, "Ố"),
)

# VISCII 1.1 (RFC 1456, table 1), bytes 0x80-0xFF in order, and its six C0 capitals.
_VISCII_HIGH = (
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐ"
    "ỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲ"
    "Õắằặấầẩậẽẹếềểễệố"
    "ồổỗỠƠộờởịỰỨỪỬơớƯ"
    "ÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳ"
    "ĐứÒÓÔạỷừửÙÚỹỵÝỡư"
    "àáâãảăữẫèéêẻìíĩỉ"
    "đựòóôõỏọụùúũủýợỮ"
)
_VISCII_RUNS: tuple[tuple[int, str], ...] = (
    (0x80, _VISCII_HIGH),
    (0x02, "Ẳ"),
    (0x05, "ẴẪ"),
    (0x14, "Ỷ"),
    (0x19, "Ỹ"),
    (0x1E, "Ỵ"),
)


@functools.cache
def _decode_table(name: str) -> dict[int, str]:
    """str.translate table from Latin-1 code points (one per byte) to characters."""
    if name == "tcvn3":
        return _table(_TCVN3_RUNS)
    if name == "viscii":
        return _table(_VISCII_RUNS, base="ascii")
    if name == "vni":
        return _table(())
    raise ValueError(name)


@functools.cache
def _encode_table(name: str) -> dict[str, bytes]:
    """Character -> bytes for an 8-bit table (the first byte wins where two decode alike)."""
    table: dict[str, bytes] = {}
    for byte, char in sorted(_decode_table(name).items()):
        if char != "\ufffd":
            table.setdefault(char, bytes([byte]))
    if name == "tcvn3":  # capitals with a tone mark: VN3 has none, .VnTimeH uses lower-case codes
        for letter in vietnamese_letters():
            if letter.isupper() and letter not in "ĂÂÊÔƠƯĐ":
                table[letter] = table[letter.lower()]
    return table


# ---------------------------------------------------------------------------------------------
# TCVN3 capitals

_LETTERS = regex.compile(r"\p{L}+")


def _undecided(char: str) -> bool:
    """A lower-case non-ASCII letter: in TCVN3 it may stand for its capital (.VnTimeH)."""
    return not char.isascii() and char.islower()


def _clear_capitals(word: str) -> bool:
    """A word whose decided letters are capitals, one of them after the first letter (CéNG)."""
    decided = [(i, ch) for i, ch in enumerate(word) if not _undecided(ch)]
    return (
        bool(decided) and all(ch.isupper() for _, ch in decided) and any(i > 0 for i, _ in decided)
    )


def _upper(char: str) -> str:
    """The capital of an undecided letter (other characters unchanged)."""
    upper = char.upper()
    return upper if _undecided(char) and len(upper) == 1 else char


# The first letter of a sentence: after . ! ? and a space, or first on its line (after a list
# marker such as "-", "3." or "b)") when the line begins a sentence; "đ)" is a list marker.
_AFTER_STOP = regex.compile(r"(?<=[.!?…][ \t]+[\"“(]?)\p{Ll}(?![).])")
_LINE_HEAD = regex.compile(
    r"^[ \t]*(?:(?:[-+•*–]|\d+[.)]|[a-zđ]\)|[IVX]+\.)[ \t]+)?[\"“(]?(\p{Ll})(?![).])"
)


def _capitalise_sentences(line: str, starts_sentence: bool) -> str:
    """Upper-case an undecided letter that begins a sentence (``. ủy ban`` -> ``. Ủy ban``)."""
    line = _AFTER_STOP.sub(lambda m: _upper(m.group()), line)
    if starts_sentence:
        head = _LINE_HEAD.match(line)
        if head:
            at = head.start(1)
            line = line[:at] + _upper(line[at]) + line[at + 1 :]
    return line


_INNER_CAPITAL = regex.compile(r"\p{L}\p{Lu}")


def _capital_line(line: str) -> str:
    """Upper-case the undecided letters of the words in capitals (see _restore_capitals)."""
    if not _INNER_CAPITAL.search(line):  # no word has a capital past its first letter
        return line
    every = _LETTERS.findall(line)
    words = [w for w in every if any(_undecided(ch) for ch in w)]
    if not words:
        return line
    whole = not any(ch.isascii() and ch.islower() for ch in line) and (
        any(_clear_capitals(w) for w in words)
        or any(len(w) >= 3 and w.isupper() and orthography.is_valid(w) for w in every)
    )

    def fix_word(word: regex.Match[str]) -> str:
        text = word.group()
        if whole or (_INNER_CAPITAL.search(text) and _clear_capitals(text)):
            return "".join(_upper(ch) for ch in text)
        return text

    return _LETTERS.sub(fix_word, line)


def _restore_capitals(text: str) -> str:
    """Upper-case TCVN3's lower-case codes where the text shows a capital.

    A word is upper-cased when its other letters are capitals and not only its first one
    (``CộNG`` -> ``CỘNG``); every word of a line is when the line has no lower-case ASCII letter
    and has such a word or a syllable of three capitals or more (``Đề áN`` -> ``ĐỀ ÁN``,
    ``Bí THƯ`` -> ``BÍ THƯ``). The first letter of a sentence is a capital: after . ! ? and a
    space, or first on a line after a blank line or a line ending a sentence. ``Sè: 12/QĐ-UBND``
    stays ``Số``, and ``ủy ban`` inside a sentence stays lower-case: a capital there cannot be
    told from the bytes.
    """
    lines = text.split("\n")
    previous = ""
    for number, line in enumerate(lines):
        starts = number == 0 or not previous.strip() or previous.rstrip()[-1] in ".!?…"
        previous = line
        if any(_undecided(ch) for ch in line):
            lines[number] = _capitalise_sentences(_capital_line(line), starts)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# VNI-Windows

# Byte after a, e or o for a circumflex (â), and after a for a breve (ă), by tone.
_VNI_MARKED = {"^": "âàáåãä", "(": "êèéúüë"}
# Byte after any vowel (or after ơ ư) for a tone alone, by tone (ngang has none).
_VNI_TONE = ("", "ø", "ù", "û", "õ", "ï")
# Letters that VNI-Windows writes as one byte.
_VNI_SINGLE = {"ơ": "ô", "ư": "ö", "đ": "ñ", "ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ị": "ò"}
_VNI_SINGLE["ỵ"] = "î"


def _vni_spelling(letter: str) -> str:
    """The VNI-Windows characters (one byte each, as Windows-1252) of a Vietnamese letter."""
    lower = letter.lower()
    if lower in _VNI_SINGLE:
        spelling = _VNI_SINGLE[lower]
    else:
        parts = letter_parts(lower)
        if parts is None:
            raise ValueError(letter)
        vowel, modifier, tone = parts
        if modifier == "+":
            spelling = _VNI_SINGLE["ơ" if vowel == "o" else "ư"] + _VNI_TONE[tone]
        elif modifier:
            spelling = vowel + _VNI_MARKED[modifier][tone]
        else:
            spelling = vowel + _VNI_TONE[tone]
    return spelling.upper() if letter != lower else spelling


@functools.cache
def _vni_reader() -> tuple[regex.Pattern[str], dict[str, str]]:
    """The pattern of VNI letter spellings (longest first) and spelling -> letter.

    Besides the spellings `encode` writes it accepts a mark byte in the other case than its
    letter (``Aù``) and an i or y followed by a tone byte (``iù`` for í).
    """
    letters: dict[str, str] = {}
    for letter in vietnamese_letters():
        spelling = _vni_spelling(letter)
        letters[spelling] = letter
        if len(spelling) == 2:
            letters.setdefault(spelling[0] + spelling[1].swapcase(), letter)
    for vowel in "iyIY":
        for tone in range(1, 6):
            for mark in (_VNI_TONE[tone], _VNI_TONE[tone].upper()):
                letters.setdefault(vowel + mark, compose_letter(vowel, "", tone))
    keys = sorted(letters, key=len, reverse=True)
    return regex.compile("|".join(regex.escape(key) for key in keys)), letters


def _decode_vni(data: bytes) -> str:
    text = data.decode("latin-1").translate(_decode_table("vni"))
    pattern, letters = _vni_reader()
    return _nfc(pattern.sub(lambda match: letters[match.group()], text))


def _encode_vni(text: str) -> bytes:
    out = bytearray()
    for char in _nfc(text):
        if char in _VIETNAMESE:
            out += _vni_spelling(char).encode("cp1252")
        else:
            out += _encode_other(char, "cp1252", _VNI_BYTES)
    return bytes(out)


# ---------------------------------------------------------------------------------------------
# Windows-1258


def _encode_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: a precomposed character where the code page has one, else the
    letter without its tone mark followed by the combining tone byte."""
    out = bytearray()
    for char in _nfc(text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = letter_parts(char)
        if parts is None or not parts[2]:
            out += b"?"
            continue
        vowel, modifier, tone = parts
        out += compose_letter(vowel, modifier).encode("cp1258")
        out += _TONE_MARKS[tone].encode("cp1258")
    return bytes(out)


# ---------------------------------------------------------------------------------------------
# VIQR (RFC 1456)

_VIQR_TONE = ("", "`", "'", "?", "~", ".")
_VIQR_TONE_OF = {mark: tone for tone, mark in enumerate(_VIQR_TONE) if mark}
_VIQR_MODIFIERS = {"a": "(^", "e": "^", "o": "^+", "u": "+"}
_VIQR_MARKS = frozenset("(^+'`?~.")
# In text that never escapes a mark, a word-final . or ? at the end of a line is the sentence's
# punctuation (unless the word is in capitals), not a dot below or a hook.
_LINE_END = regex.compile(r"[ \t]*(?:$|[\r\n])")
_ESCAPE = regex.compile(r"\\[(^+'`?~.]")


def _viqr_letter(letter: str) -> str:
    """The VIQR spelling of one Vietnamese letter."""
    if letter in "đĐ":
        return "dd" if letter == "đ" else "DD"
    parts = letter_parts(letter)
    if parts is None:
        raise ValueError(letter)
    vowel, modifier, tone = parts
    return vowel + modifier + _VIQR_TONE[tone]


def _encode_viqr(text: str) -> bytes:
    """VIQR text: marks after the vowel; a literal mark after a vowel gets a backslash."""
    out: list[str] = []
    previous = ""
    for char in _nfc(text):
        if char in _VIETNAMESE:
            out.append(_viqr_letter(char))
        elif char in _VIQR_MARKS and letter_parts(previous) is not None:
            out.append("\\" + char)
        elif char.isascii():
            out.append(char)
        else:
            out.append("?")
        previous = char
    return "".join(out).encode("ascii")


def _decode_viqr(data: bytes) -> str:
    return decode_viqr(data.decode("ascii", errors="replace"))


def _viqr_dd(text: str, i: int, out: list[str]) -> bool:
    """True if text[i:i+2] is VIQR đ: DD anywhere (HDDND), dd or Dd at the start of a word."""
    pair = text[i : i + 2]
    if pair == "DD":
        return True
    return pair in ("dd", "Dd") and not (out and out[-1].isalpha())


def decode_viqr(text: str) -> str:
    """Convert VIQR text to Unicode (NFC).

    A vowel takes the modifier that fits it (a( a^ e^ o^ o+ u+) and then one tone mark; a word
    takes one tone mark, so a later mark is literal. ``DD`` is Đ, ``dd`` and ``Dd`` at the start of
    a word are đ and Đ. A backslash makes the next mark literal. In text without such
    backslashes, a . or ? after the last vowel of a lower-case word at the end of a line is
    taken as punctuation (the writer did not escape marks).
    """
    guess = not _ESCAPE.search(text)
    out: list[str] = []
    i, n = 0, len(text)
    toned = False  # the current word already has its tone mark
    while i < n:
        char = text[i]
        lower = char.lower()
        if char == "\\" and i + 1 < n and (text[i + 1] in _VIQR_MARKS or text[i + 1] == "\\"):
            out.append(text[i + 1])
            i += 2
            toned = False
            continue
        if _viqr_dd(text, i, out):
            out.append("Đ" if char == "D" else "đ")
            i += 2
            continue
        if lower not in _VOWELS:
            out.append(char)
            if not char.isalpha():
                toned = False
            i += 1
            continue
        i += 1
        modifier = ""
        if i < n and text[i] in _VIQR_MODIFIERS.get(lower, ""):
            modifier = text[i]
            i += 1
        tone = 0
        if not toned and i < n and text[i] in _VIQR_TONE_OF:
            mark = text[i]
            end = mark in ".?" and guess and not char.isupper() and _LINE_END.match(text, i + 1)
            if not end:
                tone = _VIQR_TONE_OF[mark]
                toned = True
                i += 1
        out.append(compose_letter(char, modifier, tone))
    return _nfc("".join(out))


# ---------------------------------------------------------------------------------------------
# Decoding and encoding

_VIETNAMESE = frozenset(vietnamese_letters())
# Bytes that stand for (part of) a letter in VNI-Windows; other characters may not use them.
_VNI_BYTES = frozenset(
    byte
    for letter in _VIETNAMESE
    for byte in _vni_spelling(letter).encode("cp1252")
    if byte >= 0x80
)


def _encode_other(char: str, codec: str, reserved: frozenset[int]) -> bytes:
    """A character outside the table: its `codec` byte unless that byte means a letter."""
    try:
        data = char.encode(codec)
    except UnicodeEncodeError:
        return b"?"
    return b"?" if any(byte in reserved for byte in data) else data


def decode(data: bytes, name: str, capitals: bool = True) -> str:
    """Decode `data` from the legacy encoding `name` (see `NAMES`) to NFC text. Never fails:
    a byte the encoding does not define becomes U+FFFD (VISCII, Windows-1258). `capitals`
    False skips TCVN3's restoration of capitals (detection does not need it)."""
    encoding = lookup(name)
    key = encoding.name if encoding else name
    if key == "utf-8":
        return _nfc(data.decode("utf-8", errors="replace"))
    if key == "cp1258":
        return _nfc(data.decode("cp1258", errors="replace"))
    if key == "vni":
        return _decode_vni(data)
    if key == "viqr":
        return _decode_viqr(data)
    if key in ("tcvn3", "viscii"):
        text = _nfc(data.decode("latin-1").translate(_decode_table(key)))
        return _restore_capitals(text) if key == "tcvn3" and capitals else text
    raise ValueError(f"unknown encoding {name!r}")


def encode(text: str, name: str) -> bytes:
    """Encode `text` in the legacy encoding `name`; characters it cannot hold become "?".

    TCVN3 writes capitals with tone marks with the lower-case codes (the .VnTimeH convention).
    """
    encoding = lookup(name)
    key = encoding.name if encoding else name
    if key == "utf-8":
        return text.encode("utf-8")
    if key == "cp1258":
        return _encode_cp1258(text)
    if key == "vni":
        return _encode_vni(text)
    if key == "viqr":
        return _encode_viqr(text)
    if key in ("tcvn3", "viscii"):
        table = _encode_table(key)
        return b"".join(table.get(char, b"?") for char in _nfc(text))
    raise ValueError(f"unknown encoding {name!r}")


# ---------------------------------------------------------------------------------------------
# Detection

#: Share of the words with non-ASCII letters that must be valid syllables to accept a decoding.
MIN_SHARE = 0.6
#: Fewest such words to decide on (a lone odd byte is no evidence of an encoding).
MIN_WORDS = 3
#: Bytes scored for detection (the whole file is then decoded with the winner).
SAMPLE_BYTES = 1 << 17

_WORD = regex.compile(r"[\p{L}\p{M}]+")


@dataclass(frozen=True)
class Detection:
    """The encoding that fits, the share of valid syllables and how many words were scored."""

    name: str
    share: float
    words: int

    @property
    def label(self) -> str:
        """Human name of the encoding."""
        return label(self.name)


def syllable_share(text: str) -> tuple[float, int]:
    """(share of valid Vietnamese syllables, number) among the words with non-ASCII letters."""
    words = [word for word in _WORD.findall(text) if not word.isascii()]
    if not words:
        return 0.0, 0
    valid = sum(orthography.is_valid(word) for word in words)
    return valid / len(words), len(words)


def _sample(data: bytes) -> bytes:
    if len(data) <= SAMPLE_BYTES:
        return data
    cut = data.rfind(b"\n", 0, SAMPLE_BYTES)
    return data[: cut if cut > 0 else SAMPLE_BYTES]


def scores(data: bytes) -> list[Detection]:
    """Each 8-bit encoding's share of valid syllables on (the start of) `data`, best first."""
    sample = _sample(data)
    results = [
        Detection(name, *syllable_share(decode(sample, name, capitals=False))) for name in EIGHT_BIT
    ]
    return sorted(results, key=lambda d: (-d.share, EIGHT_BIT.index(d.name)))


def detect(data: bytes) -> Detection | None:
    """The 8-bit encoding whose decoding of `data` reads as Vietnamese, or None if none does."""
    best = scores(data)[0]
    return best if best.words >= MIN_WORDS and best.share >= MIN_SHARE else None


#: VIQR is taken only when this share of the words carry VIQR marks ...
VIQR_MIN_MARKED = 0.2
#: ... and this share of those become valid syllables.
VIQR_MIN_SHARE = 0.8


def detect_viqr(text: str) -> str | None:
    """The Unicode text if ASCII `text` is clearly VIQR, else None.

    Clearly: at least `MIN_WORDS` words take VIQR marks, they are `VIQR_MIN_MARKED` of all
    words, and `VIQR_MIN_SHARE` of them are valid syllables. English with apostrophes and
    question marks, or Vietnamese typed without marks, does not pass. Only the start of a long
    text (`SAMPLE_BYTES` characters) is judged.
    """
    if not text.isascii() or not any(mark in text for mark in "(^+'`?~.dD"):
        return None
    sample = text
    if len(text) > SAMPLE_BYTES:
        cut = text.rfind("\n", 0, SAMPLE_BYTES)
        sample = text[: cut if cut > 0 else SAMPLE_BYTES]
    decoded = decode_viqr(sample)
    share, marked = syllable_share(decoded)
    words = len(_WORD.findall(decoded))
    if marked >= MIN_WORDS and marked >= VIQR_MIN_MARKED * words and share >= VIQR_MIN_SHARE:
        return decoded if sample is text else decode_viqr(text)
    return None
