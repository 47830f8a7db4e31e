"""The model build: the held-out split, array counting and weighted merging."""

from __future__ import annotations

import numpy as np
import pytest

from scripts import build_lm, corpora
from vnocr.models import lm

TEXT = [
    "Ban Chấp hành Đảng bộ tỉnh ban hành nghị quyết.",
    "Công tác dân vận của hệ thống chính trị, đổi mới nội dung.",
    "Ông Hùng là Trưởng Khoa, bà Lan là Phó Trưởng Khoa.",
]


def test_held_out_split_is_deterministic_and_disjoint_from_the_subset() -> None:
    lines = [f"dòng thứ {i} của văn bản mẫu" for i in range(20_000)]
    held = [line for line in lines if corpora.is_held_out(line)]
    subset = [line for line in lines if corpora.in_subset(line)]
    assert held == [line for line in lines if corpora.is_held_out(line)]  # same every time
    assert 0.005 < len(held) / len(lines) < 0.015
    assert 0.07 < len(subset) / len(lines) < 0.13
    assert not set(held) & set(subset)
    # A line's fate depends on the line alone, not on where it stands.
    assert [corpora.is_held_out(line) for line in reversed(held)] == [True] * len(held)


def test_array_counts_equal_the_counter_counts() -> None:
    counts = lm.Counts.empty()
    for line in TEXT:
        counts.add_text(line)
    arrays = build_lm.count_lines(TEXT)
    ngrams = build_lm.merge([(arrays, 1.0)], set(arrays.symbols))
    reference = lm.Ngrams.from_counts(counts)
    assert ngrams.vocab == reference.vocab
    assert np.array_equal(ngrams.bigram_keys, np.sort(reference.bigram_keys))
    order = np.argsort(reference.trigram_keys)
    assert np.array_equal(ngrams.trigram_keys, reference.trigram_keys[order])
    assert np.array_equal(ngrams.trigram_counts, reference.trigram_counts[order])
    # Weight 1, one source: discounting per source is plain absolute discounting.
    built, plain = lm.build_arrays(ngrams), lm.build(counts)
    for triple in [("ban", "chấp", "hành"), ("là", "trưởng", "khoa"), ("x", "ông", "hùng")]:
        assert built.logp3(*triple) == pytest.approx(plain.logp3(*triple))


def test_a_heavy_source_is_discounted_in_its_own_units() -> None:
    domain = build_lm.count_lines(["nhân dân tỉnh"] * 5)
    broad = build_lm.count_lines(["nhân dân với đảng", "nhân dân tỉnh"])
    ngrams = build_lm.merge([(domain, 30.0), (broad, 1.0)], set(domain.symbols + broad.symbols))
    model = lm.build_arrays(ngrams)
    # The weighted source keeps the context open: a word seen after it elsewhere stays likely.
    assert model.logp3("nhân", "dân", "với") > model.logp("dân", "với") - 3.0
    assert model.logp3("nhân", "dân", "tỉnh") > model.logp3("nhân", "dân", "với")
    assert ngrams.trigram_kept is not None and np.all(ngrams.trigram_kept <= ngrams.trigram_counts)


def test_symbols_outside_the_vocabulary_become_other_words() -> None:
    counts = build_lm.count_lines(["ông hùng về quê"])
    ngrams = build_lm.merge([(counts, 1.0)], {"ông", "về", "quê"})
    assert "hùng" not in ngrams.vocab
    other = ngrams.vocab.index(lm.OTHER)
    assert ngrams.unigrams[other] == 1.0
