"""Sliding-window views of NCHW tensors, im2col for the conv GEMM, and their adjoints."""

from __future__ import annotations

import numpy as np

from engine.shapes import Pair, output_hw


def pad_nchw(x: np.ndarray, padding: Pair) -> np.ndarray:
    """Zero-pad the spatial axes: (N, C, H, W) -> (N, C, H + 2ph, W + 2pw)."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    n, c, h, w = x.shape
    xp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    xp[:, :, ph : ph + h, pw : pw + w] = x  # np.pad costs ~20 us of Python per call
    return xp


def windows(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair = (0, 0)) -> np.ndarray:
    """Read-only strided view of every window: (N, C, H, W) -> (N, C, Ho, Wo, kh, kw)."""
    n, c, h, w = x.shape
    ho, wo = output_hw((h, w), kernel, stride, padding)
    xp = pad_nchw(x, padding)
    sn, sc, sh, sw = xp.strides
    shape = (n, c, ho, wo, *kernel)
    strides = (sn, sc, sh * stride[0], sw * stride[1], sh, sw)
    if not xp.flags.c_contiguous:
        return np.lib.stride_tricks.as_strided(xp, shape, strides, writeable=False)
    view = np.ndarray(shape, xp.dtype, buffer=xp, strides=strides)  # ~10 us less than as_strided
    view.flags.writeable = False
    return view


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


def image_columns(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
    """(N, C, H, W) -> (N, C*kh*kw, Ho*Wo): each image's patch matrix, for a batched forward GEMM.

    W @ these gives (N, F, Ho*Wo), NCHW already: cheaper in forward than one stacked GEMM followed
    by a copy into NCHW.
    """
    n, c = x.shape[:2]
    win = windows(x, kernel, stride, padding)  # (N, C, Ho, Wo, kh, kw)
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kernel[0] * kernel[1], -1)  # one copy


# im2col for the conv GEMM: a (C*kh*kw, M) patch matrix, rows ordered (c, a, b) like
# W.reshape(F, -1), so one GEMM W @ cols covers a whole batch (or piece of it).
#
# Stride 1 uses the STACKED layout: the zero-padded images of one channel, (N, Hp, Wp), are one long
# run of N * Hp * Wp values, and a kernel at every position t of that run reads t + a * Wp + b. So the
# row of kernel offset (a, b) is one contiguous slice, and im2col and its adjoint copy and add whole
# slices. Positions that are not an output pixel (the last Wp - Wo columns of a row, the last Hp - Ho
# rows of an image, where a kernel wraps into the next row or image) get zero gradient: 10-20 % more
# GEMM work for far cheaper memory traffic. (Forward uses image_columns(): see there.)
# Other strides use the PIXEL layout: M = N * Ho * Wo columns ordered (n, i, j).


def _stacked_length(in_shape: tuple[int, ...], kernel: Pair, padding: Pair) -> int:
    """M of the stacked layout: positions of the padded run whose kernel stays inside it."""
    n, _, h, w = in_shape
    hp, wp = h + 2 * padding[0], w + 2 * padding[1]
    return n * hp * wp - (kernel[0] - 1) * wp - (kernel[1] - 1)


def _padded_channels(x: np.ndarray, padding: Pair) -> np.ndarray:
    """(N, C, H, W) -> (C, N, Hp, Wp) zero-padded, channel-major."""
    n, c, h, w = x.shape
    ph, pw = padding
    xp = np.zeros((c, n, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    xp[:, :, ph : ph + h, pw : pw + w] = x.transpose(1, 0, 2, 3)
    return xp


def im2col(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
    """(N, C, H, W) -> (C*kh*kw, M) patch columns: stacked layout for stride 1, else pixel."""
    n, c, h, w = x.shape
    kh, kw = kernel
    if stride != (1, 1):
        win = windows(x, kernel, stride, padding)  # (N, C, Ho, Wo, kh, kw)
        return win.transpose(1, 4, 5, 0, 2, 3).reshape(c * kh * kw, -1)  # one copy
    xp = _padded_channels(x, padding)  # (C, N, Hp, Wp)
    wp, m = xp.shape[3], _stacked_length(x.shape, kernel, padding)
    sc, _, _, item = xp.strides
    runs = np.lib.stride_tricks.as_strided(  # (C, kh, kw, M): one slice per kernel offset
        xp, shape=(c, kh, kw, m), strides=(sc, wp * item, item, item), writeable=False
    )
    return runs.reshape(c * kh * kw, m)  # one copy of contiguous slices


def im2col_adjoint(
    dcols: np.ndarray, in_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair
) -> np.ndarray:
    """Adjoint of im2col(): (C*kh*kw, M) -> (N, C, H, W), summing overlapping windows."""
    n, c, h, w = in_shape
    kh, kw = kernel
    ph, pw = padding
    if stride != (1, 1):
        ho, wo = output_hw((h, w), kernel, stride, padding)
        dwin = dcols.reshape(c, kh, kw, n, ho, wo).transpose(3, 0, 4, 5, 1, 2)
        return col2im(dwin, in_shape, stride, padding)
    hp, wp = h + 2 * ph, w + 2 * pw
    m = _stacked_length(in_shape, kernel, padding)
    dxp = np.zeros((c, n * hp * wp), dtype=dcols.dtype)
    runs = dcols.reshape(c, kh, kw, m)
    for a in range(kh):
        for b in range(kw):
            start = a * wp + b
            dxp[:, start : start + m] += runs[:, a, b]  # (C, M): contiguous rows
    dxp = dxp.reshape(c, n, hp, wp)[:, :, ph : ph + h, pw : pw + w]
    return dxp.transpose(1, 0, 2, 3)  # (N, C, H, W) view


def maps_to_cols(
    dy: np.ndarray, in_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair
) -> np.ndarray:
    """(N, F, Ho, Wo) -> (F, M): each output pixel at its column of im2col(), zero at the extras."""
    n, f, ho, wo = dy.shape
    if stride != (1, 1):
        return np.ascontiguousarray(dy.transpose(1, 0, 2, 3)).reshape(f, -1)
    _, _, h, w = in_shape
    hp, wp = h + 2 * padding[0], w + 2 * padding[1]
    full = np.zeros((f, n, hp, wp), dtype=dy.dtype)
    full[:, :, :ho, :wo] = dy.transpose(1, 0, 2, 3)
    return full.reshape(f, -1)[:, : _stacked_length(in_shape, kernel, padding)]


PIECE_BYTES = 1 << 20  # per-piece temporaries: stay in the CPU cache and get reused by malloc


def batch_pieces(n: int, bytes_per_image: int) -> list[slice]:
    """Contiguous slices covering range(n), each with about PIECE_BYTES of per-image temporaries.

    Whole-batch temporaries of a few MB are fresh pages on every training step (page faults cost
    more than the arithmetic); pieces of ~0.5 MB are cache-resident and reused. Measured on MNIST
    batches of 64: 0.5 MB beat 128 KB, 256 KB, 1 MB and the whole batch.
    """
    size = max(1, PIECE_BYTES // max(bytes_per_image, 1))
    return [slice(k, min(k + size, n)) for k in range(0, n, size)]
