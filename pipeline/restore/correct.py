"""Text correction stage: Unicode clean-up, then diacritic restoration paragraph by paragraph.

`Corrector` loads the models once (`loader`). `correct` then, for one document:

1. cleans up Unicode and tokenizes every line (`tokens`);
2. reads the document's `profile` (written without marks? raw OCR without a Vietnamese model?);
   raw OCR is tokenized again with its noise inside words, and footnote marks become tokens;
3. decodes paragraph by paragraph (`policy` and `decode`); raw OCR twice, the second time
   with the error model adapted to the errors the first pass found (`recurring`);
4. hands the decoded document to the post-decoding `fixers`, in their stated order;
5. rebuilds every line exactly, replacing only the changed tokens: line count, spacing,
   punctuation, numbers and codes are kept.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from vnocr.models import lm as lmmod
from vnocr.restore import footnotes, policy, recurring
from vnocr.restore.candidates import CandidateGenerator, Choices, WordHint
from vnocr.restore.decode import Choice, Decoder, DecoderWeights
from vnocr.restore.fixers import Decoded, Fixers
from vnocr.restore.loader import load_models
from vnocr.restore.profile import DocumentProfile
from vnocr.results import Change, Correction, WordChoices
from vnocr.text import orthography
from vnocr.text.normalize import clean_unicode
from vnocr.text.tokens import (
    Kind,
    Token,
    tokenize,
    tokenize_raw_ocr,
)

# The engine's public names (`Change` and `Correction` live in `vnocr.results`).
__all__ = ["Change", "CorrectOptions", "Correction", "Corrector", "correct_text"]


@dataclass(frozen=True)
class CorrectOptions:
    """How to correct: tone style old|new|keep, an extra user language model, the engine on/off."""

    tone_style: str = "keep"
    lexicon: Path | None = None
    restore: bool = True


class Corrector:
    """Holds loaded models; `correct` is then cheap to call many times."""

    def __init__(self, options: CorrectOptions | None = None):
        self.options = options or CorrectOptions()
        self._decoder = None
        if self.options.restore:
            models = self._models = load_models(self.options.lexicon)
            self._decoder = Decoder(
                models.lm, CandidateGenerator(models.lm, models.channel), DecoderWeights()
            )
            self._fixers = Fixers(models)

    def correct(
        self,
        text: str,
        confidences: Sequence[float] | None = None,
        alternatives: Sequence[WordChoices] | None = None,
    ) -> Correction:
        """Correct `text`; line count, spacing, punctuation and numbers are kept.

        `confidences` (Tesseract word confidences, 0-100) and `alternatives` (per-character
        choices with probabilities) are optional, one per whitespace-separated word of `text`:
        confident words are protected, doubtful ones searched wider, and the alternatives
        become candidates.
        """
        with _cycle_collector_paused():
            return self._correct(text, confidences, alternatives)

    def _correct(
        self,
        text: str,
        confidences: Sequence[float] | None,
        alternatives: Sequence[WordChoices] | None,
    ) -> Correction:
        text = clean_unicode(text)
        if self._decoder is None:
            return Correction(self._restyle(text))
        lines = text.split("\n")
        tokenized = [tokenize(line) for line in lines]
        profile = DocumentProfile.of(text, policy.unknown_share(self._models.lm, tokenized))
        decoder = self._decoder.for_document(profile)
        if profile.noisy:
            tokenized = [
                tokenize_raw_ocr(line, tokens)
                for line, tokens in zip(lines, tokenized, strict=True)
            ]
        marks = footnotes.number_marks(lines)
        if marks:
            tokenized = _with_footnotes(lines, tokenized, marks, profile.noisy)
        hints = _word_hints(tokenized, confidences, alternatives)
        second_pass = profile.noisy and not profile.bare
        choices = _decode_document(decoder, lines, tokenized, hints, not second_pass)
        if second_pass:
            # Learn this document's own OCR errors from the first pass, then decode again.
            resolved = recurring.resolve(
                _occurrences(lines, tokenized, choices, decoder), decoder.generator
            )
            profile = profile.with_garbled_numbers(
                frozenset(word for word in resolved if word.isdigit())
            )
            decoder = decoder.adapted(_observed_and_chosen(choices, resolved), profile)
            choices = _decode_document(decoder, lines, tokenized, hints)
        decoded = Decoded(lines, tokenized, choices, profile, marks, self._output_style(text))
        edits = self._fixers.apply(decoded)
        changes = sorted(edits.changes, key=lambda c: (c.line, c.column))
        return Correction(self._restyle(_rebuild(lines, tokenized, edits.replacements)), changes)

    def _output_style(self, text: str) -> str:
        if self.options.tone_style in ("old", "new"):
            return self.options.tone_style
        return orthography.detect_style(text) or "old"

    def _restyle(self, result: str) -> str:
        """The result in the tone style asked for (as it is for "keep")."""
        if self.options.tone_style in ("old", "new"):
            return orthography.restyle_text(result, self.options.tone_style)
        return result


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector paused (if it runs): a correction makes many small objects,
    all freed by reference counting, that the collector would walk again and again. The few
    cycles made meanwhile (the adapted models) are collected once it runs again.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _decode_document(
    decoder: Decoder,
    lines: list[str],
    tokenized: list[list[Token]],
    hints: dict[tuple[int, int], WordHint],
    final: bool = True,
) -> list[tuple[int, Choice]]:
    """Decode paragraph by paragraph; (line index in the document, choice) for every word.

    `final`: False for a first pass, whose choices are only learned from (see `Decoder.decode`).
    """
    found: list[tuple[int, Choice]] = []
    by_line: dict[int, list[tuple[int, WordHint]]] = {}
    for (line, start), hint in hints.items():
        by_line.setdefault(line, []).append((start, hint))
    for first, last in _paragraphs(lines):
        paragraph_hints = {
            (line - first, start): hint
            for line in range(first, last)
            for start, hint in by_line.get(line, ())
        }
        for choice in decoder.decode(tokenized[first:last], paragraph_hints, final):
            found.append((first + choice.line, choice))
    return found


def _observed_and_chosen(
    choices: list[tuple[int, Choice]], resolved: dict[str, str]
) -> list[tuple[str, str]]:
    """(word as OCR read it, syllable the decoder chose) for the words read as one syllable.

    A recurring word that `recurring.resolve` read as a whole is paired with that reading.
    """
    pairs = []
    for _, choice in choices:
        syllable = resolved.get(choice.token.text.lower(), choice.candidate.syllable)
        if syllable.startswith("<") or " " in syllable:
            continue
        pairs.append((choice.token.text, syllable))
    return pairs


def _occurrences(
    lines: list[str],
    tokenized: list[list[Token]],
    choices: list[tuple[int, Choice]],
    decoder: Decoder,
) -> dict[str, list[recurring.Occurrence]]:
    """Each possible garble's occurrences (lower case) with the first pass's choices around them.

    Possible garbles are the unknown words, the known syllables that the first pass itself
    replaced at most of their occurrences (vy read for ủy), and lone numbers between words
    (6 read for ở).
    """
    chosen = {(line, choice.token.start): choice for line, choice in choices}
    found: dict[str, list[recurring.Occurrence]] = {}
    kept: Counter[str] = Counter()  # occurrences of known syllables left as written
    for first, last in _paragraphs(lines):
        # The paragraph as LM symbols, each with the choice it came from (None if fixed).
        sequence: list[tuple[str, Choice | None]] = []
        for line in range(first, last):
            for token in tokenized[line]:
                choice = chosen.get((line, token.start))
                if choice is not None:
                    sequence.append((choice.candidate.syllable, choice))
                elif token.kind is not Kind.SPACE:
                    symbol = lmmod.symbol_of(token.text, token.kind)
                    if symbol is not None:
                        sequence.append((symbol, None))
        for k, (syllable, choice) in enumerate(sequence):
            if choice is None or " " in syllable:
                continue
            word = choice.token.text.lower()
            if choice.candidate.keep and decoder.policy.is_known(word):
                kept[word] += 1
            before = sequence[k - 1][0].rsplit(" ", 1)[-1] if k else lmmod.BOS
            after = sequence[k + 1][0].split(" ", 1)[0] if k + 1 < len(sequence) else lmmod.EOS
            occurrence = recurring.Occurrence(
                lmmod.BOS if before == lmmod.EOS else before,
                syllable,
                after,
                # A kept lone number's bonus (the prior that it is a number) is not counted:
                # whether this document writes a word as that number is the question.
                max(choice.candidate.channel, 0.0),
            )
            found.setdefault(word, []).append(occurrence)
    return {word: seen for word, seen in found.items() if 2 * kept[word] < len(seen)}


def _with_footnotes(
    lines: list[str],
    tokenized: list[list[Token]],
    marks: dict[tuple[int, int], tuple[str, str]],
    noisy: bool,
) -> list[list[Token]]:
    """The tokens with each numbered footnote mark (see `footnotes`) as a token of its own."""
    by_line: dict[int, list[tuple[int, str]]] = {}
    for (line, start), (read, _) in marks.items():
        by_line.setdefault(line, []).append((start, read))
    return [
        footnotes.split_marks(lines[n], tokens, by_line.get(n, []), noisy)
        for n, tokens in enumerate(tokenized)
    ]


def _word_hints(
    lines: list[list[Token]],
    confidences: Sequence[float] | None,
    alternatives: Sequence[WordChoices] | None,
) -> dict[tuple[int, int], WordHint]:
    """Attach OCR confidences and alternatives (given per whitespace word) to WORD tokens.

    Keys are (line index, token start). A whitespace word split into several tokens gives its
    confidence to each; its alternatives only go to a token that is the whole word.
    """
    if confidences is None and alternatives is None:
        return {}
    hints: dict[tuple[int, int], WordHint] = {}
    index = -1
    for line_no, tokens in enumerate(lines):
        previous_space = True
        for token in tokens:
            if token.kind is Kind.SPACE:
                previous_space = True
                continue
            if previous_space:
                index += 1
                previous_space = False
            if token.kind is not Kind.WORD:
                continue
            conf = confidences[index] if confidences and index < len(confidences) else None
            choices: Choices = ()
            if alternatives and index < len(alternatives):
                word_choices = alternatives[index]
                if len(word_choices) == len(token.text):
                    choices = tuple(tuple(position) for position in word_choices)
            hints[(line_no, token.start)] = WordHint(conf, choices)
    return hints


def _rebuild(
    lines: list[str], tokenized: list[list[Token]], replacements: dict[tuple[int, int], str]
) -> str:
    """The text with the replaced tokens' new texts; untouched lines are kept as they were."""
    changed_lines = {n for n, _ in replacements}
    return "\n".join(
        "".join(replacements.get((n, t.start), t.text) for t in tokenized[n])
        if n in changed_lines
        else line
        for n, line in enumerate(lines)
    )


def _paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) line ranges of the non-blank runs of lines."""
    ranges, start = [], None
    for i, line in enumerate(lines):
        if line.strip():
            if start is None:
                start = i
        elif start is not None:
            ranges.append((start, i))
            start = None
    if start is not None:
        ranges.append((start, len(lines)))
    return ranges


def correct_text(text: str, options: CorrectOptions | None = None) -> Correction:
    """Correct one text with a fresh Corrector."""
    return Corrector(options).correct(text)
