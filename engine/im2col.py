"""Sliding-window views of NCHW tensors, im2col for the conv GEMM, and their adjoints."""

from __future__ import annotations

import numpy as np

from engine.shapes import Pair, output_hw


def pad_nchw(x: np.ndarray, padding: Pair, extra_rows: int = 0) -> np.ndarray:
    """Zero-pad the spatial axes: (N, C, H, W) -> (N, C, H + 2ph + extra_rows, W + 2pw)."""
    ph, pw = padding
    if ph == 0 and pw == 0 and extra_rows == 0:
        return x
    n, c, h, w = x.shape
    xp = np.zeros((n, c, h + 2 * ph + extra_rows, w + 2 * pw), dtype=x.dtype)
    xp[:, :, ph : ph + h, pw : pw + w] = x  # np.pad costs ~20 us of Python per call
    return xp


def windows(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair = (0, 0)) -> np.ndarray:
    """Read-only strided view of every window: (N, C, H, W) -> (N, C, Ho, Wo, kh, kw)."""
    n, c, h, w = x.shape
    ho, wo = output_hw((h, w), kernel, stride, padding)
    xp = pad_nchw(x, padding)
    sn, sc, sh, sw = xp.strides
    return np.lib.stride_tricks.as_strided(
        xp,
        shape=(n, c, ho, wo, *kernel),
        strides=(sn, sc, sh * stride[0], sw * stride[1], sh, sw),
        writeable=False,
    )


def offset_slices(kernel: Pair, stride: Pair, out_hw: Pair) -> list[tuple[int, int, slice, slice]]:
    """Each kernel offset (a, b) with the row and column slices of the input it meets."""
    (sh, sw), (ho, wo) = stride, out_hw
    return [
        (a, b, slice(a, a + sh * (ho - 1) + 1, sh), slice(b, b + sw * (wo - 1) + 1, sw))
        for a in range(kernel[0])
        for b in range(kernel[1])
    ]


def col2im(
    dwin: np.ndarray, in_shape: tuple[int, ...], stride: Pair, padding: Pair = (0, 0)
) -> np.ndarray:
    """Adjoint of windows(): sum window gradients back, (N, C, Ho, Wo, kh, kw) -> (N, C, H, W)."""
    n, c, h, w = in_shape
    _, _, ho, wo, kh, kw = dwin.shape
    ph, pw = padding
    dxp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=dwin.dtype)
    # Loop over kernel offsets only (kh * kw slices), never over pixels or batch items.
    for a, b, rows, cols in offset_slices((kh, kw), stride, (ho, wo)):
        dxp[:, :, rows, cols] += dwin[:, :, :, :, a, b]
    return dxp[:, :, ph : ph + h, pw : pw + w]


# im2col for the conv GEMM. Rows of the patch matrix are ordered (c, a, b) like W.reshape(F, -1);
# columns are output pixels, Ho rows of `width` each. For stride 1, width is the padded input width
# Wp > Wo: then the row for kernel offset (a, b) is ONE contiguous run of the flattened padded
# image, starting at a * Wp + b, so the copy (and the adjoint's adds) stream long runs instead of
# Wo-long pieces. The Wp - Wo extra columns of each output row wrap around into the next input row:
# they are computed and then dropped (forward) or fed zeros (backward). Other strides use width Wo.


def im2col(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair) -> tuple[np.ndarray, int]:
    """(N, C, H, W) -> ((N, C*kh*kw, Ho*width) patch columns, width: Wo, or Wp for stride 1)."""
    n, c, h, w = x.shape
    kh, kw = kernel
    ho, wo = output_hw((h, w), kernel, stride, padding)
    if stride != (1, 1):
        win = windows(x, kernel, stride, padding)  # (N, C, Ho, Wo, kh, kw)
        return win.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, ho * wo), wo
    xp = pad_nchw(x, padding, extra_rows=1)  # the spare row holds the last run's wrap-around
    wp = xp.shape[3]
    sn, sc, _, item = xp.strides
    runs = np.lib.stride_tricks.as_strided(
        xp, shape=(n, c, kh, kw, ho * wp), strides=(sn, sc, wp * item, item, item), writeable=False
    )
    return runs.reshape(n, c * kh * kw, ho * wp), wp  # one copy, Ho*Wp-long runs


def im2col_adjoint(
    dcols: np.ndarray,
    in_shape: tuple[int, ...],
    kernel: Pair,
    stride: Pair,
    padding: Pair,
    width: int,
) -> np.ndarray:
    """Adjoint of im2col(): (N, C*kh*kw, Ho*width) -> (N, C, H, W), summing overlaps."""
    n, c, h, w = in_shape
    kh, kw = kernel
    ph, pw = padding
    ho = dcols.shape[2] // width
    if stride != (1, 1):
        dwin = dcols.reshape(n, c, kh, kw, ho, width).transpose(0, 1, 4, 5, 2, 3)
        return col2im(dwin, in_shape, stride, padding)
    hp, wp = h + 2 * ph + 1, width
    dxp = np.zeros((n, c, hp * wp), dtype=dcols.dtype)
    runs = dcols.reshape(n, c, kh, kw, ho * wp)
    for a in range(kh):
        for b in range(kw):
            start = a * wp + b
            dxp[:, :, start : start + ho * wp] += runs[:, :, a, b]
    return dxp.reshape(n, c, hp, wp)[:, :, ph : ph + h, pw : pw + w]
