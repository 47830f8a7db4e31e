"""The restoration engine's models, read from the shipped files in one place.

`vnocr.models.shipped` says where the files are; `load_models` reads each of them once (the
error model's counts feed both the error model and the case evidence of misread capitals). What
only some documents need, the domain text's case counts and abbreviations, is read on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from vnocr.models import shipped
from vnocr.models.channel import ChannelModel, read_counts
from vnocr.models.lm import LanguageModel, SyllableModel
from vnocr.restore.abbreviations import Abbreviations
from vnocr.restore.casing import CaseEvidence, ContextCase


@dataclass
class Models:
    """The language model, the error model and the evidence read beside them."""

    lm: SyllableModel
    channel: ChannelModel
    case: CaseEvidence  # which case a misread capital stood for (from the error-model counts)

    @cached_property
    def context_case(self) -> ContextCase:
        """How our domain text writes a word's case after a word; read when first needed."""
        return ContextCase.load(shipped.domain_dir())

    @cached_property
    def abbreviations(self) -> Abbreviations:
        """The abbreviations of our domain text; read when a document first needs them."""
        return Abbreviations.load(self.channel, shipped.domain_dir())


def load_models(user_lexicon: Path | None = None) -> Models:
    """The shipped models; with `user_lexicon`, a user language model mixed into the shipped one."""
    shipped_lm = LanguageModel.load(shipped.lm_path())
    lm: SyllableModel = shipped_lm
    if user_lexicon is not None:
        lm = shipped_lm.with_user_model(LanguageModel.load(user_lexicon))
    counts, header = read_counts(shipped.channel_path())
    return Models(lm, ChannelModel(counts, header=header), CaseEvidence(counts))
