"""Exit codes and the exceptions that carry them to the command line."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes scripts can trust."""

    OK = 0
    FAILED = 1  # a processing failure: bad input, OCR failed, some batch item failed
    USAGE = 2  # the command line itself is wrong
    INTERRUPTED = 130  # Ctrl-C


class VnocrError(Exception):
    """An expected failure with a one-line, user-facing message."""

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, message: str, *, path: str | None = None, page: int | None = None):
        self.path = path
        self.page = page
        super().__init__(message)

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}"
            if self.page is not None:
                where += f", page {self.page}"
            where += ": "
        return where + self.args[0]


class UsageError(VnocrError):
    """The command line asks for something impossible (exit 2)."""

    exit_code = ExitCode.USAGE


class InputError(VnocrError):
    """An input file is missing, unreadable, of the wrong type, corrupt or too large."""


class OcrError(VnocrError):
    """Tesseract failed on a page."""


class DependencyError(VnocrError):
    """A required external program or model (tesseract, vie, poppler) is missing."""
