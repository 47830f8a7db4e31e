"""A second look at printed lines Tesseract's page layout left unread.

On real scans, Tesseract's layout analysis drops lines that sit beside handwriting, under a
seal or next to a signature (it takes the whole region for a picture). `read_missed_lines`
finds ink outside every word Tesseract returned that is shaped like a printed text line
(glyph-sized pieces side by side, no large strokes), reads each such line alone (page
segmentation mode 7, one line), and keeps it only if it reads as text: confident enough and
mostly Vietnamese syllables, numbers or codes. Kept lines are put in reading order after the
nearest line above them that overlaps them horizontally.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
from PIL import Image

from vnocr.image import junk, ocr

#: A recovered line is kept when its mean confidence reaches this ...
MIN_CONFIDENCE = 60.0
#: ... and at least this share of its words are syllables, numbers or codes ...
MIN_TEXT_SHARE = 0.7
#: ... and it has at least this many words.
MIN_WORDS = 4
#: Candidate lines: at least this many glyph-sized pieces, this many glyph heights wide.
MIN_PIECES = 4
MIN_WIDTH = 4.0
#: Pieces taller than this many glyph heights (strokes, seal rings) are not part of a line.
MAX_PIECE_HEIGHT = 2.5
#: A component frames an area when its filled outline covers this share of its box.
FRAMED_SHARE = 0.6
#: At most this many candidate lines are read per page (bounds the extra time).
MAX_LINES = 12


def glyph_height(components: np.ndarray) -> float | None:
    """Median height of glyph-like components (rows of connectedComponentsWithStats)."""
    heights = components[:, cv2.CC_STAT_HEIGHT]
    widths = components[:, cv2.CC_STAT_WIDTH]
    glyphs = (heights >= 6) & (widths >= 2) & (widths <= 3 * heights)
    if glyphs.sum() < 50:
        return None
    return float(np.median(heights[glyphs]))


def _ink(gray: np.ndarray) -> np.ndarray:
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return binary


#: Pages taller than this are searched for candidate lines at half size (faster, same lines).
HALF_SIZE_FROM = 2000


Box = tuple[int, int, int, int]


def candidate_lines(gray: np.ndarray, words: list[ocr.Word]) -> tuple[list[Box], np.ndarray]:
    """Boxes (left, top, width, height) of text-like ink lines outside every word's box, and
    the mask (page size) of the ink they may be made of (glyphs, marks, dots; no strokes).

    Ink inside a frame (a seal ring, a received-stamp box) is not searched.
    """
    full_shape = gray.shape
    none: tuple[list[Box], np.ndarray] = ([], np.zeros((0, 0), dtype=bool))
    scale = 0.5 if gray.shape[0] > HALF_SIZE_FROM else 1.0
    if scale != 1.0:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = _ink(gray)
    if ink.mean() > 0.4 * 255:
        return none
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height = glyph_height(stats[1:])
    if height is None:
        return none
    pad = max(2, round(0.3 * height))
    covered = np.zeros(ink.shape, dtype=bool)
    for word in words:
        left, top, width, box_height = (round(v * scale) for v in word.box)
        covered[
            max(0, top - pad) : top + box_height + pad, max(0, left - pad) : left + width + pad
        ] = True
    heights, widths = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    for left, top, width, box_height in framed_areas(labels, stats, height):
        covered[top : top + box_height, left : left + width] = True
    glyphlike = (heights >= 0.4 * height) & (heights <= MAX_PIECE_HEIGHT * height)
    glyphlike &= widths <= 3 * height
    glyphlike[0] = False
    residual = glyphlike[labels] & ~covered
    if not residual.any():
        return none
    joined = cv2.dilate(
        residual.astype(np.uint8),
        cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, round(1.2 * height)), 1)),
    )
    n, _, boxes, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    lines: list[Box] = []
    for left, top, width, box_height, _ in boxes[1:]:
        if width < MIN_WIDTH * height or not 0.6 * height <= box_height <= 3 * height:
            continue
        pieces = labels[top : top + box_height, left : left + width][
            residual[top : top + box_height, left : left + width]
        ]
        if len(np.unique(pieces)) < MIN_PIECES:
            continue
        left, top, width, box_height = (
            round(int(v) / scale) for v in (left, top, width, box_height)
        )
        lines.append((left, top, width, box_height))
    lines.sort(key=lambda box: -box[2])
    small = (heights <= MAX_PIECE_HEIGHT * height) & (widths <= 3 * height)
    small[0] = False
    mask = cv2.resize(
        (small[labels] & ~covered).astype(np.uint8),
        (full_shape[1], full_shape[0]),
        interpolation=cv2.INTER_NEAREST,
    )
    return sorted(lines[:MAX_LINES], key=lambda box: (box[1], box[0])), mask > 0


def framed_areas(
    labels: np.ndarray, stats: np.ndarray, height: float
) -> list[tuple[int, int, int, int]]:
    """Boxes of ink components that frame an area: seal rings, received-stamp boxes.

    A component frames when it is tall (several glyph heights) and its filled outline
    covers most of its box; a signature or a handwritten stroke does not.
    """
    areas = []
    for index in np.flatnonzero(stats[:, cv2.CC_STAT_HEIGHT] > MAX_PIECE_HEIGHT * 1.5 * height):
        if index == 0:
            continue
        left, top, width, box_height = (int(v) for v in stats[index, :4])
        if width < MAX_PIECE_HEIGHT * height:
            continue
        mark = (labels[top : top + box_height, left : left + width] == index).astype(np.uint8)
        contours, _ = cv2.findContours(mark, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        filled = np.zeros_like(mark)
        cv2.drawContours(filled, contours, -1, 1, thickness=cv2.FILLED)
        if filled.sum() >= FRAMED_SHARE * width * box_height:
            areas.append((left, top, width, box_height))
    return areas


def _read_lines(
    gray: np.ndarray, mask: np.ndarray, boxes: list[Box], lang: str, dpi: int
) -> list[list[ocr.Word]]:
    """Tesseract's words of each line box, boxes in page coordinates.

    Only the line's own glyph-sized ink (`mask`) is kept in its crop, and the crops are
    stacked one under the other on a blank strip and read in one Tesseract run (psm 6, a
    block of lines), which costs far less than a run per line.
    """
    paper = int(np.median(gray[::4, ::4]))
    gray = np.where(mask, gray, paper).astype(np.uint8)
    gap = max(box[3] for box in boxes)
    pad = max(4, gap // 2)
    width = max(box[2] for box in boxes) + 2 * pad
    placed = []  # (strip top, strip bottom, page x0, page y0)
    crops, y = [], gap
    for left, top, box_width, height in boxes:
        y0, x0 = max(0, top - pad), max(0, left - pad)
        crop = gray[y0 : top + height + pad, x0 : left + box_width + pad]
        crops.append((y, crop))
        placed.append((y, y + crop.shape[0], x0, y0))
        y += crop.shape[0] + gap
    strip = np.full((y, width), paper, dtype=np.uint8)
    for top, crop in crops:
        strip[top : top + crop.shape[0], : crop.shape[1]] = crop
    image = Image.fromarray(strip)
    image.info["dpi"] = (dpi, dpi)
    lines: list[list[ocr.Word]] = [[] for _ in boxes]
    for word in ocr.ocr_image(image, lang, 6, dpi).words:
        middle = word.box[1] + word.box[3] / 2
        for index, (top, bottom, x0, y0) in enumerate(placed):
            if top <= middle < bottom:
                box = (word.box[0] + x0, word.box[1] - top + y0, word.box[2], word.box[3])
                lines[index].append(dataclasses.replace(word, box=box))
                break
    return lines


#: Words of a recovered line below this confidence are the edges of marks beside it.
MIN_WORD_CONFIDENCE = 50.0


def confident_run(words: list[ocr.Word]) -> list[ocr.Word]:
    """The longest run of consecutive words at or above MIN_WORD_CONFIDENCE."""
    best: list[ocr.Word] = []
    run: list[ocr.Word] = []
    for word in words:
        run = [*run, word] if word.conf >= MIN_WORD_CONFIDENCE else []
        if len(run) > len(best):
            best = run
    return best


def _reads_as_text(words: list[ocr.Word]) -> bool:
    words = [word for word in words if not junk.is_rule_noise(word.text)]
    if len(words) < MIN_WORDS:
        return False
    confidence = sum(max(word.conf, 0.0) for word in words) / len(words)
    share = sum(junk.is_text_word(word.text) for word in words) / len(words)
    return confidence >= MIN_CONFIDENCE and share >= MIN_TEXT_SHARE


def _insert_at(words: list[ocr.Word], box: tuple[int, int, int, int]) -> int:
    """Index after the last word of the nearest line above `box` that overlaps it across."""
    left, top, width, _ = box
    best, best_bottom = 0, -1
    for index, word in enumerate(words):
        w_left, w_top, w_width, w_height = word.box
        bottom = w_top + w_height
        overlaps = w_left < left + width and left < w_left + w_width
        if bottom <= top + 0.5 * box[3] and bottom >= best_bottom and overlaps:
            best_bottom = bottom
            key = (word.block, word.par, word.line)
            best = index + 1
            while (
                best < len(words)
                and (
                    words[best].block,
                    words[best].par,
                    words[best].line,
                )
                == key
            ):
                best += 1
    return best


def read_missed_lines(image: Image.Image, page: ocr.PageOCR, lang: str, dpi: int) -> ocr.PageOCR:
    """The page with the printed lines its first reading missed (see module doc).

    `dpi` is used when the image carries no resolution, as in `ocr.ocr_image`.
    """
    if not isinstance(image, Image.Image) or not page.words:
        return page
    dpi = ocr.image_dpi(image, dpi)
    gray = np.asarray(image.convert("L"))
    boxes, mask = candidate_lines(gray, page.words)
    if not boxes:
        return page
    words = list(page.words)
    next_block = max((word.block for word in words), default=0) + 1
    added = False
    for box, found in zip(boxes, _read_lines(gray, mask, boxes, lang, dpi), strict=True):
        found = confident_run(found)
        if not _reads_as_text(found):
            continue
        found = [dataclasses.replace(word, block=next_block, par=1, line=1) for word in found]
        next_block += 1
        at = _insert_at(words, box)
        words[at:at] = found
        added = True
    if not added:
        return page
    return ocr.PageOCR(
        words=words, text=ocr.rebuild_text(words), confidence=ocr.mean_confidence(words)
    )
