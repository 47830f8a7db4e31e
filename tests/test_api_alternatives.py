"""Tesseract's per-character alternatives through api.process_page/correct_text, and the
--alternatives and --preprocess options of `vnocr ocr` and `vnocr batch`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from vnocr import api
from vnocr.cli import cli
from vnocr.image import ocr
from vnocr.image.geometry import Transform
from vnocr.results import Correction
from vnocr.settings import Settings

QUYEN = [[("Q", 0.93)], [("u", 0.94)], [("y", 0.94)], [("ề", 0.94), ("ể", 0.25)], [("n", 0.94)]]
DUOC = [[("đ", 0.94)], [("ư", 0.94)], [("ợ", 0.95)], [("c", 0.95)]]


def word(text: str, line: int, number: int, choices=None) -> ocr.Word:
    return ocr.Word(text, 90.0 + number, (0, 0, 1, 1), 1, 1, line, number, choices or [])


WORDS = [word("Quyền", 1, 1, QUYEN), word("được", 1, 2, DUOC), word("Số:", 2, 1)]


class StubCorrector:
    """Records what correct() was given; returns the text unchanged."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object, object]] = []

    def correct(self, text, confidences=None, alternatives=None) -> Correction:
        self.calls.append((text, confidences, alternatives))
        return Correction(text, [])


class LineBreakingCorrector(StubCorrector):
    """Adds a line on whole texts, so correct_text falls back to line by line."""

    def correct(self, text, confidences=None, alternatives=None) -> Correction:
        super().correct(text, confidences, alternatives)
        return Correction(text + "\nextra" if "\n" in text else text, [])


def test_word_alternatives_aligned_with_split_words():
    text = ocr.rebuild_text(WORDS)
    assert text == "Quyền được\nSố:"
    alternatives = api.word_alternatives(WORDS, text)
    assert alternatives == [QUYEN, DUOC, []]
    assert len(alternatives) == len(text.split())
    for choices, token in zip(alternatives, text.split(), strict=True):
        assert choices == [] or len(choices) == len(token)
        for position in choices:
            assert all(isinstance(g, str) and 0 <= p <= 1 for g, p in position)


def test_word_alternatives_none_or_empty_when_not_aligned():
    assert api.word_alternatives(WORDS, "Quyền được") is None  # counts disagree
    assert api.word_alternatives([word("Số:", 1, 1)], "Số:") is None  # no choices at all
    # a token that no longer has one character per position gets no choices
    assert api.word_alternatives(WORDS, "Quyen_x được Số:") == [[], DUOC, []]


