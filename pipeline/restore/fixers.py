"""After decoding: the fixers that write a document's edits, in one stated order.

Each fixer reads the decoded document (`Decoded`) and writes into its `Edits`: the new text of
a token, by line and token start, and the change that `--explain` lists. `Fixers.apply` runs
them in this order, and the order matters:

1. `decoded_words`: the syllables the decoder chose, in the output tone style and with the case
   OCR read where that case is evidence (see `casing`);
2. `footnote_numbers`: footnote marks read as ! ? * and the like get their numbers back from
   the document's numbering (see `footnotes`; the marks are tokens of their own);
3. `roman_numerals`: garbled Roman numerals where one is expected, in place of what the decoder
   made of them (X1 -> XI, not Xã; see `numerals`);
4. `abbreviations`: known abbreviations in document codes and words in capitals, in raw OCR and
   unmarked text only, where no fixer before changed the token (see `abbreviations`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from vnocr.restore import numerals
from vnocr.restore.decode import Choice
from vnocr.restore.loader import Models
from vnocr.restore.profile import DocumentProfile
from vnocr.results import Change
from vnocr.text import orthography
from vnocr.text.tokens import Kind, Token, apply_case, case_pattern, in_capitals


@dataclass(frozen=True)
class Decoded:
    """A document as the fixers read it."""

    lines: list[str]
    tokenized: list[list[Token]]
    choices: list[tuple[int, Choice]]  # (line index, the decoder's choice) for every word
    profile: DocumentProfile
    footnote_marks: dict[tuple[int, int], tuple[str, str]]  # see `footnotes.number_marks`
    style: str  # the output tone style, old or new


@dataclass
class Edits:
    """The new text of each changed token by (line index, token start), and the changes."""

    replacements: dict[tuple[int, int], str] = field(default_factory=dict)
    _made: list[Change] = field(default_factory=list)  # every change, in the order made
    # Where a later fixer replaced the earlier changes to a token: the index its own change
    # has in `_made`.
    _instead: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def changes(self) -> list[Change]:
        """The changes in force, in the order they were made."""
        if not self._instead:
            return list(self._made)
        return [
            change
            for index, change in enumerate(self._made)
            if self._instead.get((change.line - 1, change.column - 1), index) <= index
        ]

    def put(self, line: int, start: int, old: str, new: str, margin: float) -> None:
        """Replace the token at (`line`, `start`) by `new`."""
        self.replacements[(line, start)] = new
        self._made.append(Change(line + 1, start + 1, old, new, margin))

    def put_instead(self, line: int, start: int, old: str, new: str, margin: float) -> None:
        """Replace the token at (`line`, `start`) by `new`, instead of any earlier change to it."""
        self._instead[(line, start)] = len(self._made)
        self.put(line, start, old, new, margin)

    def has(self, line: int, start: int) -> bool:
        """Whether a fixer has replaced the token at (`line`, `start`)."""
        return (line, start) in self.replacements


class Fixers:
    """The post-decoding fixers of one Corrector and the models they read."""

    def __init__(self, models: Models):
        self.models = models
        # Raw OCR repeats its garbles: each (syllable, observed word, style, word before,
        # heading) is rendered once.
        self._render = lru_cache(maxsize=65_536)(
            lambda syllable, observed, style, before, heading: render(
                syllable, observed, style, models, before, heading
            )
        )

    def apply(self, document: Decoded) -> Edits:
        """The document's edits, by every fixer in the order the module states."""
        edits = Edits()
        for fix in (
            self.decoded_words,
            self.footnote_numbers,
            self.roman_numerals,
            self.abbreviations,
        ):
            fix(document, edits)
        return edits

    def decoded_words(self, document: Decoded, edits: Edits) -> None:
        """The words the decoder changed, rendered in the output style and case.

        A word's case may depend on the word before it on the line (see `casing.ContextCase`);
        not in unmarked text, where every capital was typed as it is.
        """
        lines, tokenized = document.lines, document.tokenized
        bare = document.profile.bare
        headings = {n for n, tokens in enumerate(tokenized) if in_capitals(tokens)}
        previous: tuple[int, int, str | None] = (-1, 0, None)  # line, end, syllable
        for line_no, choice in document.choices:
            token = choice.token
            line, end, syllable = previous
            follows = line == line_no and lines[line_no][end : token.start].isspace()
            before = syllable if follows and not bare else None
            chosen = choice.candidate.syllable
            known = not chosen.startswith("<")  # not a kept unknown word
            previous = (
                line_no,
                token.start + len(token.text),
                chosen.rsplit(" ", 1)[-1] if known else None,
            )
            if choice.candidate.keep:
                continue
            new = self._render(chosen, token.text, document.style, before, line_no in headings)
            if new == token.text:
                continue
            edits.put(line_no, token.start, token.text, new, round(choice.margin, 2))

    @staticmethod
    def footnote_numbers(document: Decoded, edits: Edits) -> None:
        """Each footnote mark's number in its place. Their margin is infinite: the numbering,
        not a score, decided them."""
        for (line, start), (read, number) in document.footnote_marks.items():
            if read != number:
                edits.put(line, start, read, number, math.inf)

    @staticmethod
    def roman_numerals(document: Decoded, edits: Edits) -> None:
        """Garbled Roman numerals put back where one is expected (see `numerals`), in place of
        what the decoder made of them (X1 -> XI, not Xã)."""
        chosen = {(line, c.token.start): c.candidate.syllable for line, c in document.choices}
        for line_no, tokens in enumerate(document.tokenized):
            word_before = None
            for i, token in enumerate(tokens):
                if token.kind is Kind.SPACE:
                    continue
                if token.kind is not Kind.WORD:
                    word_before = None
                    continue
                roman = numerals.read_roman(token.text)
                if roman is not None and numerals.expected_at(tokens, i, word_before):
                    edits.put_instead(line_no, token.start, token.text, roman, math.inf)
                syllable = chosen.get((line_no, token.start), "<")
                word_before = syllable.rsplit(" ", 1)[-1] if not syllable.startswith("<") else None

    def abbreviations(self, document: Decoded, edits: Edits) -> None:
        """Known abbreviations put back in codes and capitals (QB -> QĐ, HDND -> HĐND).

        For raw OCR and text without marks only: in a clean document an unknown abbreviation
        is taken as written.
        """
        profile = document.profile
        if not (profile.noisy or profile.bare):
            return
        known = self.models.abbreviations
        for line_no, tokens in enumerate(document.tokenized):
            for token in tokens:
                if edits.has(line_no, token.start):
                    continue
                if token.kind is Kind.CODE:
                    found = known.restore_code(token.text, profile.bare)
                elif token.kind is Kind.WORD:
                    found = known.restore_word(token.text, profile.bare)
                else:
                    continue
                if found is not None:
                    new, lead = found
                    edits.put(line_no, token.start, token.text, new, round(lead, 2))


