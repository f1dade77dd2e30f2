"""engine/ood: ink shape evidence and the digit score."""

from __future__ import annotations

import numpy as np
import pytest

from engine.ood import (
    DigitTest,
    InkShape,
    _pieces,
    assess,
    digit_score,
    ink_shape,
    is_digit,
    network_factor,
    shape_factor,
)
from engine.strokes import render
from engine.strokes.geometry import arc, line


def flood_sizes(mask: np.ndarray, diagonal: bool) -> list[int]:
    """Naive reference: the pixel counts of the pieces, by depth-first flood fill from each
    piece's first pixel (row-major)."""
    seen = np.zeros_like(mask, dtype=bool)
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    if diagonal:
        steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    sizes = []
    for start in zip(*np.nonzero(mask), strict=True):
        if seen[start]:
            continue
        sizes.append(0)
        stack = [start]
        seen[start] = True
        while stack:
            r, c = stack.pop()
            sizes[-1] += 1
            for dr, dc in steps:
                rr, cc = r + dr, c + dc
                inside = 0 <= rr < mask.shape[0] and 0 <= cc < mask.shape[1]
                if inside and mask[rr, cc] and not seen[rr, cc]:
                    seen[rr, cc] = True
                    stack.append((rr, cc))
    return sizes


@pytest.mark.parametrize("diagonal", [False, True])
def test_pieces_are_those_of_a_flood_fill(rng, diagonal):
    for density in (0.05, 0.2, 0.45, 0.6, 0.9):
        for shape in ((23, 31), (1, 9), (9, 1), (48, 48)):
            mask = rng.random(shape) < density
            assert _pieces(mask, diagonal).tolist() == flood_sizes(mask, diagonal)


def test_corner_contact_joins_only_with_diagonals():
    mask = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], dtype=bool)
    assert _pieces(mask, diagonal=True).tolist() == [5]
    assert _pieces(mask, diagonal=False).tolist() == [1, 1, 1, 2]


def test_a_full_mask_is_one_piece_and_an_empty_one_has_none():
    assert _pieces(np.ones((4, 5), dtype=bool), diagonal=False).tolist() == [20]
    assert _pieces(np.zeros((4, 5), dtype=bool), diagonal=True).tolist() == []


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
