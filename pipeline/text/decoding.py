"""Reading text files: the input-file checks every reader shares, and text decoding.

A text file is UTF-8 (with or without a byte-order mark) or UTF-16/32 with one; anything else
is refused with the byte offset of the first bad byte.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from vnocr.errors import InputError

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


def read_text(path: str | Path) -> str:
    """Read a text file as str (UTF-8, UTF-8 BOM or UTF-16/32 BOM); InputError otherwise."""
    path = Path(path)
    check_file(path)
    try:
        data = path.read_bytes()
    except PermissionError:
        raise InputError("permission denied (check the file permissions)", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", path=str(path)) from None
    return decode_text(data, str(path))
