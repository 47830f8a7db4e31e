"""Post-decoding fixers: their edits, and a later fixer's word over an earlier one's."""

from __future__ import annotations

import math

from vnocr.restore.fixers import Edits
from vnocr.results import Change


def test_a_later_fixer_replaces_an_earlier_change_to_the_same_token() -> None:
    edits = Edits()
    edits.put(0, 5, "X1", "Xã", 2.5)  # what the decoder made of it
    edits.put(1, 0, "cua", "của", 1.0)
    edits.put_instead(0, 5, "X1", "XI", math.inf)  # the Roman numeral fixer
    assert edits.replacements == {(0, 5): "XI", (1, 0): "của"}
    assert edits.changes == [Change(2, 1, "cua", "của", 1.0), Change(1, 6, "X1", "XI", math.inf)]
    assert edits.has(0, 5) and not edits.has(0, 6)
