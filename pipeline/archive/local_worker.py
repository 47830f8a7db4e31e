"""Preload of the worker processes that `vnocr batch --scheduler local` starts.

They share the terminal with the batch, so Ctrl-C reaches them too; it is the batch's to act on
(it cancels the pages in flight and closes the cluster), so a worker only lets it pass.
"""

from __future__ import annotations

import signal
from typing import Any


def _leave_to_the_batch(signum: int, frame: Any) -> None:
    """Ctrl-C in a local worker: nothing (a handler, not SIG_IGN: tesseract still gets it)."""


def dask_setup(worker: Any) -> None:
    """Dask's preload hook, run in the worker process's main thread as it starts."""
    signal.signal(signal.SIGINT, _leave_to_the_batch)
