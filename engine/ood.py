"""Does a drawing look like one digit? A score in [0, 1] from the network's logits and the ink's shape.

The network's evidence is its largest logit (high on digits like those it was trained on; low on
shapes it has no class for). The ink's evidence is its layout: how many separate groups of ink lie
side by side, how long the drawing is in pen widths (a dot is about one), how wide it is for its
height (a dash), and how many enclosed holes it has (a scribble or a star has many; an 8 has two).
Each piece of evidence is a factor in [0, 1]; `digit_score` is their product.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from engine.preprocess import INK_THRESHOLD, ink_map, resize

ANALYSIS_SIDE = 48  # the ink's longer side is resampled to this many pixels for the shape analysis
DIGIT_THRESHOLD = 0.5  # is_digit: score >= this; flags 2 % of the tuning seed's drawn digits
MAX_LOGIT_MID = 5.35  # the network factor is 1/2 at this largest logit ...
MAX_LOGIT_SCALE = 0.5  # ... and changes by a factor e per this many logits


@dataclass(frozen=True)
class InkShape:
    """What the ink looks like: groups side by side, length in pen widths, aspect, holes."""

    columns_groups: int  # runs of ink columns separated by empty columns (digits side by side)
    extent_in_widths: float  # the ink box's longer side / the pen width
    aspect: float  # ink box width / height
    holes: int  # enclosed background regions at least a pen-width square in area
    components: int  # 8-connected pieces of ink holding at least 5 % of it

    def as_dict(self) -> dict[str, float]:
        """The fields by name."""
        return asdict(self)


def _pieces(mask: np.ndarray, diagonal: bool) -> np.ndarray:
    """(H, W) bool -> (n,) pixel counts of its connected pieces (4-connected, or 8 with
    diagonals), in the order of each piece's first pixel (row-major): a piece holding the mask's
    first on pixel comes first. Works on runs of on pixels along the rows, not on pixels: two runs
    on neighbouring rows join when they overlap (or touch at a corner, with diagonals)."""
    h, w = mask.shape
    framed = np.zeros((h, w + 2), dtype=bool)
    framed[:, 1:-1] = mask
    # Flat indices of the changes along each row of the (h, w + 1) differences: a run's start and
    # end (exclusive) alternate. Flat index = row * span + column, so they sort row-major.
    change = np.flatnonzero(framed[:, 1:] != framed[:, :-1])
    starts, ends = change[0::2], change[1::2]
    n = len(starts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    reach = 1 if diagonal else 0
    span = w + 1  # the same column one row down is span further on
    first = np.searchsorted(ends, starts + span - reach, side="right")
    last = np.searchsorted(starts, ends + span + reach, side="left")
    counts = np.maximum(last - first, 0)  # runs of the next row that touch each run
    a = np.repeat(np.arange(n), counts)
    b = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts - first, counts)
    root = np.arange(n)
    while True:  # hook the larger root of every edge under the smaller, then flatten the trees
        ra, rb = root[a], root[b]
        apart = ra != rb
        if not apart.any():
            break
        np.minimum.at(root, np.maximum(ra, rb)[apart], np.minimum(ra, rb)[apart])
        while not np.array_equal(jumped := root[root], root):
            root = jumped
    sizes = np.bincount(root, weights=ends - starts, minlength=n)
    return sizes[root == np.arange(n)].astype(np.int64)  # a root is its piece's first run


def _runs(present: np.ndarray, weights: np.ndarray, min_share: float) -> int:
    """Number of runs of True in a 1-D mask whose weight is at least min_share of the total."""
    framed = np.concatenate([[False], present, [False]])
    change = np.flatnonzero(framed[1:] != framed[:-1])
    cumulative = np.concatenate([[0.0], np.cumsum(weights)])
    run_weights = cumulative[change[1::2]] - cumulative[change[0::2]]
    return int((run_weights >= min_share * max(weights.sum(), 1e-9)).sum())


def ink_shape(image: np.ndarray) -> InkShape:
    """Any drawing (as for preprocess) -> its InkShape; ValueError when there is no ink."""
    ink = ink_map(image)
    rows, cols = np.nonzero(ink > INK_THRESHOLD)
    if len(rows) == 0:
        raise ValueError("the drawing has no ink to describe")
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    h, w = crop.shape
    scale = ANALYSIS_SIDE / max(h, w)
    small = resize(crop, max(1, round(h * scale)), max(1, round(w * scale)))
    mask = np.zeros((small.shape[0] + 2, small.shape[1] + 2), dtype=bool)  # an empty border
    mask[1:-1, 1:-1] = small > 0.5
    area = float(mask.sum())
    edges = np.count_nonzero(np.diff(mask, axis=0)) + np.count_nonzero(np.diff(mask, axis=1))
    pen = max(
        2.0 * area / max(edges, 1), 1.0
    )  # a long stroke of width p has area ~ p * perimeter / 2
    components = int((_pieces(mask, diagonal=True) >= 0.05 * area).sum())
    enclosed = _pieces(~mask, diagonal=False)[1:]  # the first holds the empty border: outside
    holes = int((enclosed >= pen * pen).sum())
    col_ink = mask.sum(axis=0).astype(np.float64)
    return InkShape(
        columns_groups=_runs(col_ink > 0, col_ink, 0.1),
        extent_in_widths=float(max(h, w) * scale / pen),
        aspect=float(w / h),
        holes=holes,
        components=components,
    )


def _sigmoid(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


@dataclass(frozen=True)
class DigitTest:
    """The model-specific part of the test, fitted with the model on the tuning drawings and
    stored in its metadata ("digit_test"): where the network factor is 1/2, how fast it changes,
    and the digit_score below which a drawing is no digit."""

    max_logit_mid: float = MAX_LOGIT_MID
    max_logit_scale: float = MAX_LOGIT_SCALE
    threshold: float = DIGIT_THRESHOLD

    @classmethod
    def from_metadata(cls, metadata: dict) -> DigitTest:
        """The metadata's "digit_test" entry, or the defaults when it has none."""
        return cls(**(metadata.get("digit_test") or {}))

    def as_dict(self) -> dict[str, float]:
        """The fields by name (what the metadata stores)."""
        return asdict(self)


