"""Output stage: atomic file writes, plain-text and JSON Lines formatting of page results."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from vnocr.errors import UsageError, VnocrError
from vnocr.results import PageResult

PAGE_SEPARATOR = "\f"


class OutputError(VnocrError):
    """The output file cannot be written (missing folder, permissions, full disk)."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary file beside `path`; on success fsync it and rename it over `path`.

    On any exception (including KeyboardInterrupt) the temporary file is removed and `path`
    is left as it was. `mode` is "w" (text, UTF-8, LF line ends) or "wb".
    """
    if mode not in ("w", "wb"):
        raise ValueError("mode must be 'w' or 'wb'")
    target = _written_file(Path(path))
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise OutputError(
            "cannot write: the folder does not exist (create it first)", path=str(target)
        ) from None
    except OSError as exc:
        raise OutputError(f"cannot write ({exc.strerror})", path=str(target)) from None
    temp = Path(temp_name)
    try:
        if mode == "wb":
            handle: IO[Any] = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding=encoding, newline="\n")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_folder(folder)


def _replace(temp: Path, target: Path) -> None:
    """Give the written temporary file the target's permissions (or the umask's for a new
    file) and rename it over the target."""
    try:
        mode_bits = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode_bits = 0o666 & ~_umask()
    os.chmod(temp, mode_bits)
    os.replace(temp, target)


def _written_file(path: Path) -> Path:
    """The file that writing `path` replaces: the target of a symlink (never the link
    itself). OutputError if it exists and is no regular file (a folder, device, FIFO, socket)."""
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise OutputError(f"cannot write ({exc.strerror})", path=str(path)) from None
    if not stat.S_ISREG(mode):
        hint = "give a file name" if stat.S_ISDIR(mode) else "write to a regular file or to stdout"
        raise OutputError(f"{_file_kind(mode)} ({hint})", path=str(path))
    return path


def _file_kind(mode: int) -> str:
    """What a file that is no regular file is, for an error message."""
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def check_output(out: str | Path, inputs: Iterable[str | Path] = (), force: bool = False) -> None:
    """Refuse an output file that would clobber something: UsageError (exit 2) if `out` is one
    of `inputs`, a directory, a device, a FIFO or a socket, or a read-only file (unless
    `force`); OutputError if its folder is missing or not writable. Symlinks are followed."""
    path = Path(out)
    try:
        written = _written_file(path)
    except OutputError as exc:
        raise UsageError(exc.args[0], path=exc.path) from None
    if written.exists():
        for source in inputs:
            if str(source) != "-" and _same_file(written, Path(source)):
                raise UsageError(
                    "is also an input: it would be overwritten (write to another file)",
                    path=str(out),
                )
        read_only = not written.stat().st_mode & 0o222 or not os.access(written, os.W_OK)
        if read_only and not force:
            raise UsageError("is read-only (use --force to replace it)", path=str(out))
    folder = written.parent if str(written.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(
            "cannot write: the folder does not exist (create it first)", path=str(out)
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError("cannot write: permission denied on its folder", path=str(out))


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (best effort: not every platform can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary file name beside `path`, for tools that write files by name (OCRmyPDF).

    On success the file is fsynced and renamed over `path`; on any exception (including
    KeyboardInterrupt) it is removed and `path` is left as it was.
    """
    target = _written_file(Path(path))
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(
            "cannot write: the folder does not exist (create it first)", path=str(target)
        )
    temp = folder / f".{target.name}.{os.urandom(4).hex()}.tmp"
    try:
        yield temp
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        _replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_folder(folder)


def atomic_write(path: str | Path, data: str | bytes) -> None:
    """Write `data` (str as UTF-8, or bytes) to `path` atomically."""
    if isinstance(data, bytes):
        with atomic_open(path, "wb") as handle:
            handle.write(data)
    else:
        with atomic_open(path, "w") as handle:
            handle.write(data)


def printable(name: str | Path) -> str:
    """A file name as valid text: bytes that are not UTF-8 (which Python keeps as surrogate
    escapes, as in names from old Windows archives) are written \\xNN.

    >>> printable(os.fsdecode(b"b\\xe1o.pdf"))
    'b\\\\xe1o.pdf'
    """
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def nfc(text: str) -> str:
    """`text` in Unicode NFC."""
    return unicodedata.normalize("NFC", text)


def page_text_block(text: str) -> str:
    """One page of the txt output: its text (NFC) ending in exactly one newline ("" if empty)."""
    text = nfc(text).rstrip("\n")
    return text + "\n" if text else ""


def format_txt(results: Iterable[PageResult]) -> str:
    """Plain text of the pages, each ending in a newline, pages separated by a form feed."""
    return PAGE_SEPARATOR.join(page_text_block(result.text) for result in results)


def page_record(result: PageResult) -> dict[str, Any]:
    """The JSON Lines record of one page (with `encoding` for a legacy-encoded text input)."""
    record: dict[str, Any] = {
        "source": printable(result.source),
        "page": result.page,
        "text": nfc(result.text),
        "raw_text": nfc(result.raw_text),
        "confidence": result.confidence,
        "warnings": list(result.warnings),
    }
    if result.encoding:
        record["encoding"] = result.encoding
    return record
