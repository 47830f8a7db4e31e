"""The engine's models: read from the shipped files in one place, the error-model counts once."""

from __future__ import annotations

from pathlib import Path

import pytest

from vnocr.models import channel as channel_module
from vnocr.restore import loader


def test_the_error_model_counts_are_read_once_for_both_their_uses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[Path] = []

    def counting_read(path: Path):
        read.append(path)
        return channel_module.read_counts(path)

    monkeypatch.setattr(loader, "read_counts", counting_read)
    models = loader.load_models()
    assert len(read) == 1
    assert models.channel.cost("s6", "số") < models.channel.cost("sa", "số")
    assert not models.case.capital_meant("G", "ủ")  # the case evidence has the same counts


def test_the_domain_evidence_is_read_when_first_needed() -> None:
    models = loader.load_models()
    assert "context_case" not in vars(models) and "abbreviations" not in vars(models)
    assert "HĐND" in models.abbreviations
    assert models.context_case.title_meant("tỉnh", "ủy") is False
