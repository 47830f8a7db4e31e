"""vnocr.outputs: atomic writes and output formats."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vnocr.api import PageResult
from vnocr.outputs import (
    OutputError,
    atomic_open,
    atomic_write,
    format_txt,
    page_record,
)


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def test_atomic_write_text_and_bytes(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write(target, "Cộng hòa\n")
    assert target.read_bytes() == "Cộng hòa\n".encode()
    atomic_write(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("error", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_atomic_open_failure_leaves_nothing(tmp_path, error):
    target = tmp_path / "out.txt"
    with pytest.raises(type(error)), atomic_open(target) as handle:
        handle.write("half of the")
        raise error
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_atomic_open_failure_keeps_previous_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old complete output\n", encoding="utf-8")
    with pytest.raises(ValueError), atomic_open(target) as handle:
        handle.write("new partial")
        raise ValueError("interrupted")
    assert target.read_text(encoding="utf-8") == "old complete output\n"
    assert leftovers(tmp_path) == []


def test_atomic_open_keeps_permissions(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("x", encoding="utf-8")
    os.chmod(target, 0o640)
    atomic_write(target, "y")
    assert target.stat().st_mode & 0o777 == 0o640


def test_atomic_open_new_file_is_not_private(tmp_path):
    target = tmp_path / "new.txt"
    atomic_write(target, "y")
    assert target.stat().st_mode & 0o044  # readable by others as umask allows (not mkstemp's 600)


def test_atomic_open_bad_targets(tmp_path):
    with pytest.raises(OutputError, match="folder does not exist"):
        atomic_write(tmp_path / "missing" / "out.txt", "x")
    with pytest.raises(OutputError, match="is a directory"):
        atomic_write(tmp_path, "x")


def result(page: int, text: str, raw: str | None = None) -> PageResult:
    return PageResult("scan.pdf", page, text, raw if raw is not None else text, 91.5)


def test_format_txt_pages_separated_by_form_feed():
    pages = [result(1, "trang một\n\n"), result(2, ""), result(3, "trang ba")]
    assert format_txt(pages) == "trang một\n\f\ftrang ba\n"


def test_format_txt_is_nfc():
    assert format_txt([result(1, "Vie\u0323\u0302t")]) == "Việt\n"


def test_page_record():
    record = page_record(result(2, "hòa bình", "hoa binh"))
    assert record == {
        "source": "scan.pdf",
        "page": 2,
        "text": "hòa bình",
        "raw_text": "hoa binh",
        "confidence": 91.5,
        "warnings": [],
    }
