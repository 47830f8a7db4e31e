"""One private folder for every temporary file of a run, removed on every way out.

Tesseract's page images and outputs (via pytesseract), poppler's renderings and our own
temporary files go to the system's temporary folder; a run points `tempfile` and TMPDIR (so
child processes too) at a fresh folder of its own, and removes it whatever happens: success,
an error, Ctrl-C, or a `kill` (SIGTERM, turned into an interruption).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM handler: stop as Ctrl-C does, so that cleanup code runs."""
    raise KeyboardInterrupt


@contextlib.contextmanager
def private_tempdir() -> Iterator[Path]:
    """Meanwhile, temporary files go to a new private folder, removed afterwards; SIGTERM
    interrupts like Ctrl-C (in the main thread)."""
    folder = tempfile.mkdtemp(prefix="vnocr-")
    previous_folder, previous_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = os.environ["TMPDIR"] = folder
    main_thread = threading.current_thread() is threading.main_thread()
    previous_handler = signal.signal(signal.SIGTERM, _interrupt) if main_thread else None
    try:
        yield Path(folder)
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous_handler)
        tempfile.tempdir = previous_folder
        if previous_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous_env
        shutil.rmtree(folder, ignore_errors=True)
