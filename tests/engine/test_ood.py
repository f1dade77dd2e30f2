"""engine/ood: ink shape evidence and the digit score."""

from __future__ import annotations

import numpy as np
import pytest

from engine.ood import (
    DigitTest,
    InkShape,
    _label,
    assess,
    digit_score,
    ink_shape,
    is_digit,
    network_factor,
    shape_factor,
)
from engine.strokes import render
from engine.strokes.geometry import arc, line


def flood_count(mask: np.ndarray, diagonal: bool) -> int:
    """Naive reference: count components by depth-first flood fill."""
    seen = np.zeros_like(mask, dtype=bool)
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    if diagonal:
        steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    count = 0
    for start in zip(*np.nonzero(mask), strict=True):
        if seen[start]:
            continue
        count += 1
        stack = [start]
        seen[start] = True
        while stack:
            r, c = stack.pop()
            for dr, dc in steps:
                rr, cc = r + dr, c + dc
                inside = 0 <= rr < mask.shape[0] and 0 <= cc < mask.shape[1]
                if inside and mask[rr, cc] and not seen[rr, cc]:
                    seen[rr, cc] = True
                    stack.append((rr, cc))
    return count


@pytest.mark.parametrize("diagonal", [False, True])
def test_labelling_counts_like_a_flood_fill(rng, diagonal):
    for density in (0.2, 0.45, 0.6):
        mask = rng.random((23, 31)) < density
        labels, n = _label(mask, diagonal)
        assert n == flood_count(mask, diagonal)
        assert set(np.unique(labels[mask])) == set(range(1, n + 1))
        assert (labels[~mask] == 0).all()


def test_a_full_mask_is_one_component():
    labels, n = _label(np.ones((4, 5), dtype=bool), diagonal=False)
    assert n == 1 and (labels == 1).all()


def test_shapes_of_simple_drawings():
    eight = ink_shape(
        render([arc(0.5, 0.32, 0.13, 0.14, 0, 360, 40), arc(0.5, 0.62, 0.16, 0.16, 0, 360, 40)])
    )
    assert eight.holes == 2 and eight.components == 1 and eight.columns_groups == 1
    dot = ink_shape(render([np.array([[0.5, 0.5]])]))
    assert (
        dot.extent_in_widths < 3
    )  # a disc: its diameter is about two "pen widths" (2 area / perimeter)
    dash = ink_shape(render([line(0.3, 0.5, 0.7, 0.5)]))
    assert dash.aspect > 2.5 and dash.holes == 0
    pair = ink_shape(render([line(0.2, 0.3, 0.2, 0.7), line(0.6, 0.3, 0.6, 0.7)]))
    assert pair.columns_groups == 2 and pair.components == 2
    one = ink_shape(render([line(0.5, 0.2, 0.5, 0.8)]))
    assert one.extent_in_widths > 6 and one.aspect < 0.3
    with pytest.raises(ValueError, match="no ink"):
        ink_shape(np.full((40, 40), 255, dtype=np.uint8))


def test_shape_factor_prefers_one_glyph():
    glyph = InkShape(columns_groups=1, extent_in_widths=8, aspect=0.7, holes=1, components=1)
    assert shape_factor(glyph) > 0.9
    for other in (
        InkShape(1, 1.2, 1.0, 0, 1),  # a dot
        InkShape(1, 8, 4.0, 0, 1),  # a dash
        InkShape(2, 10, 1.8, 1, 2),  # two digits side by side
        InkShape(1, 8, 1.0, 6, 1),  # a star
    ):
        assert shape_factor(other) < 0.1


def test_digit_score_and_threshold():
    sure = np.array([0, 0, 20.0, 0, 0, 0, 0, 0, 0, 0])
    unsure = np.zeros(10)
    glyph = InkShape(1, 8, 0.7, 0, 1)
    assert network_factor(sure) > 0.99 and network_factor(unsure) < 0.05
    assert 0.0 <= digit_score(unsure, glyph) < digit_score(sure, glyph) <= 1.0
    assert is_digit(digit_score(sure, glyph))
    assert not is_digit(digit_score(unsure, glyph))


def test_without_a_fitted_test_only_the_ink_shape_speaks():
    """A model trained on /train has no digit test fitted to its logits: its scale is unknown."""
    image = np.zeros((28, 28), dtype=np.float32)
    image[4:24, 13:16] = 1.0  # a "1"
    quiet = np.zeros(10)  # logits that the bundled model's test would call no digit
    assert assess(quiet, image, None) == pytest.approx(shape_factor(ink_shape(image)))
    assert is_digit(assess(quiet, image, None))
    assert not is_digit(assess(quiet, image, DigitTest()))
    assert assess(quiet, np.zeros((28, 28), dtype=np.float32), None) == 0.0
