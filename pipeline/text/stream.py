"""Texts of any length in bounded pieces: lines from decoded blocks, long lines cut at spaces,
and paragraphs gathered into chunks that are corrected one at a time.

A text that fits in one chunk is one chunk (its correction is that of the whole text); a
longer one is cut only at a blank line, or, for a paragraph longer than MAX_CHUNK_CHARS,
at any line end. Memory then stays bounded by the chunk limits, whatever the file size.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Longer lines are cut, at a space where there is one, into pieces corrected as lines.
MAX_LINE_CHARS = 10_000
# Paragraphs are gathered into a chunk until it holds this many characters (then it ends at
# the next blank line) ...
CHUNK_CHARS = 250_000
# ... or this many, when no blank line comes (then it ends at the next piece).
MAX_CHUNK_CHARS = 1_000_000


@dataclass(frozen=True)
class Piece:
    """A line of the text, or a part of a line longer than MAX_LINE_CHARS, without its newline."""

    text: str
    line: int  # 1-based number of its line in the whole text
    column: int  # 0-based column of its first character in that line
    ends_line: bool  # a newline follows it in the text


def pieces(blocks: Iterable[str], max_line: int = MAX_LINE_CHARS) -> Iterator[Piece]:
    """The lines of the text given as consecutive blocks, long ones cut into pieces.

    CRLF and CR line ends count as LF (as `clean_unicode` makes them). The last piece is the
    text after the last newline ("" when the text ends with one), with `ends_line` False.
    """
    line, column = 1, 0
    pending = ""  # the start of the current line, at most `max_line` characters
    carried_cr = False
    for block in blocks:
        if carried_cr:
            block = "\r" + block
        carried_cr = block.endswith("\r")  # it may be the first half of a CRLF
        if carried_cr:
            block = block[:-1]
        parts = (pending + block.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
        for k, part in enumerate(parts):
            heads, rest = _split_long(part, max_line)
            for head in heads:
                yield Piece(head, line, column, False)
                column += len(head)
            if k == len(parts) - 1:
                pending = rest
            else:
                yield Piece(rest, line, column, True)
                line, column = line + 1, 0
    if carried_cr:  # the text ends with a CR: a line end
        yield Piece(pending, line, column, True)
        line, column, pending = line + 1, 0, ""
    yield Piece(pending, line, column, False)


def _split_long(line: str, limit: int) -> tuple[list[str], str]:
    """`line` as pieces of at most `limit` characters: the leading ones, and the rest."""
    heads = []
    while len(line) > limit:
        end = _cut_point(line, limit)
        heads.append(line[:end])
        line = line[end:]
    return heads, line


def _cut_point(text: str, limit: int) -> int:
    """Where to end a piece of at most `limit` characters: after a space in its second half,
    else before a character that is no combining mark (NFC must not join across the cut)."""
    for end in range(limit, limit // 2, -1):
        if text[end - 1].isspace():
            return end
    end = limit
    while end > limit // 2 and unicodedata.combining(text[end]):
        end -= 1
    return end


def chunks(
    text_pieces: Iterable[Piece], size: int | None = None, limit: int | None = None
) -> Iterator[list[Piece]]:
    """Consecutive pieces gathered up to `size` characters (CHUNK_CHARS) and a blank line,
    or `limit` (MAX_CHUNK_CHARS)."""
    size = CHUNK_CHARS if size is None else size
    limit = MAX_CHUNK_CHARS if limit is None else limit
    chunk: list[Piece] = []
    chars = 0
    for piece in text_pieces:
        chunk.append(piece)
        chars += len(piece.text) + 1
        blank = piece.column == 0 and piece.ends_line and not piece.text.strip()
        if (chars >= size and blank) or chars >= limit:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk
