"""Language model: probabilities are normalised, learned context wins, save/load round-trip."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from vnocr.errors import InputError
from vnocr.models import lm

TEXT = """Nghị quyết số 25-NQ/TW của Ban Chấp hành Trung ương.
Ban Chấp hành Đảng bộ tỉnh ban hành nghị quyết.
Đổi mới sự lãnh đạo của Đảng đối với công tác dân vận.
Công tác dân vận của hệ thống chính trị, đổi mới nội dung."""


@pytest.fixture(scope="module")
def model() -> lm.LanguageModel:
    counts = lm.Counts.empty()
    counts.add_text(TEXT)
    return lm.build(counts, prior={"mới": 1.0, "đối": 0.5, "với": 2.0})


def test_symbols_map_numbers_codes_and_sentences() -> None:
    sentences = list(lm.symbols_of_line("Số 25-NQ/TW ngày 03/6/2013, có 10 người. Hòa bình"))
    assert sentences == [
        ["số", lm.CODE, "ngày", lm.NUM, lm.COMMA, "có", lm.NUM, "người"],
        ["hòa", "bình"],
    ]
    # Both tone styles map to the same (old-style) symbol.
    assert lm.normalize_syllable("hoà") == lm.normalize_syllable("Hòa") == "hòa"
    assert lm.normalize_syllable("GRDP") is None


def test_conditional_distribution_sums_to_one(model: lm.LanguageModel) -> None:
    for prev in ("của", "ban", lm.BOS, "mới"):
        total = sum(math.exp(model.logp(prev, w)) for w in model.vocab)
        assert total == pytest.approx(1.0, abs=1e-6)


def test_seen_context_beats_unseen(model: lm.LanguageModel) -> None:
    assert model.logp("đổi", "mới") > model.logp("đối", "mới")
    assert model.logp("chấp", "hành") > model.logp("chấp", "đảng")
    assert model.logp("của", "đảng") > model.logp("của", "đẳng")


def test_save_load_round_trip(model: lm.LanguageModel, tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = lm.LanguageModel.load(path)
    assert loaded.vocab == model.vocab
    for prev, word in [("đổi", "mới"), ("ban", "chấp"), ("mới", "với"), ("x", "y")]:
        # Log-probabilities are stored as float16: within a thousandth.
        assert loaded.logp(prev, word) == pytest.approx(model.logp(prev, word), rel=1e-3)


def test_bad_model_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.lm"
    bad.write_text("not a model")
    with pytest.raises(InputError, match="not a vnocr language model"):
        lm.LanguageModel.load(bad)
    with pytest.raises(InputError, match="not found"):
        lm.LanguageModel.load(tmp_path / "missing.lm")


def test_user_model_mixes_in(model: lm.LanguageModel) -> None:
    counts = lm.Counts.empty()
    counts.add_text("đối mới đối mới đối mới")
    mixed = model.with_user_model(lm.build(counts))
    assert mixed.logp("đối", "mới") > model.logp("đối", "mới")


def test_shipped_model_loads_fast_and_knows_common_syllables() -> None:
    import time

    started = time.perf_counter()
    shipped = lm.LanguageModel.load()
    assert time.perf_counter() - started < 2.0  # loose: the point is "no rebuild at start-up"
    for word in ("của", "người", "nghị", "quyết", "đảng", "tỉnh"):
        assert word in shipped
    assert shipped.logp("nghị", "quyết") > shipped.logp("nghị", "quyệt")


def _pairwise(model: lm.LanguageModel | lm.MixedLanguageModel, prevs, words) -> list:
    return [[model.logp(prev, word) for prev in prevs] for word in words]


def test_block_equals_pairwise_logp(model: lm.LanguageModel) -> None:
    prevs = ["đổi", "ban", lm.BOS, "chưa-thấy", "mới"]
    words = ["mới", "chấp", "không-có", lm.EOS]
    assert model.block(prevs, words).tolist() == _pairwise(model, prevs, words)  # exactly
    counts = lm.Counts.empty()
    counts.add_text("đối mới đối mới ban chấp")
    mixed = model.with_user_model(lm.build(counts))
    assert mixed.block(prevs, words).tolist() == _pairwise(mixed, prevs, words)


def test_blocks_answer_many_blocks_at_once(model: lm.LanguageModel) -> None:
    pairs = [([lm.BOS], ["đổi", "x"]), (["đổi", "x"], ["mới"]), (["mới"], []), ([], ["ban"])]
    tables = model.blocks(pairs)
    assert [t.shape for t in tables] == [(2, 1), (1, 2), (0, 1), (1, 0)]
    for (prevs, words), table in zip(pairs, tables, strict=True):
        assert table.tolist() == _pairwise(model, prevs, words)
    assert model.blocks([]) == []


def test_trigram_distribution_sums_to_one(model: lm.LanguageModel) -> None:
    assert model.trigram_count > 0
    for before, prev in (("ban", "chấp"), (lm.BOS, "công"), ("của", "đảng"), ("x", "mới")):
        total = np.exp(
            model.trigram_logps([before] * len(model.vocab), [prev] * len(model.vocab), model.vocab)
        ).sum()
        assert total == pytest.approx(1.0, abs=1e-6)


def test_trigram_context_sharpens_the_bigram(model: lm.LanguageModel) -> None:
    # TEXT has "ban chấp hành" twice: after "ban", "chấp hành" is surer than after "chấp" alone.
    assert model.logp3("ban", "chấp", "hành") > model.logp("chấp", "hành")
    # "nọ đảng" is never seen: an unseen context leaves the bigram as it is.
    assert model.logp3("nọ", "đảng", "bộ") == model.logp("đảng", "bộ")
    # "ban hành nghị (quyết)" is seen, "chấp hành nghị" is not.
    assert model.logp3("ban", "hành", "nghị") > model.logp3("chấp", "hành", "nghị")


def test_trigrams_survive_save_and_old_models_load_as_bigrams(
    model: lm.LanguageModel, tmp_path: Path
) -> None:
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = lm.LanguageModel.load(path)
    assert loaded.trigram_count == model.trigram_count
    for triple in [("ban", "chấp", "hành"), ("đảng", "bộ", "tỉnh"), ("x", "y", "z")]:
        assert loaded.logp3(*triple) == pytest.approx(model.logp3(*triple), rel=1e-3)
    # A model written before trigrams existed has only the bigram arrays.
    with np.load(path) as data:
        bigram_only = {name: data[name] for name in data.files if "trigram" not in name}
    bigram_only = {k: v for k, v in bigram_only.items() if not k.startswith("context")}
    old = tmp_path / "old.npz"
    np.savez(old, **bigram_only)
    old_model = lm.LanguageModel.load(old)
    assert old_model.trigram_count == 0
    assert old_model.logp3("ban", "chấp", "hành") == pytest.approx(
        model.logp("chấp", "hành"), rel=1e-3
    )


def test_mixed_trigrams_mix_as_bigrams_do(model: lm.LanguageModel) -> None:
    counts = lm.Counts.empty()
    counts.add_text("ban chấp đảng. ban chấp đảng.")
    user = lm.build(counts)
    mixed = model.with_user_model(user)
    for triple in [("ban", "chấp", "hành"), ("ban", "chấp", "đảng"), ("x", "ban", "chấp")]:
        expected = np.logaddexp(
            math.log(0.5) + model.logp3(*triple), math.log(0.5) + user.logp3(*triple)
        )
        assert mixed.logp3(*triple) == pytest.approx(expected)


def test_uncompressed_model_is_memory_mapped(model: lm.LanguageModel, tmp_path: Path) -> None:
    stored, packed = tmp_path / "stored.npz", tmp_path / "packed.npz"
    model.save(stored, compress=False)
    model.save(packed)
    mapped, read = lm.LanguageModel.load(stored), lm.LanguageModel.load(packed)
    for array in (mapped._keys, mapped._tri_keys, mapped._ctx_logw):
        assert isinstance(array.base, np.memmap) and not array.flags.writeable
        assert array.flags.aligned  # numpy is slow on unaligned arrays
    assert not isinstance(read._keys.base, np.memmap)
    for triple in [("ban", "chấp", "hành"), ("đảng", "bộ", "tỉnh"), ("x", "y", "z")]:
        assert mapped.logp3(*triple) == read.logp3(*triple)
        assert mapped.logp(*triple[1:]) == read.logp(*triple[1:])


def test_pruned_model_still_sums_to_one() -> None:
    counts = lm.Counts.empty()
    counts.add_text(TEXT + "\nBan chấp hành. Ban chấp hành. Công tác dân vận.")
    ngrams = lm.Ngrams.from_counts(counts)
    pruned = lm.build_arrays(ngrams, min_bigram=2, min_trigram=2)
    full = lm.build_arrays(ngrams)
    assert 0 < pruned.bigram_count < full.bigram_count
    assert 0 < pruned.trigram_count < full.trigram_count
    n = len(pruned.vocab)
    for prev in ("ban", lm.BOS, "của"):
        assert sum(math.exp(pruned.logp(prev, w)) for w in pruned.vocab) == pytest.approx(1.0)
    for before, prev in (("ban", "chấp"), (lm.BOS, "công"), ("của", "hệ")):
        total = np.exp(pruned.trigram_logps([before] * n, [prev] * n, pruned.vocab)).sum()
        assert total == pytest.approx(1.0, abs=1e-6)
