"""Accent-insensitive search: folding, --exact, FTS5 syntax, snippets, incremental indexing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from vnocr.archive import search
from vnocr.errors import InputError

PAGES = {
    "nghi-quyet.pdf": [
        "NGHỊ QUYẾT\nVề việc phát triển kinh tế Đà Nẵng",
        "Nghị quyết số 25/2023 của Hội đồng nhân dân",
    ],
    "bao-cao.pdf": ["Báo cáo tháng 6: nghỉ phép của cán bộ", "Đường Điện Biên Phủ"],
    "khac.png": ["Nghi lễ khai mạc, không liên quan"],
}


def write_jsonl(path: Path, source: str, pages: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for number, text in enumerate(pages, start=1):
            record = {
                "source": source,
                "page": number,
                "text": text,
                "raw_text": text,
                "confidence": 90.0,
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, Path]:
    out = tmp_path / "out"
    for source, pages in PAGES.items():
        write_jsonl(out / "sub dir" / (Path(source).stem + ".jsonl"), f"sub dir/{source}", pages)
    db = tmp_path / "archive.sqlite"
    stats = search.index_tree(out, db)
    assert stats.indexed == 3 and stats.pages == 5
    return out, db


def hits(db: Path, query: str, exact: bool = False) -> list[tuple[str, int]]:
    return [(Path(hit.source).name, hit.page) for hit in search.search(db, query, exact)]


def test_fold() -> None:
    assert search.fold("Nghị quyết ĐÀ NẴNG đường") == "nghi quyet da nang duong"


def test_accent_insensitive_default(archive: tuple[Path, Path]) -> None:
    _, db = archive
    assert set(hits(db, "nghi quyet 25")) == {("nghi-quyet.pdf", 2)}
    # both pages say "nghị quyết" (one in capitals): both found
    assert set(hits(db, '"nghi quyet"')) == {("nghi-quyet.pdf", 1), ("nghi-quyet.pdf", 2)}
    assert ("bao-cao.pdf", 2) in hits(db, "duong dien bien")
    assert ("bao-cao.pdf", 2) in hits(db, "DUONG")
    assert ("nghi-quyet.pdf", 1) in hits(db, "da nang")


def test_exact_respects_marks(archive: tuple[Path, Path]) -> None:
    _, db = archive
    assert set(hits(db, "nghị", exact=True)) == {("nghi-quyet.pdf", 1), ("nghi-quyet.pdf", 2)}
    assert hits(db, "nghỉ", exact=True) == [("bao-cao.pdf", 1)]
    assert hits(db, "nghi", exact=True) == [("khac.png", 1)]
    assert hits(db, "Đường", exact=True) == [("bao-cao.pdf", 2)]
    assert hits(db, "duong", exact=True) == []
    # default mode finds all three spellings
    assert len(hits(db, "nghi")) == 4


def test_fts5_syntax_passes_through(archive: tuple[Path, Path]) -> None:
    _, db = archive
    assert set(hits(db, "nghi OR duong")) == {
        ("nghi-quyet.pdf", 1),
        ("nghi-quyet.pdf", 2),
        ("bao-cao.pdf", 1),
        ("bao-cao.pdf", 2),
        ("khac.png", 1),
    }
    assert set(hits(db, "nghi NOT quyet")) == {("bao-cao.pdf", 1), ("khac.png", 1)}
    assert set(hits(db, "nghi AND (le OR phep)")) == {("bao-cao.pdf", 1), ("khac.png", 1)}
    assert hits(db, "quy*") == hits(db, "quyet") != []
    assert hits(db, '"quyet nghi"') == []
    assert set(hits(db, "NEAR(nghi 25, 3)")) == {("nghi-quyet.pdf", 2)}
    assert hits(db, "25/2023") == [("nghi-quyet.pdf", 2)]


@pytest.mark.parametrize(
    "query", ["nghi AND", "(nghi OR quyet", "NOT nghi", '"nghi quyet', "nghi OR OR quyet", "***"]
)
def test_malformed_query(archive: tuple[Path, Path], query: str) -> None:
    _, db = archive
    with pytest.raises(search.QueryError) as info:
        search.search(db, query)
    message = str(info.value)
    assert "\n" not in message and "bad search query" in message
    assert info.value.exit_code == 2


def test_snippet_shows_marked_text(archive: tuple[Path, Path]) -> None:
    _, db = archive
    (hit,) = search.search(db, "nghi quyet 25")
    assert "[Nghị] [quyết] số [25]/2023" in hit.snippet
    (hit,) = search.search(db, "dien bien")
    assert hit.snippet == "Đường [Điện] [Biên] Phủ"
    (hit,) = search.search(db, "nghi", exact=True)
    assert hit.snippet == "[Nghi] lễ khai mạc, không liên quan"


def test_snippet_window_and_prefix() -> None:
    text = " ".join(f"từ{i}" for i in range(60)) + " Nghị quyết cuối"
    terms = search.translate("nghi quy*").terms
    result = search.snippet(text, terms, size=8)
    assert result.startswith("…") and "[Nghị] [quyết]" in result
    assert not result.endswith("…")


def test_ranking_bm25(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_jsonl(out / "a.jsonl", "a.pdf", ["thuế " * 1 + "khác " * 30])
    write_jsonl(out / "b.jsonl", "b.pdf", ["thuế " * 5 + "khác " * 3])
    db = tmp_path / "x.sqlite"
    search.index_tree(out, db)
    hits = search.search(db, "thue")
    assert [hit.source for hit in hits] == ["b.pdf", "a.pdf"]
    assert hits[0].score > hits[1].score > 0  # not rounded away (bm25 is tiny on small indexes)
    assert [hit.source for hit in search.search(db, "thue", limit=1)] == ["b.pdf"]


def test_incremental_index(archive: tuple[Path, Path]) -> None:
    out, db = archive
    stats = search.index_tree(out, db)
    assert (stats.indexed, stats.unchanged, stats.removed) == (0, 3, 0)
    changed = out / "sub dir" / "khac.jsonl"
    write_jsonl(changed, "sub dir/khac.png", ["Hợp đồng lao động"])
    os.utime(changed, ns=(1, 1))  # a different mtime even on coarse file systems
    (out / "sub dir" / "bao-cao.jsonl").unlink()
    stats = search.index_tree(out, db)
    assert (stats.indexed, stats.unchanged, stats.removed) == (1, 1, 1)
    assert set(hits(db, "nghi")) == {("nghi-quyet.pdf", 1), ("nghi-quyet.pdf", 2)}
    assert hits(db, "hop dong") == [("khac.png", 1)]
    assert hits(db, "duong") == []  # removed document's rows are gone from the FTS index
    conn = search.connect(db)
    assert conn.execute("SELECT count(*) FROM pages").fetchone()[0] == 3
    conn.close()


def test_txt_outputs_indexed_when_no_jsonl(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "Báo cáo tháng 6").mkdir(parents=True)
    (out / "Báo cáo tháng 6" / "bản 1.txt").write_text(
        "trang một\n\fĐiều 5 trang hai\n", encoding="utf-8"
    )
    db = tmp_path / "x.sqlite"
    search.index_tree(out, db)
    (hit,) = search.search(db, "dieu 5")
    assert (hit.source, hit.page) == ("Báo cáo tháng 6/bản 1.txt", 2)


def test_missing_db(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        search.search(tmp_path / "nope.sqlite", "x")
    assert info.value.exit_code == 1 and "vnocr index" in str(info.value)
    assert not (tmp_path / "nope.sqlite").exists()


def test_not_a_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(InputError):
        search.search(bad, "x")
