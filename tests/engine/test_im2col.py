"""Window views against a naive loop, and col2im as the exact adjoint of windows()."""

from __future__ import annotations

import numpy as np
import pytest

from engine.im2col import col2im, pad_nchw, windows

GEOMETRIES = [
    # (H, W), kernel, stride, padding
    ((5, 5), (3, 3), (1, 1), (0, 0)),
    ((7, 7), (3, 3), (2, 2), (0, 0)),
    ((7, 6), (3, 2), (2, 1), (1, 0)),
    ((6, 5), (2, 2), (2, 2), (1, 1)),
    ((5, 8), (3, 3), (1, 3), (2, 1)),
    ((4, 4), (4, 4), (1, 1), (0, 0)),
    ((3, 3), (5, 5), (1, 1), (1, 1)),
]


def naive_windows(x, kernel, stride, padding):
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    xp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    xp[:, :, ph : ph + h, pw : pw + w] = x
    ho = (h + 2 * ph - kh) // sh + 1
    wo = (w + 2 * pw - kw) // sw + 1
    out = np.zeros((n, c, ho, wo, kh, kw), dtype=x.dtype)
    for b in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    for a in range(kh):
                        for q in range(kw):
                            out[b, ch, i, j, a, q] = xp[b, ch, i * sh + a, j * sw + q]
    return out


@pytest.mark.parametrize(("hw", "kernel", "stride", "padding"), GEOMETRIES)
def test_windows_match_naive_loop(rng, hw, kernel, stride, padding):
    x = rng.standard_normal((2, 3, *hw))
    got = windows(x, kernel, stride, padding)
    np.testing.assert_array_equal(got, naive_windows(x, kernel, stride, padding))


def test_windows_is_a_read_only_view_that_leaves_input_alone(rng):
    x = rng.standard_normal((1, 2, 6, 6))
    before = x.copy()
    win = windows(x, (3, 3), (1, 1))
    assert np.shares_memory(win, x)
    assert not win.flags.writeable
    np.testing.assert_array_equal(x, before)


def test_pad_nchw_pads_only_the_spatial_axes(rng):
    x = rng.standard_normal((2, 3, 4, 5))
    xp = pad_nchw(x, (2, 1))
    assert xp.shape == (2, 3, 8, 7)
    np.testing.assert_array_equal(xp[:, :, 2:6, 1:6], x)
    assert np.count_nonzero(xp) == np.count_nonzero(x)
    assert pad_nchw(x, (0, 0)) is x


@pytest.mark.parametrize(("hw", "kernel", "stride", "padding"), GEOMETRIES)
def test_col2im_is_the_adjoint_of_windows(rng, hw, kernel, stride, padding):
    x = rng.standard_normal((2, 3, *hw))
    win = windows(x, kernel, stride, padding)
    g = rng.standard_normal(win.shape)
    back = col2im(g, x.shape, stride, padding)
    assert back.shape == x.shape
    lhs = float(np.sum(win * g))
    rhs = float(np.sum(x * back))
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)


def test_col2im_counts_how_often_each_pixel_is_read():
    # Summing all-ones window gradients gives, per pixel, the number of windows covering it.
    x = np.zeros((1, 1, 5, 5))
    win = windows(x, (3, 3), (2, 2))
    counts = col2im(np.ones(win.shape), x.shape, (2, 2))[0, 0]
    expected = np.array(
        [
            [1, 1, 2, 1, 1],
            [1, 1, 2, 1, 1],
            [2, 2, 4, 2, 2],
            [1, 1, 2, 1, 1],
            [1, 1, 2, 1, 1],
        ]
    )
    np.testing.assert_array_equal(counts, expected)


def test_col2im_gives_nothing_to_pixels_no_window_reads():
    # Size 2 stride 2 on 5 x 5: the last row and column are never read, so get no gradient.
    x = np.zeros((1, 1, 5, 5))
    win = windows(x, (2, 2), (2, 2))
    counts = col2im(np.ones(win.shape), x.shape, (2, 2))[0, 0]
    assert counts[:4, :4].min() == 1
    assert counts[4].sum() == 0
    assert counts[:, 4].sum() == 0
