"""Sliding-window views of NCHW tensors and their adjoint (col2im)."""

from __future__ import annotations

import numpy as np

from engine.shapes import Pair, output_hw


def pad_nchw(x: np.ndarray, padding: Pair) -> np.ndarray:
    """Zero-pad the two spatial axes: (N, C, H, W) -> (N, C, H + 2ph, W + 2pw)."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def windows(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair = (0, 0)) -> np.ndarray:
    """Read-only strided view of every window: (N, C, H, W) -> (N, C, Ho, Wo, kh, kw)."""
    n, c, h, w = x.shape
    ho, wo = output_hw((h, w), kernel, stride, padding)
    xp = pad_nchw(x, padding)
    view = np.lib.stride_tricks.sliding_window_view(xp, kernel, axis=(2, 3))
    return view[
        :, :, : (ho - 1) * stride[0] + 1 : stride[0], : (wo - 1) * stride[1] + 1 : stride[1]
    ]


def col2im(
    dwin: np.ndarray, in_shape: tuple[int, ...], stride: Pair, padding: Pair = (0, 0)
) -> np.ndarray:
    """Adjoint of windows(): sum window gradients back, (N, C, Ho, Wo, kh, kw) -> (N, C, H, W)."""
    n, c, h, w = in_shape
    _, _, ho, wo, kh, kw = dwin.shape
    ph, pw = padding
    sh, sw = stride
    dxp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=dwin.dtype)
    # Loop over kernel offsets only (kh * kw slices), never over pixels or batch items.
    for a in range(kh):
        for b in range(kw):
            dxp[:, :, a : a + sh * (ho - 1) + 1 : sh, b : b + sw * (wo - 1) + 1 : sw] += dwin[
                :, :, :, :, a, b
            ]
    return dxp[:, :, ph : ph + h, pw : pw + w]
