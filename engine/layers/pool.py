"""Max and average pooling over (possibly overlapping or non-tiling) windows."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from engine.im2col import batch_pieces, col2im, offset_slices, windows
from engine.layers.activation import ReLU
from engine.layers.base import Layer
from engine.shapes import POOL_WINDOW, Pair, Shape, window_geometry


class _Pool2D(Layer):
    """Shared window geometry of the pooling layers; no padding, floor of partial windows."""

    def __init__(
        self,
        size: int | tuple[int, int] = 2,
        stride: int | tuple[int, int] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        self.window = window_geometry(size, stride, 0, POOL_WINDOW)
        self.size, self.stride = self.window.kernel, self.window.stride

    def output_shape(self, in_shape: Shape) -> Shape:
        """(C, H, W) -> (C, Ho, Wo)."""
        if len(in_shape) != 3:
            raise ValueError(f"{self.name} expects (C, H, W), got {in_shape}")
        return (in_shape[0], *self.window.output_hw(in_shape[1:]))

    def _windows(self, x: np.ndarray) -> np.ndarray:
        """(N, C, H, W) -> (N, C, Ho, Wo, kh, kw) read-only view of every window."""
        if x.ndim != 4:
            raise ValueError(f"{self.name} expects input of shape (N, C, H, W), got {x.shape}")
        return windows(x, self.size, self.stride)

    def _offsets(self, out_hw: tuple[int, int]) -> list[tuple[int, int, slice, slice]]:
        """Each window offset (a, b) with the input rows and columns it reads."""
        return offset_slices(self.size, self.stride, out_hw)

    def hyperparameters(self) -> dict:
        """Window size and stride."""
        return {"size": list(self.size), "stride": list(self.stride)}


class MaxPool2D(_Pool2D):
    """Maximum of each window; the gradient goes to the first maximum (row-major in the window)."""

    kind = "maxpool2d"

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """(N, C, H, W) -> (N, C, Ho, Wo); the cache is (x, y), so forward does no argmax."""
        win = self._windows(x)  # (N, C, Ho, Wo, kh, kw)
        if self.size == (2, 2) == self.stride and x.shape[2] % 2 == x.shape[3] % 2 == 0:
            rows = np.maximum(x[:, :, 0::2], x[:, :, 1::2])  # (N, C, Ho, W): whole rows
            y = np.maximum(rows[..., 0::2], rows[..., 1::2])
            return y, (x, y)
        offsets = self._offsets(win.shape[2:4])
        # One elementwise maximum per window offset (kh * kw of them) over (N, C, Ho, Wo) views:
        # far cheaper than a reduction over a small trailing axis of a reshaped copy.
        y = np.array(win[:, :, :, :, 0, 0])
        for a, b, _, _ in offsets[1:]:
            np.maximum(y, win[:, :, :, :, a, b], out=y)
        return y, (x, y)

    def backward(self, dy: np.ndarray, cache: Any) -> tuple[np.ndarray, dict]:
        """(N, C, Ho, Wo) -> (N, C, H, W)."""
        x, y = cache
        if _pairs_apply(x, y, dy, self.size, self.stride):
            return _backward_2x2(x, y, dy), {}
        win = self._windows(x)
        dx = np.zeros(x.shape, dtype=dy.dtype)
        offsets = self._offsets(y.shape[2:])
        tiling = self.stride[0] >= self.size[0] and self.stride[1] >= self.size[1]
        per_image = 2 * (x.nbytes + dy.nbytes) // max(len(x), 1)  # x, dx, y, dy
        for s in batch_pieces(len(x), per_image):
            taken = np.zeros(y[s].shape, dtype=bool)  # windows whose first maximum is found
            for a, b, rows, cols in offsets:
                first = win[s, :, :, :, a, b] == y[s]
                first &= ~taken
                taken |= first
                if tiling:  # windows do not overlap: each input pixel gets one write at most
                    np.multiply(dy[s], first, out=dx[s, :, rows, cols])
                else:
                    dx[s, :, rows, cols] += dy[s] * first
        return dx, {}

    def forward_with(self, previous: Layer, x: np.ndarray) -> tuple[np.ndarray, Any] | None:
        """After a ReLU: max-pool x itself, then the ReLU on the 4x smaller output (the maximum
        of the ReLU's outputs is the ReLU of the maximum). The cache (x, y) sends each window's
        gradient to the first maximum of x, which is the ReLU's first maximum wherever y > 0,
        and backward_with() passes nothing where y = 0."""
        if not isinstance(previous, ReLU):
            return None
        y, (_, _) = self.forward(x)
        np.maximum(y, 0, out=y)
        return y, (x, y)

    def backward_with(self, previous: Layer, dy: np.ndarray, cache: Any) -> np.ndarray | None:
        """After a ReLU: (N, C, Ho, Wo) -> the ReLU's input gradient (N, C, H, W). Each window
        sends its gradient to its first maximum, where the ReLU's output is the window's maximum y:
        the ReLU passes it exactly where y > 0, so the mask goes on the 4x smaller pooled grid."""
        if not isinstance(previous, ReLU):
            return None
        _, y = cache
        return self.backward(dy * (y > 0), cache)[0]


def _pairs_apply(x: np.ndarray, y: np.ndarray, dy: np.ndarray, size: Pair, stride: Pair) -> bool:
    """Whether _backward_2x2 handles this case: 2x2 windows tiling float32 maps exactly."""
    return (
        size == (2, 2) == stride
        and x.shape[2:] == (2 * y.shape[2], 2 * y.shape[3])
        and x.dtype == y.dtype == dy.dtype == np.float32
        and sys.byteorder == "little"
    )


def _twice(a: np.ndarray) -> np.ndarray:
    """(..., Wo) float32 -> (..., 2 * Wo) with every value twice: one uint64 holds two copies."""
    bits = np.ascontiguousarray(a).view(np.uint32).astype(np.uint64)
    return (bits * np.uint64(0x1_0000_0001)).view(np.float32)


def _first_of_pair(hits: np.ndarray) -> np.ndarray:
    """(..., 2 * Wo) bool -> (..., Wo) uint16 keeping only the first True of each column pair.

    On a little-endian machine byte 0 of each uint16 is the pair's left column; v & -v keeps the
    lowest set bit, that is the left hit if there is one.
    """
    v = hits.view(np.uint16)
    return v & (0 - v)


def _backward_2x2(x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """MaxPool2D backward for 2x2 windows with stride 2 tiling x: whole-row operations only.

    Each window's gradient goes to its first maximum in the order (0, 0), (0, 1), (1, 0), (1, 1),
    as in the general path; rows 0 and 1 of the windows are the even and odd rows of x.
    """
    y2, dy2 = _twice(y), _twice(dy)  # (N, C, Ho, W): each window's max and gradient, twice
    top = _first_of_pair(x[:, :, 0::2] == y2)  # (N, C, Ho, Wo) uint16
    bottom = _first_of_pair(x[:, :, 1::2] == y2)
    bottom *= top == 0  # the top row's maximum comes first
    dx = np.empty(x.shape, dtype=np.float32)
    np.multiply(dy2, top.view(np.bool_), out=dx[:, :, 0::2])
    np.multiply(dy2, bottom.view(np.bool_), out=dx[:, :, 1::2])
    return dx


class AvgPool2D(_Pool2D):
    """Mean of each window."""

    kind = "avgpool2d"

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """(N, C, H, W) -> (N, C, Ho, Wo)."""
        win = self._windows(x)  # (N, C, Ho, Wo, kh, kw)
        y = np.zeros(win.shape[:4], dtype=x.dtype)
        for a, b, _, _ in self._offsets(y.shape[2:]):
            y += win[:, :, :, :, a, b]
        y /= self.size[0] * self.size[1]
        return y, x.shape

    def backward(self, dy: np.ndarray, cache: Any) -> tuple[np.ndarray, dict]:
        """(N, C, Ho, Wo) -> (N, C, H, W)."""
        k = self.size[0] * self.size[1]
        dwin = np.broadcast_to((dy / k)[..., None, None], (*dy.shape, *self.size))
        return col2im(dwin, cache, self.stride), {}
