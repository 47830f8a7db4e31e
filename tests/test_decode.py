"""Decoder: the trigram search decides where the syllable two back is the only evidence."""

from __future__ import annotations

import pytest

from vnocr.models import lm
from vnocr.models.channel import ChannelModel
from vnocr.restore.candidates import CandidateGenerator
from vnocr.restore.decode import Decoder, DecoderWeights
from vnocr.restore.loader import load_models
from vnocr.text.tokens import tokenize

# Each of công / cộng follows "hai" and "ba" once, and precedes "tác" and "sự" once: their
# bigrams tie, only the word two back tells "hai công tác" from "ba cộng tác".
TEXT = "Hai công tác. Ba cộng tác. Hai cộng sự. Ba công sự.\n" * 5


@pytest.fixture(scope="module")
def channel() -> ChannelModel:
    return load_models().channel


def _decoder(model: lm.LanguageModel, channel: ChannelModel) -> Decoder:
    return Decoder(model, CandidateGenerator(model, channel), DecoderWeights())


def _decode(decoder: Decoder, text: str) -> list[str]:
    return [choice.candidate.syllable for choice in decoder.decode([tokenize(text)])]


def test_trigrams_choose_by_the_word_two_back(channel: ChannelModel) -> None:
    counts = lm.Counts.empty()
    counts.add_text(TEXT)
    model = lm.build(counts)
    assert model.logp("hai", "công") == pytest.approx(model.logp("hai", "cộng"))
    assert model.logp("công", "tác") == pytest.approx(model.logp("cộng", "tác"))
    decoder = _decoder(model, channel)
    assert _decode(decoder, "hai cong tac")[1] == "công"
    assert _decode(decoder, "ba cong tac")[1] == "cộng"
    assert _decode(decoder, "ba cong su")[1] == "công"


def test_margins_compare_with_leaving_the_word(channel: ChannelModel) -> None:
    counts = lm.Counts.empty()
    counts.add_text(TEXT)
    decoder = _decoder(lm.build(counts), channel)
    choices = decoder.decode([tokenize("hai cong tac")])
    changed = [c for c in choices if not c.candidate.keep]
    assert changed and all(c.margin > 0 for c in changed)
    assert all(c.margin == 0.0 for c in choices if c.candidate.keep)


def test_a_word_with_noise_inside_is_harder_to_keep(channel: ChannelModel) -> None:
    counts = lm.Counts.empty()
    counts.add_text(TEXT)
    decoder = _decoder(lm.build(counts), channel)

    def keep_cost(word: str) -> float:
        (token,) = tokenize(word, noisy=True)
        candidates = decoder.policy.word_candidates(token, heading=False)
        return next(c.channel for c in candidates if c.keep)

    extra = DecoderWeights().keep_garbled_extra
    assert extra > 0
    assert keep_cost("v4i") == pytest.approx(keep_cost("vqi") + extra)  # surely misread
    assert keep_cost("huy€n") == pytest.approx(keep_cost("huyqn") + extra)
    assert keep_cost("K'Ho") == pytest.approx(keep_cost("KHo"))  # an apostrophe is no noise


def test_a_paragraph_that_stops_mid_sentence_has_no_sentence_end(channel: ChannelModel) -> None:
    # "đến" starts sentences more often than "đèn", which always ends one.
    counts = lm.Counts.empty()
    counts.add_text("Đến nay tốt. " * 20 + "Đèn.\n")
    decoder = _decoder(lm.build(counts), channel)

    def last_word(lines: list[str]) -> str:
        return decoder.decode([tokenize(line) for line in lines])[-1].candidate.syllable

    assert last_word(["nay tốt.", "den"]) == "đến"  # goes on after a page break
    assert last_word(["nay tốt.", "den."]) == "đèn"  # closed by its full stop
    assert last_word(["den"]) == "đèn"  # a one-line paragraph (a heading) ends where it stops
