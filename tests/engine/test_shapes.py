"""Output-size and padding arithmetic, and that every layer agrees with it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.layers import AvgPool2D, Conv2D, MaxPool2D
from engine.shapes import (
    MAX_WINDOW_NUMBER,
    POOL_WINDOW,
    as_pair,
    formula,
    formula_hw,
    output_hw,
    output_size,
    resolve_padding,
    window_bounds,
    window_geometry,
)


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "expected"),
    [
        (28, 3, 1, 1, 28),
        (28, 2, 2, 0, 14),
        (7, 3, 2, 0, 3),
        (5, 2, 2, 0, 2),
        (5, 3, 2, 1, 3),
        (4, 4, 1, 0, 1),
        (1, 3, 1, 1, 1),
        (10, 3, 3, 0, 3),
        (6, 5, 4, 2, 2),
    ],
)
def test_output_size_matches_the_formula(size, kernel, stride, padding, expected):
    assert output_size(size, kernel, stride, padding) == expected


def test_formula_writes_the_arithmetic_out():
    assert formula(5, 3, 2, 1) == "floor((5 - 3 + 2*1) / 2) + 1 = 3"
    assert formula(2, 5, 1, 0).startswith("floor((2 - 5 + 2*0) / 1) + 1: impossible")


def test_output_hw_treats_each_axis_on_its_own():
    assert output_hw((28, 20), (3, 2), (2, 1), (1, 0)) == (14, 19)
    assert output_hw((7, 7), (3, 3), (2, 2)) == (3, 3)


@pytest.mark.parametrize(
    ("padding", "kernel", "expected"),
    [
        ("same", (3, 3), (1, 1)),
        ("same", (5, 3), (2, 1)),
        ("same", (1, 7), (0, 3)),
        ("valid", (3, 3), (0, 0)),
        ("valid", (4, 2), (0, 0)),
        (2, (3, 3), (2, 2)),
        (0, (2, 2), (0, 0)),
        ((2, 1), (3, 3), (2, 1)),
        ([0, 3], (3, 3), (0, 3)),
    ],
)
def test_resolve_padding(padding, kernel, expected):
    assert resolve_padding(padding, kernel) == expected


@pytest.mark.parametrize("kernel", [(2, 2), (4, 3), (3, 2)])
def test_same_padding_rejects_even_kernels(kernel):
    with pytest.raises(ValueError, match="odd kernel"):
        resolve_padding("same", kernel)


@pytest.mark.parametrize(
    ("padding", "message"),
    [("full", "'same', 'valid'"), (-1, "negative"), ((1, -2), "negative"), (True, "bool")],
)
def test_resolve_padding_rejects_nonsense(padding, message):
    with pytest.raises(ValueError, match=message):
        resolve_padding(padding, (3, 3))


def test_as_pair_rejects_wrong_lengths():
    with pytest.raises(ValueError, match="pair"):
        as_pair((1, 2, 3), "stride")
    assert as_pair(3, "size") == (3, 3)


def test_kernel_larger_than_padded_input_is_a_clear_error():
    with pytest.raises(ValueError, match="does not fit"):
        output_size(4, 5, 1, 0)
    with pytest.raises(ValueError, match="does not fit"):
        output_size(2, 5, 1, 1)
    assert output_size(3, 5, 1, 1) == 1  # 3 + 2 = 5 just fits


@pytest.mark.parametrize("stride", [0, -1])
def test_stride_below_one_is_a_clear_error(stride):
    with pytest.raises(ValueError, match="stride"):
        output_size(10, 3, stride, 0)


def test_negative_padding_is_a_clear_error():
    with pytest.raises(ValueError, match="negative"):
        output_size(10, 3, 1, -1)
    with pytest.raises(ValueError, match="negative"):
        Conv2D(1, 1, 3, padding=-1)


def test_layers_reject_zero_sizes_and_strides():
    with pytest.raises(ValueError, match="at least 1"):
        Conv2D(1, 1, 3, stride=0)
    with pytest.raises(ValueError, match="at least 1"):
        Conv2D(1, 1, (0, 3))
    with pytest.raises(ValueError, match="at least 1"):
        MaxPool2D(2, stride=0)
    with pytest.raises(ValueError, match="odd kernel"):
        Conv2D(1, 1, (3, 2), padding="same")


def test_window_bounds_in_padded_and_unpadded_coordinates():
    bounds = window_bounds(0, 2, (3, 2), (2, 3), (1, 2))
    assert bounds == {
        "padded_row": 0,
        "padded_col": 6,
        "row": -1,
        "col": 4,
        "height": 3,
        "width": 2,
    }


def expected_size(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size - kernel + 2 * padding) // stride + 1


@st.composite
def conv_geometry(draw):
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * ph), 12))
    w = draw(st.integers(max(1, kw - 2 * pw), 12))
    c = draw(st.integers(1, 3))
    f = draw(st.integers(1, 3))
    return c, f, h, w, (kh, kw), (sh, sw), (ph, pw)


@settings(max_examples=60, deadline=None)
@given(conv_geometry())
def test_conv_output_shape_property(geometry):
    c, f, h, w, kernel, stride, padding = geometry
    layer = Conv2D(c, f, kernel, stride=stride, padding=padding)
    x = np.zeros((2, c, h, w), dtype=np.float32)
    y, _ = layer.forward(x)
    ho = expected_size(h, kernel[0], stride[0], padding[0])
    wo = expected_size(w, kernel[1], stride[1], padding[1])
    assert y.shape == (2, f, ho, wo)
    assert layer.output_shape((c, h, w)) == (f, ho, wo)


@st.composite
def pool_geometry(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = draw(st.integers(kh, 13)), draw(st.integers(kw, 13))
    return draw(st.integers(1, 3)), h, w, (kh, kw), (sh, sw)


@settings(max_examples=60, deadline=None)
@given(pool_geometry(), st.sampled_from([MaxPool2D, AvgPool2D]))
def test_pool_output_shape_property(geometry, cls):
    c, h, w, size, stride = geometry
    layer = cls(size, stride)
    x = np.zeros((2, c, h, w), dtype=np.float32)
    y, _ = layer.forward(x)
    ho = expected_size(h, size[0], stride[0], 0)
    wo = expected_size(w, size[1], stride[1], 0)
    assert y.shape == (2, c, ho, wo)
    assert layer.output_shape((c, h, w)) == (c, ho, wo)


def test_pool_larger_than_input_is_a_clear_error():
    with pytest.raises(ValueError, match="does not fit"):
        MaxPool2D(3).output_shape((1, 2, 5))
    with pytest.raises(ValueError, match="does not fit"):
        AvgPool2D(3).forward(np.zeros((1, 1, 2, 5), dtype=np.float32))


def test_formula_hw_writes_one_line_for_square_geometry_and_both_axes_otherwise():
    """Square: the single formula. Otherwise rows and columns each get their own line."""
    assert formula_hw((5, 5), (3, 3), (1, 1), (0, 0)) == "floor((5 - 3 + 2*0) / 1) + 1 = 3"
    text = formula_hw((5, 7), (3, 2), (2, 1), (1, 0))
    assert text == (
        "rows: floor((5 - 3 + 2*1) / 2) + 1 = 3; cols: floor((7 - 2 + 2*0) / 1) + 1 = 6"
    )
    assert "impossible" in formula_hw((2, 2), (3, 3), (1, 1), (0, 0))


def test_window_geometry_validates_once_for_conv_and_pool():
    conv = window_geometry((3, 2), (2, 1), (1, 0))
    assert conv.output_hw((28, 20)) == output_hw((28, 20), (3, 2), (2, 1), (1, 0))
    assert conv.formula((28, 20)) == formula_hw((28, 20), (3, 2), (2, 1), (1, 0))
    assert conv.bounds(1, 2) == window_bounds(1, 2, (3, 2), (2, 1), (1, 0))
    assert window_geometry(3, 1, "same").padding == (1, 1)
    pool = window_geometry(2, None, 0, POOL_WINDOW)
    assert (pool.kernel, pool.stride, pool.padding) == ((2, 2), (2, 2), (0, 0))
    with pytest.raises(ValueError, match="pool window of 5"):
        window_geometry(5, None, 0, POOL_WINDOW).output_hw((4, 4))
    with pytest.raises(ValueError, match="^stride must be at least 1"):
        window_geometry(3, (1, 0))
    with pytest.raises(ValueError, match="pool size and stride must be at least 1"):
        window_geometry(0, 1, 0, POOL_WINDOW)


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (((3, 3), 2**62), "stride"),
        ((2, (1, 2**70), 0, POOL_WINDOW), "stride"),
        ((3, 1, 2**62), "padding"),
        ((2**62, None, 0, POOL_WINDOW), "size"),
        ((MAX_WINDOW_NUMBER + 1,), "kernel_size"),
    ],
)
def test_window_geometry_bounds_every_number(args, what):
    """Huge strides, paddings or sizes are a ValueError, never an overflow further on."""
    with pytest.raises(ValueError, match=f"^{what} must be at most {MAX_WINDOW_NUMBER}"):
        window_geometry(*args)
    assert window_geometry(MAX_WINDOW_NUMBER, MAX_WINDOW_NUMBER).stride == (65536, 65536)
