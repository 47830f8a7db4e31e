"""The restoration engine as a user relies on it: mechanisms, not particular sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from vnocr.models import lm
from vnocr.restore.correct import CorrectOptions, Corrector
from vnocr.restore.profile import CLEAN_TEXT, DocumentProfile, mark_rate
from vnocr.text.evaluate import compare

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "dev"

CLEAN = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Thực hiện Chỉ thị số 15-CT/TU ngày 12/4/2021 của Ban Thường vụ Tỉnh ủy, Ủy ban nhân dân
huyện đã chỉ đạo các xã, thị trấn rà soát 1.245 hộ nghèo, đạt 98,5% kế hoạch.
Liên hệ: vanphong@example.gov.vn; UBND, HĐND và MTTQ phối hợp chặt chẽ."""


@pytest.fixture(scope="module")
def corrector() -> Corrector:
    return Corrector()


def test_clean_text_passes_through_unchanged(corrector: Corrector) -> None:
    result = corrector.correct(CLEAN)
    assert result.text == CLEAN
    assert result.changes == []


def test_new_tone_style_text_is_kept_in_its_style(corrector: Corrector) -> None:
    text = "Văn hoá, thể thao và du lịch; hoà giải ở cơ sở; thuỷ lợi."
    assert corrector.correct(text).text == text


def test_unaccented_text_is_restored(corrector: Corrector) -> None:
    bare = "Uy ban nhan dan tinh chi dao cac so, nganh trien khai thuc hien ke hoach."
    truth = "Ủy ban nhân dân tỉnh chỉ đạo các sở, ngành triển khai thực hiện kế hoạch."
    assert compare(truth, corrector.correct(bare).text)["wer"] <= 0.1


def test_numbers_codes_dates_case_and_lines_are_kept(corrector: Corrector) -> None:
    text = (
        "Nghi quyet so 25-NQ/TW ngay 03/6/2013\nKET QUA THUC HIEN 10 NAM\n\n  dat 98,1% (UBND).\n"
    )
    out = corrector.correct(text).text
    assert out.count("\n") == text.count("\n")
    assert "25-NQ/TW" in out and "03/6/2013" in out and "98,1%" in out and "(UBND)." in out
    lines = out.split("\n")
    assert lines[0].startswith("Nghị") and lines[1].isupper() and lines[3].startswith("  ")


def test_explain_lists_each_change(corrector: Corrector) -> None:
    result = corrector.correct("Nghi quyet cua Dang")
    assert result.text == "Nghị quyết của Đảng"
    olds = [c.old for c in result.changes]
    assert olds == ["Nghi", "quyet", "cua", "Dang"]
    assert all(c.line == 1 and c.margin > 0 for c in result.changes)
    assert [c.column for c in result.changes] == [1, 6, 12, 16]


def test_tone_style_option(corrector: Corrector) -> None:
    text = "Văn hóa và hòa bình"
    assert Corrector(CorrectOptions(tone_style="new")).correct(text).text == "Văn hoá và hoà bình"
    assert corrector.correct("Văn hoá").text == "Văn hoá"


def test_mark_rate_tells_bare_text() -> None:
    assert mark_rate("Nghị quyết của Ban Chấp hành Trung ương".split()) > 0.5
    assert mark_rate("Nghi quyet cua Ban Chap hanh Trung uong".split()) == 0


def test_document_profile_reads_the_modes_once() -> None:
    marked = DocumentProfile.of("Nghị quyết của Ban Chấp hành", unknown_share=0.01)
    assert not marked.bare and not marked.noisy and not marked.garbled_numbers
    raw = DocumentProfile.of("Nghi quyet cua Ban Chap hanh", unknown_share=0.45)
    assert raw.bare and raw.noisy
    learned = raw.with_garbled_numbers(frozenset({"6"}))
    assert learned.garbled_numbers == {"6"} and learned.bare and learned.noisy
    assert not CLEAN_TEXT.bare and not CLEAN_TEXT.noisy


def test_user_lexicon_changes_a_decision(tmp_path: Path) -> None:
    # The user's archive writes "cộng tác" (cooperate) where ours mostly has "công tác" (work);
    # met in the archive's own context, the user's reading wins.
    text = "Hai đơn vị cong tac chặt chẽ."
    default = Corrector().correct(text).text
    assert default == "Hai đơn vị công tác chặt chẽ."
    corpus = tmp_path / "mine.txt"
    corpus.write_text("Hai đơn vị cộng tác chặt chẽ. Chúng tôi cộng tác lâu dài.\n" * 20, "utf-8")
    model = tmp_path / "mine.lm"
    counts = lm.counts_from_files([corpus])
    lm.build(counts).save(model)
    assert Corrector(CorrectOptions(lexicon=model)).correct(text).text == (
        "Hai đơn vị cộng tác chặt chẽ."
    )


