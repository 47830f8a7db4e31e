"""Search hits carry the boxes of the matching words when the outputs have word geometry."""

from __future__ import annotations

import json

from click.testing import CliRunner

from vnocr.archive import search
from vnocr.cli import cli
from vnocr.formats import alto, hocr
from vnocr.layout import BoxedWord

PAGE_1 = [
    BoxedWord("Nghị", (100, 200, 90, 40), 96.0, 1, 1, 1),
    BoxedWord("quyết", (200, 200, 110, 40), 91.0, 1, 1, 1),
    BoxedWord("số", (320, 200, 40, 40), 88.0, 1, 1, 1),
]
PAGE_2 = [
    BoxedWord("Thực", (100, 300, 90, 40), 96.0, 1, 1, 1),
    BoxedWord("hiện", (200, 300, 80, 40), 96.0, 1, 1, 1),
    BoxedWord("nghị", (290, 300, 80, 40), 96.0, 1, 1, 1),
    BoxedWord("quyết", (380, 300, 100, 40), 96.0, 1, 1, 1),
]


def write_outputs(folder, stem: str, geometry: str | None) -> None:
    pages = [(1, PAGE_1, (2480, 3508)), (2, PAGE_2, (2480, 3508))]
    records = [
        {"source": f"{stem}.pdf", "page": n, "text": " ".join(w.text for w in words)}
        for n, words, _ in pages
    ]
    (folder / f"{stem}.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    if geometry == "alto":
        (folder / f"{stem}.alto.xml").write_bytes(alto.document(f"{stem}.pdf", pages))
    elif geometry == "hocr":
        (folder / f"{stem}.hocr").write_bytes(hocr.document(pages))


def test_hits_list_the_matching_words_boxes_from_alto_or_hocr(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    write_outputs(out, "with_alto", "alto")
    write_outputs(out, "with_hocr", "hocr")
    write_outputs(out, "plain", None)
    db = tmp_path / "index.sqlite"
    search.index_tree(out, db)
    hits = search.search(db, "nghi quyet", limit=10)
    by_doc = {(hit.path, hit.page): hit.boxes for hit in hits}
    expected_1 = [("Nghị", (100, 200, 90, 40)), ("quyết", (200, 200, 110, 40))]
    expected_2 = [("nghị", (290, 300, 80, 40)), ("quyết", (380, 300, 100, 40))]
    for name in ("with_alto.jsonl", "with_hocr.jsonl"):
        assert by_doc[(name, 1)] == expected_1
        assert by_doc[(name, 2)] == expected_2
    assert by_doc[("plain.jsonl", 1)] is None  # no geometry: no boxes, the hit is still there
    exact = search.search(db, "quyết", exact=True, limit=10)
    assert {h.page: h.boxes for h in exact if h.path == "with_alto.jsonl"} == {
        1: [("quyết", (200, 200, 110, 40))],
        2: [("quyết", (380, 300, 100, 40))],
    }
    assert search.search(db, "quyet", exact=True, limit=10) == []


def test_search_json_prints_the_boxes(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    write_outputs(out, "doc", "alto")
    db = tmp_path / "index.sqlite"
    search.index_tree(out, db)
    result = CliRunner().invoke(cli, ["search", "thuc hien", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["page"] == 2
    assert record["boxes"] == [
        {"word": "Thực", "box": [100, 300, 90, 40]},
        {"word": "hiện", "box": [200, 300, 80, 40]},
    ]
