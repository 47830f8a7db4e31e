"""Batch manifest: a SQLite record of every finished (or failed) document, for resumable runs.

One row per input document, keyed by its path relative to the input folder. A document is
skipped on the next run when it is recorded as done with the same settings hash, its input is
unchanged (same size and mtime, or else the same sha256) and its outputs still exist.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vnocr import __version__

MANIFEST_NAME = ".vnocr-manifest.sqlite"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    finished REAL,
    status TEXT NOT NULL DEFAULT 'running',
    settings TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS documents (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT,
    settings_hash TEXT NOT NULL,
    pages INTEGER,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    error TEXT,
    run_id INTEGER,
    finished REAL NOT NULL,
    seconds REAL,
    page_seconds REAL,
    correct_seconds REAL,
    confidence REAL,
    changes INTEGER,
    outputs TEXT
);
"""


@dataclass
class DocumentRecord:
    """One manifest row."""

    path: str
    size: int
    mtime_ns: int
    sha256: str | None
    settings_hash: str
    pages: int | None
    status: str
    error: str | None = None
    run_id: int | None = None
    finished: float = 0.0
    seconds: float | None = None
    page_seconds: float | None = None
    correct_seconds: float | None = None
    confidence: float | None = None
    changes: int | None = None
    outputs: list[str] = dataclasses.field(default_factory=list)


_COLUMNS = [f.name for f in dataclasses.fields(DocumentRecord)]


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's content, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    return value


def settings_hash(settings: Any, formats: tuple[str, ...] | list[str] = ()) -> str:
    """A short hash of everything that changes the outputs: settings, formats, vnocr version.

    A lexicon file is represented by its content hash, so editing it invalidates the outputs.
    """
    fields = {key: _jsonable(value) for key, value in dataclasses.asdict(settings).items()}
    lexicon = fields.get("lexicon")
    if lexicon:
        try:
            fields["lexicon_sha256"] = file_sha256(lexicon)
        except OSError:
            fields["lexicon_sha256"] = None
    fields.pop("max_pixels", None)  # a limit, not something that changes a finished output
    if fields.get("encoding") is None:  # the default: hashes from before the option still hold
        fields.pop("encoding", None)
    payload = {"settings": fields, "formats": sorted(formats), "version": __version__}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Manifest:
    """The manifest database of one output folder (WAL mode; one writer: the batch parent)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(_SCHEMA)
        self.conn.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    # -- documents -----------------------------------------------------------------------

    def get(self, path: str) -> DocumentRecord | None:
        """The row of document `path` (relative to the input folder), or None."""
        row = self.conn.execute("SELECT * FROM documents WHERE path = ?", (path,)).fetchone()
        return _record(row) if row else None

    def all(self) -> dict[str, DocumentRecord]:
        """Every row, by path."""
        rows = self.conn.execute("SELECT * FROM documents ORDER BY path").fetchall()
        return {row["path"]: _record(row) for row in rows}

    def put(self, record: DocumentRecord) -> None:
        """Insert or replace a document row (committed immediately)."""
        values = dataclasses.asdict(record)
        values["outputs"] = json.dumps(record.outputs, ensure_ascii=False)
        if not values["finished"]:
            values["finished"] = time.time()
        names = ", ".join(_COLUMNS)
        marks = ", ".join(f":{name}" for name in _COLUMNS)
        self.conn.execute(f"INSERT OR REPLACE INTO documents ({names}) VALUES ({marks})", values)

    def touch(self, path: str, size: int, mtime_ns: int) -> None:
        """Record a new size/mtime for a document whose content hash did not change."""
        self.conn.execute(
            "UPDATE documents SET size = ?, mtime_ns = ? WHERE path = ?", (size, mtime_ns, path)
        )

    # -- runs ----------------------------------------------------------------------------

    def start_run(self, settings: dict[str, Any]) -> int:
        """Record the start of a run; returns its id."""
        cursor = self.conn.execute(
            "INSERT INTO runs (started, settings) VALUES (?, ?)",
            (time.time(), json.dumps(settings, ensure_ascii=False, default=str)),
        )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, done: int, skipped: int, failed: int) -> None:
        """Record how a run ended: finished, failed or interrupted."""
        self.conn.execute(
            "UPDATE runs SET finished = ?, status = ?, done = ?, skipped = ?, failed = ? "
            "WHERE id = ?",
            (time.time(), status, done, skipped, failed, run_id),
        )


def _record(row: sqlite3.Row) -> DocumentRecord:
    values = {name: row[name] for name in _COLUMNS}
    values["outputs"] = json.loads(values["outputs"] or "[]")
    return DocumentRecord(**values)


@dataclass
class Decision:
    """What to do with one input: skip it or process it, and why."""

    skip: bool
    reason: str
    sha256: str | None = None


def decide(
    record: DocumentRecord | None,
    size: int,
    mtime_ns: int,
    settings_digest: str,
    outputs_exist: bool,
    hasher: Any,
) -> Decision:
    """Skip or process a document given its manifest row and current size/mtime.

    `hasher()` computes the content hash; it is called only when a finished row with the same
    settings exists and its size or mtime differ (a touched but identical file is then skipped).
    Otherwise `sha256` is left None: the caller hashes the file when it processes it.
    """
    if record is None:
        return Decision(False, "new")
    if record.status == "failed":
        return Decision(False, "failed before")
    if record.settings_hash != settings_digest:
        return Decision(False, "settings changed")
    if not outputs_exist:
        return Decision(False, "outputs missing")
    if record.size == size and record.mtime_ns == mtime_ns:
        return Decision(True, "unchanged", record.sha256)
    digest = hasher()
    if record.sha256 == digest:
        return Decision(True, "same content", digest)
    return Decision(False, "changed", digest)
