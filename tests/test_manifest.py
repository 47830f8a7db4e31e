"""Batch manifest: settings hash, skip/redo decisions, rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from vnocr.archive import manifest
from vnocr.settings import Settings


def record(**changes: object) -> manifest.DocumentRecord:
    values: dict = dict(
        path="a/b.pdf",
        size=10,
        mtime_ns=100,
        sha256="h1",
        settings_hash="s1",
        pages=2,
        status="done",
        outputs=["a/b.txt"],
    )
    values.update(changes)
    return manifest.DocumentRecord(**values)


class Hasher:
    def __init__(self, digest: str):
        self.digest, self.calls = digest, 0

    def __call__(self) -> str:
        self.calls += 1
        return self.digest


def test_settings_hash_tracks_settings_formats_and_lexicon(tmp_path: Path) -> None:
    base = manifest.settings_hash(Settings(), ["txt", "jsonl"])
    assert base == manifest.settings_hash(Settings(), ["jsonl", "txt"])
    assert base != manifest.settings_hash(Settings(psm=6), ["txt", "jsonl"])
    assert base != manifest.settings_hash(Settings(correct=False), ["txt", "jsonl"])
    assert base != manifest.settings_hash(Settings(), ["txt"])
    lexicon = tmp_path / "lex.txt"
    lexicon.write_text("một\n", encoding="utf-8")
    first = manifest.settings_hash(Settings(lexicon=lexicon))
    lexicon.write_text("hai\n", encoding="utf-8")
    assert manifest.settings_hash(Settings(lexicon=lexicon)) != first


def test_unchanged_document_is_skipped_without_hashing() -> None:
    hasher = Hasher("h1")
    decision = manifest.decide(record(), 10, 100, "s1", True, hasher)
    assert decision.skip and decision.reason == "unchanged" and hasher.calls == 0


def test_touched_but_identical_document_is_skipped_after_hashing() -> None:
    hasher = Hasher("h1")
    decision = manifest.decide(record(), 10, 999, "s1", True, hasher)
    assert decision.skip and decision.reason == "same content" and hasher.calls == 1


@pytest.mark.parametrize(
    ("row", "size", "settings", "outputs", "digest", "reason"),
    [
        (None, 10, "s1", True, "h1", "new"),
        (record(status="failed"), 10, "s1", True, "h1", "failed before"),
        (record(), 10, "s2", True, "h1", "settings changed"),
        (record(), 10, "s1", False, "h1", "outputs missing"),
        (record(), 11, "s1", True, "h2", "changed"),
    ],
)
def test_documents_to_redo(
    row: manifest.DocumentRecord | None,
    size: int,
    settings: str,
    outputs: bool,
    digest: str,
    reason: str,
) -> None:
    decision = manifest.decide(row, size, 100, settings, outputs, Hasher(digest))
    assert not decision.skip and decision.reason == reason


def test_rows_round_trip_and_wal(tmp_path: Path) -> None:
    path = tmp_path / manifest.MANIFEST_NAME
    with manifest.Manifest(path) as db:
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        run = db.start_run({"settings": Settings()})
        db.put(record(run_id=run, confidence=91.5, changes=3))
        db.put(record(path="Báo cáo/bản 1.png", status="failed", error="corrupt"))
        db.touch("a/b.pdf", 11, 200)
        db.finish_run(run, "finished", 1, 0, 1)
    with manifest.Manifest(path) as db:
        row = db.get("a/b.pdf")
        assert row is not None
        assert (row.size, row.mtime_ns, row.run_id, row.outputs) == (11, 200, run, ["a/b.txt"])
        assert db.get("Báo cáo/bản 1.png").error == "corrupt"  # type: ignore[union-attr]
        assert set(db.all()) == {"a/b.pdf", "Báo cáo/bản 1.png"}
        assert db.get("missing") is None


def test_file_sha256(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"abc")
    assert manifest.file_sha256(path) == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