@pytest.fixture
def fake_page(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """process_page on a fake page whose OCR gives WORDS; returns the alternatives flags seen."""
    seen: list[bool] = []

    def fake_ocr(image, lang="vie", psm=3, dpi=300, alternatives=False):
        seen.append(alternatives)
        words = WORDS
        if not alternatives:
            words = [ocr.Word(w.text, w.conf, w.box, w.block, w.par, w.line, w.word) for w in WORDS]
        return ocr.PageOCR(words, ocr.rebuild_text(words), 91.0)

    page = Image.new("L", (2000, 1000), 255)
    monkeypatch.setattr(api.load, "load_page", lambda *args, **kwargs: page)
    monkeypatch.setattr(
        api.preprocess, "prepare_page", lambda image, mode: (image, Transform(image.size))
    )
    monkeypatch.setattr(ocr, "ocr_image", fake_ocr)
    return seen


def test_process_page_passes_alternatives(fake_page):
    corrector = StubCorrector()
    result = api.process_page("x.png", 1, Settings(alternatives=True), corrector)
    assert fake_page == [True]
    assert result.text == result.raw_text == "Quyền được\nSố:"
    assert corrector.calls == [("Quyền được\nSố:", [91.0, 92.0, 91.0], [QUYEN, DUOC, []])]


def test_process_page_without_alternatives(fake_page):
    corrector = StubCorrector()
    api.process_page("x.png", 1, Settings(), corrector)
    assert fake_page == [False]
    assert corrector.calls == [("Quyền được\nSố:", [91.0, 92.0, 91.0], None)]


def test_correct_text_line_by_line_keeps_each_lines_words():
    corrector = LineBreakingCorrector()
    result = api.correct_text("Quyền được\nSố:", corrector, [1.0, 2.0, 3.0], [QUYEN, DUOC, []])
    assert result.text == "Quyền được\nSố:"
    assert corrector.calls[1:] == [
        ("Quyền được", [1.0, 2.0], [QUYEN, DUOC]),
        ("Số:", [3.0], [[]]),
    ]


def test_timed_corrector_passes_alternatives_through():
    from vnocr.archive.batch import TimedCorrector

    inner = StubCorrector()
    timed = TimedCorrector(inner)
    timed.correct("Quyền được", [1.0, 2.0], [QUYEN, DUOC])
    assert inner.calls == [("Quyền được", [1.0, 2.0], [QUYEN, DUOC])]
    assert timed.seconds >= 0.0


@pytest.mark.e2e
def test_batch_alternatives_end_to_end(tmp_path: Path, samples_dir: Path):
    """`vnocr batch --alternatives` on a real page: converted, with the corrector's output."""
    import shutil

    from vnocr.text import evaluate

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(samples_dir / "report_clean.png", src / "report_clean.png")
    result = run("batch", str(src), "-o", str(tmp_path / "out"), "--jobs", "1", "--alternatives")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "report_clean.txt").read_text(encoding="utf-8")
    truth = (samples_dir / "report_clean.gt.txt").read_text(encoding="utf-8")
    assert evaluate.compare(truth, text)["wer"] < 0.02


# ------------------------------------------------------------------------------ CLI options


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    """Stub the work of `vnocr ocr` and `vnocr batch`; returns the Settings they were given."""
    from vnocr import cli as cli_module
    from vnocr.archive import batch

    seen: list[Settings] = []

    def fake_run_ocr(inputs, settings, pages, out, fmt, explain, strict=False) -> int:
        seen.append(settings)
        return 0

    class Summary:
        errors: list = []
        exit_code = 0

        def lines(self) -> list[str]:
            return []

    def fake_run_batch(options):
        seen.append(options.settings)
        return Summary()

    monkeypatch.setattr(cli_module, "run_ocr", fake_run_ocr)
    monkeypatch.setattr(batch, "run_batch", fake_run_batch)
    return seen


@pytest.mark.parametrize("command", ["ocr", "batch"])
def test_preprocess_step_list_accepted(captured, tmp_path: Path, command):
    target = [str(tmp_path / "in.png")] if command == "ocr" else [str(tmp_path), "-o", "out"]
    for mode in ("deskew,upscale", "none", "auto", "binarize"):
        result = run(command, *target, "--preprocess", mode)
        assert result.exit_code == 0, result.output
    assert [settings.preprocess for settings in captured] == [
        "deskew,upscale",
        "none",
        "auto",
        "binarize",
    ]


@pytest.mark.parametrize("command", ["ocr", "batch"])
@pytest.mark.parametrize("mode", ["bogus", "deskew,bogus", "auto,deskew", ""])
def test_bad_preprocess_is_usage_error(captured, tmp_path: Path, command, mode):
    target = [str(tmp_path / "in.png")] if command == "ocr" else [str(tmp_path), "-o", "out"]
    result = run(command, *target, "--preprocess", mode)
    assert result.exit_code == 2
    assert "--preprocess" in result.output
    assert captured == []


@pytest.mark.parametrize("command", ["ocr", "batch"])
def test_alternatives_option(captured, tmp_path: Path, command):
    target = [str(tmp_path / "in.png")] if command == "ocr" else [str(tmp_path), "-o", "out"]
    assert run(command, *target).exit_code == 0
    assert run(command, *target, "--alternatives").exit_code == 0
    assert run(command, *target, "--no-alternatives").exit_code == 0
    assert [s.alternatives for s in captured] == [Settings.alternatives, True, False]
