"""Reading text files: the input-file checks every reader shares, and text decoding.

`read_text` takes UTF-8 (with or without a byte-order mark) or UTF-16/32 with one, and refuses
anything else with the byte offset of the first bad byte. `read_document` (the text inputs of
`vnocr correct` and `vnocr batch`) also recognises the legacy Vietnamese encodings.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from vnocr.errors import InputError, UsageError
from vnocr.text import legacy_encodings

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def check_file(path: Path) -> None:
    """Raise InputError unless `path` is an existing, readable regular file."""
    if not path.exists():
        raise InputError("no such file (check the path)", path=str(path))
    if path.is_dir():
        raise InputError("is a directory, not a file (give the files inside it)", path=str(path))
    if not path.is_file():
        raise InputError("is not a regular file", path=str(path))


def decode_text(data: bytes, name: str) -> str:
    """Decode bytes as UTF-8 (with or without BOM) or BOM-marked UTF-16/32.

    Raises InputError naming `name` and the byte offset of the first invalid byte.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"invalid {encoding.upper()} at byte offset {exc.start} "
                    "(re-save the file as UTF-8)",
                    path=name,
                ) from None
            return text.lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise InputError(
            f"not valid UTF-8: byte 0x{bad} at byte offset {exc.start} (re-save the file as UTF-8)",
            path=name,
        ) from None


def _read_bytes(path: Path) -> bytes:
    check_file(path)
    try:
        return path.read_bytes()
    except PermissionError:
        raise InputError("permission denied (check the file permissions)", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", path=str(path)) from None


def read_text(path: str | Path) -> str:
    """Read a text file as str (UTF-8, UTF-8 BOM or UTF-16/32 BOM); InputError otherwise."""
    path = Path(path)
    return decode_text(_read_bytes(path), str(path))


@dataclass(frozen=True)
class DecodedText:
    """A text document's content and, if it was not Unicode, the legacy encoding it was in."""

    text: str
    encoding: str | None = None  # a legacy_encodings name; None for UTF-8/16/32
    detected: bool = False  # True when the encoding was found, not given


def decode_document(data: bytes, name: str, encoding: str | None = None) -> DecodedText:
    """Decode a text document: UTF-8 or a BOM first, then the Vietnamese legacy encodings.

    `encoding` forces one (a legacy_encodings name; "utf-8" means UTF-8 only). Without it,
    bytes that are not UTF-8 are decoded with the 8-bit encoding (TCVN3, VNI, VISCII,
    Windows-1258) whose words are valid Vietnamese syllables, and pure ASCII that is clearly
    VIQR is converted. InputError with the byte offset of the first bad UTF-8 byte if nothing
    fits.
    """
    if encoding is not None:
        known = legacy_encodings.lookup(encoding)
        if known is None:
            names = ", ".join(legacy_encodings.NAMES)
            raise UsageError(f"unknown encoding '{encoding}' (use one of: {names})")
        encoding = known.name
    if encoding is not None and encoding != "utf-8":
        return DecodedText(legacy_encodings.decode(data, encoding), encoding)
    if encoding == "utf-8" or any(data.startswith(bom) for bom, _ in _BOMS):
        return DecodedText(decode_text(data, name))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        found = legacy_encodings.detect(data)
        if found is None:
            bad = data[exc.start : exc.start + 1].hex()
            raise InputError(
                f"not valid UTF-8: byte 0x{bad} at byte offset {exc.start} (re-save the file "
                "as UTF-8, or name its encoding with --encoding)",
                path=name,
            ) from None
        return DecodedText(legacy_encodings.decode(data, found.name), found.name, True)
    viqr = legacy_encodings.detect_viqr(text) if text.isascii() else None
    if viqr is not None:
        return DecodedText(viqr, "viqr", True)
    return DecodedText(text)


def read_document(path: str | Path, encoding: str | None = None) -> DecodedText:
    """Read a text document, recognising legacy Vietnamese encodings (see decode_document)."""
    path = Path(path)
    return decode_document(_read_bytes(path), str(path), encoding)