def render(
    syllable: str,
    observed: str,
    style: str,
    models: Models,
    before: str | None = None,
    heading: bool = False,
) -> str:
    """The replacement text for a word: the syllable in the output style and the word's case.

    A capital that OCR wrote for a different letter keeps its case only if such misreads
    stood for capitals (P for Đ does, G for ủ does not); one read without its mark (U for ủ)
    only if our domain text writes the word capitalised after `before`, the syllable before
    it, or does not say (see `casing`). Outside a `heading` in capitals, a word of two capitals
    is a capital and a small marked vowel that OCR read as a capital (BO for Bộ, SO for Sở).
    """
    pattern = case_pattern(observed)
    if pattern == "upper" and not heading and len(observed) == 2:
        pattern = "title"
    words = [orthography.restyle_word(part, style) for part in syllable.split(" ")]
    if pattern == "title" and not _capital_meant(observed[0], syllable, words[0], models, before):
        pattern = "lower"
    first = apply_case(words[0], pattern)
    rest = [apply_case(w, pattern if pattern == "upper" else "lower") for w in words[1:]]
    return " ".join([first, *rest])


def _capital_meant(
    capital: str, syllable: str, word: str, models: Models, before: str | None
) -> bool:
    """Whether the capital OCR read first stood for a capital of `word` (`syllable` restyled)."""
    if not models.case.capital_meant(capital, word[0]):
        return False
    if before is None or not models.case.may_be_lower(capital, word[0]):
        return True
    return models.context_case.title_meant(before, syllable.split(" ")[0]) is not False
