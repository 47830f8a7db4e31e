"""Unicode clean-up: NFC, line endings and stray control characters."""

from __future__ import annotations

import unicodedata

import regex

# C0/C1 control characters other than tab, newline and form feed, plus zero-width marks and BOMs.
_STRAY = regex.compile(r"[\p{Cc}\u200b-\u200d\u2060\ufeff--[\t\n\f]]", regex.V1)


def clean_unicode(text: str) -> str:
    """Return `text` in NFC with CRLF/CR line ends made LF and stray control characters removed.

    >>> clean_unicode("Vie\u0323\u0302t")
    'Việt'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _STRAY.sub("", text)
    return unicodedata.normalize("NFC", text)
