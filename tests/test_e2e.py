"""End-to-end: the real `vnocr` command and the real Tesseract on the committed samples.

Bounds are measured values plus a margin (scripts/benchmark_ocr_raw.py prints the values):
raw CER measured 0.10% on report_clean.png, 0.10% on report_scan.jpg, 0.04% on plan_2p.tif
and 0.20% on decision_3p.pdf (Tesseract 5.3.0, vie, --preprocess auto); the same with the
tesserocr engine (Tesseract 5.5.4, the default where it is installed) but 0.17% on the PDF.
"""

from __future__ import annotations

import json
import subprocess
import unicodedata

import pytest

from vnocr.text.evaluate import cer

pytestmark = pytest.mark.e2e

CLEAN_RAW_CER_BOUND = 0.010  # measured 0.0010
SCAN_RAW_CER_BOUND = 0.015  # measured 0.0010
PAGE_CER_BOUND = 0.015  # single pages of the TIFF and PDF: measured <= 0.0030


def vnocr(vnocr_bin: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [vnocr_bin, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


def truth_pages(samples_dir, stem: str) -> list[str]:
    return (samples_dir / f"{stem}.gt.txt").read_text(encoding="utf-8").split("\f")


def test_clean_sample_raw_cer(vnocr_bin, samples_dir):
    out = vnocr(vnocr_bin, "ocr", "--no-correct", str(samples_dir / "report_clean.png")).stdout
    assert unicodedata.is_normalized("NFC", out)
    assert cer(truth_pages(samples_dir, "report_clean")[0], out) < CLEAN_RAW_CER_BOUND


def test_scan_like_sample_raw_cer(vnocr_bin, samples_dir, tmp_path):
    out = tmp_path / "scan.txt"
    vnocr(vnocr_bin, "ocr", "--no-correct", "-o", str(out), str(samples_dir / "report_scan.jpg"))
    text = out.read_text(encoding="utf-8")
    assert cer(truth_pages(samples_dir, "report_scan")[0], text) < SCAN_RAW_CER_BOUND


def test_pdf_page_selection(vnocr_bin, samples_dir):
    pdf = str(samples_dir / "decision_3p.pdf")
    out = vnocr(vnocr_bin, "ocr", "--no-correct", "--pages", "2", pdf).stdout
    truth = truth_pages(samples_dir, "decision_3p")
    assert "\f" not in out
    assert cer(truth[1], out) < PAGE_CER_BOUND
    assert cer(truth[0], out) > 0.5 and cer(truth[2], out) > 0.5  # not another page


def test_tiff_jsonl_records(vnocr_bin, samples_dir):
    tiff = samples_dir / "plan_2p.tif"
    out = vnocr(vnocr_bin, "ocr", "--no-correct", "--format", "jsonl", str(tiff)).stdout
    records = [json.loads(line) for line in out.splitlines()]
    truth = truth_pages(samples_dir, "plan_2p")
    assert [record["page"] for record in records] == [1, 2]
    for record, page_truth in zip(records, truth, strict=True):
        assert set(record) == {"source", "page", "text", "raw_text", "confidence", "warnings"}
        assert record["source"] == str(tiff)
        assert record["text"] == record["raw_text"]  # --no-correct
        assert 0 < record["confidence"] <= 100
        assert unicodedata.is_normalized("NFC", record["text"])
        assert cer(page_truth, record["text"]) < PAGE_CER_BOUND


def test_full_pipeline_with_correction_keeps_clean_text(vnocr_bin, samples_dir):
    """`make demo`'s command: correction must not damage an already clean page."""
    out = vnocr(vnocr_bin, "ocr", str(samples_dir / "report_clean.png")).stdout
    assert cer(truth_pages(samples_dir, "report_clean")[0], out) < CLEAN_RAW_CER_BOUND