def network_factor(logits: np.ndarray, test: DigitTest | None = None) -> float:
    """(K,) logits -> in (0, 1): how much the network recognises a digit (its largest logit)."""
    t = test or DigitTest()
    return _sigmoid((float(np.max(logits)) - t.max_logit_mid) / t.max_logit_scale)


def shape_factor(shape: InkShape) -> float:
    """InkShape -> [0, 1]: 1 for one digit-like glyph, towards 0 for dots, dashes, rows, scribbles."""
    groups = 1.0 if shape.columns_groups <= 1 else 0.05
    pieces = 1.0 if shape.components <= 1 else 0.3 if shape.components == 2 else 0.05
    long_enough = _sigmoid((shape.extent_in_widths - 3.6) / 0.2)  # a dot is about 2.5
    narrow_enough = _sigmoid((1.35 - shape.aspect) / 0.05)  # drawn digits stay below ~1.25
    few_holes = 1.0 if shape.holes <= 2 else 0.05
    return float(groups * pieces * long_enough * narrow_enough * few_holes)


def digit_score(logits: np.ndarray, shape: InkShape, test: DigitTest | None = None) -> float:
    """(K,) logits and the drawing's InkShape -> [0, 1]: how much it looks like one digit."""
    return network_factor(logits, test) * shape_factor(shape)


def assess(logits: np.ndarray, network_input: np.ndarray, test: DigitTest | None = None) -> float:
    """(K,) logits and the (H, W) input the network saw -> digit_score (0 when it has no ink).

    Without a test fitted to the network (`test` None: a model trained on /train, whose logits
    have their own scale) only the ink's shape speaks."""
    try:
        shape = ink_shape(network_input)
    except ValueError:
        return 0.0
    if test is None:
        return shape_factor(shape)
    return digit_score(logits, shape, test)


def is_digit(score: float, threshold: float = DIGIT_THRESHOLD) -> bool:
    """The yes/no reading of a digit_score."""
    return score >= threshold
