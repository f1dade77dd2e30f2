"""The training fast paths against naive references: stacked im2col, 2x2 max-pool, shards."""

from __future__ import annotations

import numpy as np
import pytest

import engine.im2col
from engine.im2col import im2col, im2col_adjoint
from engine.layers import Conv2D, MaxPool2D


def naive_maxpool_backward(x, dy, size, stride):
    """Each window's gradient to its first maximum in row-major order."""
    dx = np.zeros_like(x)
    n, c, ho, wo = dy.shape
    (kh, kw), (sh, sw) = size, stride
    for b in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    win = x[b, ch, i * sh : i * sh + kh, j * sw : j * sw + kw]
                    a, q = np.unravel_index(np.argmax(win), win.shape)
                    dx[b, ch, i * sh + a, j * sw + q] += dy[b, ch, i, j]
    return dx


@pytest.mark.parametrize(
    ("shape", "size", "stride", "dtype"),
    [
        ((3, 4, 6, 8), 2, 2, np.float32),  # the tiling 2x2 fast path
        ((2, 3, 28, 28), 2, 2, np.float32),
        ((2, 3, 5, 7), 2, 2, np.float32),  # odd sizes: the last row and column are never read
        ((2, 3, 6, 6), 2, 1, np.float32),  # overlapping windows
        ((2, 3, 7, 7), 3, 2, np.float32),
        ((2, 3, 6, 6), 2, 2, np.float64),
    ],
)
def test_maxpool_backward_matches_naive_loops(rng, shape, size, stride, dtype):
    layer = MaxPool2D(size, stride)
    x = np.maximum(rng.standard_normal(shape), 0).astype(dtype)  # ReLU'd: many tied zeros
    x[:, :, 1, 1] = x[:, :, 0, 0]  # ties between non-zero values too
    y, cache = layer.forward(x)
    dy = rng.standard_normal(y.shape).astype(dtype)
    dx, grads = layer.backward(dy, cache)
    assert grads == {} and dx.dtype == dtype
    expected = naive_maxpool_backward(x, dy, layer.size, layer.stride)
    if layer.stride >= layer.size:  # one gradient per input pixel at most: exact
        np.testing.assert_array_equal(dx, expected)
    else:  # overlapping windows add gradients, in another order than the loop
        np.testing.assert_allclose(dx, expected, rtol=1e-5, atol=1e-6)


def test_maxpool_2x2_sends_tied_windows_to_the_first_of_four():
    x = np.zeros((1, 1, 2, 8), dtype=np.float32)
    x[0, 0, :, 2:4] = [[0.0, 1.0], [1.0, 1.0]]  # first max at (0, 1)
    x[0, 0, :, 4:6] = [[0.0, 0.0], [2.0, 2.0]]  # first max at (1, 0)
    x[0, 0, :, 6:8] = [[0.0, -1.0], [-1.0, 3.0]]  # only (1, 1)
    y, cache = MaxPool2D(2).forward(x)
    dx, _ = MaxPool2D(2).backward(np.array([[[[1, 2, 3, 4]]]], dtype=np.float32), cache)
    expected = [[1, 0, 0, 2, 0, 0, 0, 0], [0, 0, 0, 0, 3, 0, 0, 4]]
    np.testing.assert_array_equal(dx[0, 0], expected)


@pytest.mark.parametrize(
    ("hw", "kernel", "stride", "padding"),
    [
        ((5, 6), (3, 3), (1, 1), (1, 1)),
        ((5, 6), (3, 2), (1, 1), (0, 2)),
        ((4, 4), (4, 4), (1, 1), (0, 0)),
        ((7, 6), (3, 3), (2, 1), (1, 0)),
    ],
)
def test_im2col_adjoint_is_the_transpose(rng, hw, kernel, stride, padding):
    x = rng.standard_normal((3, 2, *hw))
    cols = im2col(x, kernel, stride, padding)
    g = rng.standard_normal(cols.shape)
    back = im2col_adjoint(g, x.shape, kernel, stride, padding)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(cols * g), np.sum(x * back), rtol=1e-10)


@pytest.mark.parametrize("stride", [1, 2])
def test_conv_float32_matches_float64_across_batch_pieces(rng, monkeypatch, stride):
    """Several pieces (a tiny piece budget) give what one float64 pass gives."""
    layer = Conv2D(3, 4, 3, stride=stride, padding=1, rng=rng)
    layer.params["b"] = rng.standard_normal(4).astype(np.float32)
    x = rng.standard_normal((7, 3, 9, 8)).astype(np.float32)
    y64, _ = Conv2D.forward(_as64(layer), x.astype(np.float64))
    dy = rng.standard_normal(y64.shape)
    dx64, g64 = Conv2D.backward(_as64(layer), dy, x.astype(np.float64))
    monkeypatch.setattr(engine.im2col, "PIECE_BYTES", 2000)
    y, cache = layer.forward(x)
    dx, g = layer.backward(dy.astype(np.float32), cache)
    assert y.dtype == dx.dtype == g["W"].dtype == np.float32
    np.testing.assert_allclose(y, y64, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(dx, dx64, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(g["W"], g64["W"], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(g["b"], g64["b"], rtol=1e-4, atol=1e-4)


def _as64(layer: Conv2D) -> Conv2D:
    twin = Conv2D(layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride)
    twin.padding = layer.padding
    twin.params = {k: v.astype(np.float64) for k, v in layer.params.items()}
    return twin
