"""Where the shipped model files are: the package data `vnocr.lexicon`, in one place.

The wheel installs `lexicon/` inside the package as `vnocr.lexicon`; an editable install maps
the same name to the repository's `lexicon/` folder. `$VNOCR_LEXICON_DIR` overrides both (tests
and experiments point it at other model files).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

LM_FILE = "vi_lm.npz"
CHANNEL_FILE = "channel.tsv"
DOMAIN_DIR = "domain"  # our domain lexicon: word lists and prose (abbreviations, casing)


def lexicon_dir() -> Path:
    """The folder of the shipped models: `$VNOCR_LEXICON_DIR` if set, else `vnocr.lexicon`."""
    override = os.environ.get("VNOCR_LEXICON_DIR")
    if override:
        return Path(override)
    return Path(str(resources.files("vnocr.lexicon")))


def lm_path() -> Path:
    """The shipped syllable language model."""
    return lexicon_dir() / LM_FILE


def channel_path() -> Path:
    """The shipped OCR error model (counts of observed and intended segments)."""
    return lexicon_dir() / CHANNEL_FILE


def domain_dir() -> Path:
    """The domain lexicon folder (`lexicon/domain/`)."""
    return lexicon_dir() / DOMAIN_DIR
