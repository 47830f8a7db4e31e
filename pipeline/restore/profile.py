"""What kind of text a document is, read once before it is decoded: the modes every stage obeys.

- `bare`: written without any marks (typed without accents): an unmarked word is no evidence
  that it has no marks, and the error model compares skeletons;
- `noisy`: raw OCR made without a Vietnamese model (many words are no syllable): noise glued to
  letters belongs to the word, lone numbers may be misread words, foreign words and units are
  not protected, the text is decoded twice and its abbreviations are restored;
- `unknown_share`: how many words are no known syllable; the cleaner the text, the dearer a
  change (see `DecoderWeights.for_document`);
- `garbled_numbers`: the lone numbers this document writes for a word (6 for ở), learned from
  the first pass of a noisy document.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# Below this share of words with marks, a text is taken as written without marks (see mark_rate).
BARE_TEXT_MARK_RATE = 0.08
# Documents with more unknown words than this are raw OCR made without a Vietnamese model.
NOISY_SHARE = 0.2


@dataclass(frozen=True)
class DocumentProfile:
    """The modes of one document (the defaults: clean text with marks)."""

    bare: bool = False
    unknown_share: float = 0.0
    garbled_numbers: frozenset[str] = frozenset()

    @property
    def noisy(self) -> bool:
        """Raw OCR made without a Vietnamese model (see NOISY_SHARE)."""
        return self.unknown_share > NOISY_SHARE

    @classmethod
    def of(cls, text: str, unknown_share: float) -> DocumentProfile:
        """The profile of `text`, where `unknown_share` of the words are no known syllable."""
        return cls(bare=mark_rate(text.split()) < BARE_TEXT_MARK_RATE, unknown_share=unknown_share)

    def with_garbled_numbers(self, numbers: frozenset[str]) -> DocumentProfile:
        """The profile once the first pass has found the numbers this document writes for words."""
        return replace(self, garbled_numbers=numbers)


CLEAN_TEXT = DocumentProfile()  # text with its marks, as a Vietnamese OCR model reads a good scan


def mark_rate(words: list[str]) -> float:
    """Share of words with a letter outside ASCII: about 0.7 in Vietnamese, near 0 in bare text."""
    lettered = [w for w in words if any(ch.isalpha() for ch in w)]
    if not lettered:
        return 1.0
    return sum(any(ord(ch) > 127 for ch in w) for w in lettered) / len(lettered)
