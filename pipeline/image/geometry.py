"""Page geometry: boxes, and the way back from the prepared image to the page as loaded.

Preprocessing may turn a page by a right angle, deskew it and enlarge it. Tesseract's boxes are
in the prepared image; archival outputs need them on the page as loaded (the image a PDF shows).
`Transform` is the affine map page -> prepared image, composed step by step; `to_page` maps a
box back (the bounding box of its four corners, clipped to the page).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from vnocr.results import Box


def union(boxes: Iterable[Box]) -> Box | None:
    """The smallest box holding all `boxes` (None for none)."""
    boxes = [box for box in boxes if box[2] > 0 or box[3] > 0]
    if not boxes:
        return None
    left = min(box[0] for box in boxes)
    top = min(box[1] for box in boxes)
    right = max(box[0] + box[2] for box in boxes)
    bottom = max(box[1] + box[3] for box in boxes)
    return (left, top, right - left, bottom - top)


def overlap(a: Box, b: Box) -> int:
    """Area (pixels) that boxes `a` and `b` share."""
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0, width) * max(0, height)


@dataclass(frozen=True)
class Transform:
    """Affine map from the loaded page (`size` = width, height) to the prepared image."""

    size: tuple[int, int]
    matrix: tuple[tuple[float, ...], ...] = ((1, 0, 0), (0, 1, 0), (0, 0, 1))

    @property
    def is_identity(self) -> bool:
        """True when the prepared image has the page's own coordinates."""
        return np.allclose(np.array(self.matrix), np.eye(3))

    def then(self, step: np.ndarray) -> Transform:
        """This transform followed by `step` (a 2x3 or 3x3 affine matrix)."""
        full = np.eye(3)
        full[: step.shape[0], :] = step
        combined = full @ np.array(self.matrix)
        return Transform(self.size, tuple(tuple(float(v) for v in row) for row in combined))

    def to_page(self, box: Box) -> Box:
        """`box` on the prepared image, mapped back onto the page (clipped to it)."""
        if self.is_identity:
            return box
        inverse = np.linalg.inv(np.array(self.matrix))
        left, top, width, height = box
        corners = np.array(
            [
                [left, left + width, left, left + width],
                [top, top, top + height, top + height],
                [1, 1, 1, 1],
            ],
            dtype=np.float64,
        )
        xs, ys, _ = inverse @ corners
        page_w, page_h = self.size
        x0 = min(max(0, math.floor(xs.min())), page_w)
        y0 = min(max(0, math.floor(ys.min())), page_h)
        x1 = min(max(0, math.ceil(xs.max())), page_w)
        y1 = min(max(0, math.ceil(ys.max())), page_h)
        return (x0, y0, x1 - x0, y1 - y0)


def right_angle(turns_clockwise: int, width: int, height: int) -> np.ndarray:
    """The matrix of turning a `width` x `height` image clockwise by `turns_clockwise` x 90°."""
    turns = turns_clockwise % 4
    if turns == 1:  # (x, y) -> (height - y, x)
        return np.array([[0, -1, height], [1, 0, 0]], dtype=np.float64)
    if turns == 2:
        return np.array([[-1, 0, width], [0, -1, height]], dtype=np.float64)
    if turns == 3:  # (x, y) -> (y, width - x)
        return np.array([[0, 1, 0], [-1, 0, width]], dtype=np.float64)
    return np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float64)


def scaling(factor_x: float, factor_y: float) -> np.ndarray:
    """The matrix of resizing by (factor_x, factor_y)."""
    return np.array([[factor_x, 0, 0], [0, factor_y, 0]], dtype=np.float64)