@pytest.mark.skipif(not (DEV / "ocr.txt").exists(), reason="../shared dev set not present")
def test_dev_set_wer_regression_bound(corrector: Corrector) -> None:
    ocr = (DEV / "ocr.txt").read_text(encoding="utf-8")
    truth = (DEV / "truth.txt").read_text(encoding="utf-8")
    raw = compare(truth, ocr)
    fixed = compare(truth, corrector.correct(ocr).text)
    # Measured on 2026-11-27: raw WER 85.3%, CER 22.7%; corrected WER 2.77%, CER 0.97%.
    assert raw["wer"] > 0.8
    assert fixed["wer"] < 0.031
    assert fixed["cer"] < 0.011


def test_lexicon_build_command_feeds_correct(tmp_path: Path) -> None:
    import subprocess
    import sys

    corpus = tmp_path / "archive.txt"
    corpus.write_text("Hai đơn vị cộng tác chặt chẽ.\nChúng tôi cộng tác lâu dài.\n" * 10, "utf-8")
    model = tmp_path / "archive.lm"
    vnocr = [sys.executable, "-m", "vnocr.cli"]
    built = subprocess.run(
        [*vnocr, "lexicon", "build", str(corpus), "-o", str(model)], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    fixed = subprocess.run(
        [*vnocr, "correct", "-", "--lexicon", str(model)],
        input="Chúng tôi cong tac lâu dài.\n",
        capture_output=True,
        text=True,
    )
    assert fixed.returncode == 0 and fixed.stdout == "Chúng tôi cộng tác lâu dài.\n"
    empty = tmp_path / "empty.txt"
    empty.write_text("12 34\n", "utf-8")
    failed = subprocess.run(
        [*vnocr, "lexicon", "build", str(empty), "-o", str(model)], capture_output=True, text=True
    )
    assert failed.returncode == 1 and "no Vietnamese text" in failed.stderr


def test_ocr_confidence_protects_sure_words_and_opens_doubtful_ones(corrector: Corrector) -> None:
    truth = "Ủy ban nhân dân tỉnh đã chỉ đạo các sở, ngành triển khai kế hoạch năm 2024."
    weights = corrector._decoder.weights
    for wrong, right in [("tình", "tỉnh"), ("đà", "đã"), ("đào", "đạo")]:
        text = truth.replace(right, wrong, 1)
        position = text.split().index(wrong)
        margins = {}
        for confidence in (96.0, None, 30.0):
            confidences = [90.0] * len(text.split())
            if confidence is not None:
                confidences[position] = confidence
            result = corrector.correct(text, confidences if confidence is not None else None)
            changed = [c for c in result.changes if c.old == wrong]
            margins[confidence] = changed[0].margin if changed else None
            if confidence == 30.0:
                assert result.text == truth, f"doubtful '{wrong}' should become '{right}'"
        # Confidence moves the evidence a change needs by the configured protection: a sure
        # word stays unless the evidence beats it, a doubtful one needs less.
        unprotected = margins[None]
        assert unprotected is not None
        assert margins[30.0] == pytest.approx(unprotected + weights.doubtful_penalty, abs=0.011)
        if unprotected < weights.confident_bonus:
            assert margins[96.0] is None, f"a sure '{wrong}' should be kept"
        else:
            assert margins[96.0] == pytest.approx(unprotected - weights.confident_bonus, abs=0.011)


def test_document_adaptation_learns_a_recurring_confusion() -> None:
    from vnocr.restore.loader import load_models

    channel = load_models().channel
    before = channel.cost("qz", "qu")
    adapted = channel.adapted([("qz", "qu")] * 50 + [("ba", "ba")] * 50, weight=100.0)
    assert adapted.cost("qz", "qu") < before - 1.0
    assert adapted.cost("ba", "ba") <= channel.cost("ba", "ba") + 0.1


def test_foreign_phrase_inside_vietnamese_text_is_left_alone(corrector: Corrector) -> None:
    english = "The committee approved the plan on Monday and asked the ministry to report by June."
    text = CLEAN + "\n" + english
    result = corrector.correct(text)
    assert result.text.split("\n")[-1] == english
    assert result.changes == []


def test_raw_ocr_horns_read_as_apostrophes_are_restored(corrector: Corrector) -> None:
    raw = "Vai tro cua co’ quan nha nuéc va su’ lanh dao cua Dang doi véi cong tac tu’ tuong."
    text = corrector.correct(raw).text
    assert "cơ quan" in text and "sự lãnh đạo" in text and "tư tưởng" in text
    assert "’" not in text


def test_two_capitals_in_running_text_are_a_capital_and_a_small_vowel(
    corrector: Corrector,
) -> None:
    raw = (
        "Cac dia phuong da tri€n khai thuc hién nghiém tic. BO van kién phap ly vé dat dai da "
        "duge ban hanh.\nT/M BAN THUONG VU HUYEN UY"
    )
    text = corrector.correct(raw).text
    assert "Bộ văn kiện" in text  # ộ read as a capital O
    assert text.endswith("BAN THƯỜNG VỤ HUYỆN ỦY")  # a heading keeps its capitals
