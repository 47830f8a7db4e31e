"""Reading text files: the input-file checks every reader shares, and text decoding.

`read_text` takes UTF-8 (with or without a byte-order mark) or UTF-16/32 with one, and refuses
anything else with the byte offset of the first bad byte. `read_document` (the text inputs of
`vnocr correct` and `vnocr batch`) also recognises the legacy Vietnamese encodings.
"""

from __future__ import annotations

import codecs
import contextlib
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

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


def _bom_encoding(head: bytes) -> str | None:
    """The encoding that a byte-order mark at the start of `head` announces, or None."""
    return next((encoding for bom, encoding in _BOMS if head.startswith(bom)), None)


def _decoding_error(encoding: str, offset: int, bad_byte: bytes, name: str) -> InputError:
    """The one-line error for text that is not valid in `encoding` at byte `offset`."""
    if encoding == "utf-8":
        return InputError(
            f"not valid UTF-8: byte 0x{bad_byte.hex()} at byte offset {offset} "
            "(re-save the file as UTF-8)",
            path=name,
        )
    return InputError(
        f"invalid {encoding.upper()} at byte offset {offset} (re-save the file as UTF-8)",
        path=name,
    )


def decode_text(data: bytes, name: str) -> str:
    """Decode bytes as UTF-8 (with or without BOM) or BOM-marked UTF-16/32.

    Raises InputError naming `name` and the byte offset of the first invalid byte.
    """
    encoding = _bom_encoding(data) or "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1]
        raise _decoding_error(encoding, exc.start, bad, name) from None
    return text if encoding == "utf-8" else text.lstrip("\ufeff")


#: Bytes read at a time by `iter_text`.
TEXT_BLOCK_BYTES = 1 << 20


def iter_text(stream: BinaryIO, name: str, block_bytes: int = TEXT_BLOCK_BYTES) -> Iterator[str]:
    """Decode a byte stream as `decode_text` does, one block at a time (bounded memory).

    The blocks joined are `decode_text` of the whole stream; a decoding error (InputError,
    with the byte offset in the stream) is raised when its block is reached.
    """
    head = stream.read(block_bytes)
    while len(head) < 4:  # enough for any byte-order mark (a pipe may give less at a time)
        more = stream.read(4 - len(head))
        if not more:
            break
        head += more
    encoding = _bom_encoding(head) or "utf-8"
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    consumed = 0  # bytes of the stream before `data`
    data, first = head, True
    while True:
        final = not data
        try:
            text = decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            # The decoder may hold back the bytes of an unfinished character from the block
            # before; the offset is then counted from them.
            held = len(exc.object) - len(data)
            offset = consumed - held + exc.start
            bad = exc.object[exc.start : exc.start + 1]
            raise _decoding_error(encoding, offset, bad, name) from None
        if first and encoding != "utf-8":
            text = text.lstrip("\ufeff")
        first = first and not text
        if text:
            yield text
        if final:
            return
        consumed += len(data)
        data = stream.read(block_bytes)


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


@contextlib.contextmanager
def document_blocks(
    path: str | Path, encoding: str | None = None
) -> Iterator[tuple[Iterable[str], str | None]]:
    """A text document ("-": stdin) as consecutive blocks, and the legacy encoding it was
    found to be in (None if Unicode or named by `encoding`).

    A file in Unicode (a byte-order mark, or valid UTF-8 that is not pure ASCII, which might
    be VIQR) is read block by block, in bounded memory, after one quick pass that checks it
    decodes; anything else is read whole by `decode_document`. Errors (InputError) are raised
    on entering, before any work.
    """
    if encoding is not None:
        known = legacy_encodings.lookup(encoding)
        encoding = known.name if known is not None else encoding
    if str(path) != "-" and encoding in (None, "utf-8") and _streamable(Path(path), encoding):
        with _opened(Path(path)) as handle:
            yield _reading(handle, str(path)), None
        return
    if str(path) == "-":
        decoded = decode_document(sys.stdin.buffer.read(), "<stdin>", encoding)
    else:
        decoded = read_document(path, encoding)
    yield [decoded.text], decoded.encoding if decoded.detected else None


def _streamable(path: Path, encoding: str | None) -> bool:
    """Whether `path` decodes as Unicode that `decode_document` would take as it is."""
    with _opened(path) as handle:
        plain = encoding == "utf-8" or _bom_encoding(handle.read(4)) is not None
        handle.seek(0)
        try:
            for block in _reading(handle, str(path)):
                plain = plain or not block.isascii()
        except InputError:
            return False
    return plain


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[BinaryIO]:
    """`path` open for reading in binary; InputError if it cannot be."""
    check_file(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below)
    except PermissionError:
        raise InputError("permission denied (check the file permissions)", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", path=str(path)) from None
    with handle:
        yield handle


def _reading(stream: BinaryIO, name: str) -> Iterator[str]:
    """`iter_text` of `stream`, with read errors as InputErrors."""
    try:
        yield from iter_text(stream, name)
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", path=name) from None
