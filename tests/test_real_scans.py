"""Mechanisms for real scanned pages, on small crops of ../shared/data/real-scans (skipped when
it is absent; no crop is stored in the repo), and a regression bound on two real pages.

Bounds are measured values plus a margin (scripts/benchmark_real.py prints the values).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from vnocr import api
from vnocr.settings import Settings
from vnocr.text.evaluate import compare

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
REAL_SCANS = ROOT.parent / "shared" / "data" / "real-scans"


def real_page(name: str) -> Path:
    path = REAL_SCANS / f"{name}.png"
    if not path.exists():
        pytest.skip(f"real scans not available ({path})")
    return path


def crop(tmp_path: Path, name: str, box: tuple[int, int, int, int]) -> Path:
    """A region (left, top, right, bottom) of a real page, written to a temporary PNG."""
    with Image.open(real_page(name)) as image:
        region = image.crop(box)
        region.load()
    path = tmp_path / f"{name}-crop.png"
    region.save(path, dpi=(300, 300))
    return path


@pytest.fixture(scope="module")
def corrector():  # type: ignore[no-untyped-def]
    return api.make_corrector(Settings())


def test_garbled_month_in_a_date_is_repaired_not_made_a_word(tmp_path: Path, corrector) -> None:  # type: ignore[no-untyped-def]
    # ldocr p5: "Hà Nội, ngày 01 tháng 11 năm 2017" in italics; Tesseract reads the month as I].
    path = crop(tmp_path, "ldocr_cv164_p5", (1330, 320, 2340, 420))
    result = api.process_page(path, 1, Settings(), corrector)
    assert "tháng 11 năm 2017" in result.text


def test_a_line_the_first_reading_dropped_is_read_again(tmp_path: Path) -> None:
    # ldocr p5: body lines beside a handwritten margin note, which Tesseract's page layout
    # drops on the whole page. Here one line's words are removed from the first reading,
    # as the page layout does, and the second look must bring the line back in its place.
    from vnocr.image import load, missed, ocr, preprocess

    path = crop(tmp_path, "ldocr_cv164_p5", (0, 740, 2464, 1340))
    image = preprocess.prepare(load.load_page(path, 1), "auto")
    first = ocr.ocr_image(image, "vie", 3, 300)
    assert "chứng từ quyết toán" in first.text
    keys = {(w.block, w.par, w.line) for w in first.words if w.text == "chứng"}
    dropped = [w for w in first.words if (w.block, w.par, w.line) not in keys]
    page = ocr.PageOCR(words=dropped, text=ocr.rebuild_text(dropped))
    assert "chứng từ" not in page.text
    again = missed.read_missed_lines(image, page, "vie", 300)
    assert "chứng từ quyết toán" in again.text
    before, after = again.text.split("chứng từ quyết toán")
    assert "Công ty In Tiến Bộ cử" in before and "Tiến Bộ làm chủ đầu tư" in after


@pytest.mark.parametrize(
    ("name", "max_wer"),
    [("ldocr_tt391_p1", 0.025), ("ocrvbpl_nd-cp-unid_p8", 0.065)],
)
def test_real_pages_stay_within_bounds_and_never_worse_than_tesseract(
    name: str,
    max_wer: float,
    corrector,  # type: ignore[no-untyped-def]
) -> None:
    import os
    import subprocess

    path = real_page(name)
    truth_path = REAL_SCANS / f"{name}.gt.txt"
    if not truth_path.exists():
        truth_path = ROOT / "tests" / "data" / "real" / f"{name}.gt.txt"
    truth = truth_path.read_text(encoding="utf-8")
    result = api.process_page(path, 1, Settings(), corrector)
    plain = subprocess.run(
        ["tesseract", str(path), "stdout", "-l", "vie"],
        capture_output=True,
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    ).stdout.decode("utf-8")
    ours = compare(truth, result.text)
    assert ours["wer"] <= max_wer
    assert ours["word_distance"] <= compare(truth, plain)["word_distance"]
