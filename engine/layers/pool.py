"""Max and average pooling over (possibly overlapping or non-tiling) windows."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.im2col import col2im, windows
from engine.layers.base import Layer, Shape
from engine.shapes import as_pair, output_hw


class _Pool2D(Layer):
    """Shared window geometry of the pooling layers; no padding, floor of partial windows."""

    def __init__(
        self,
        size: int | tuple[int, int] = 2,
        stride: int | tuple[int, int] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        self.size = as_pair(size, "size")
        self.stride = as_pair(stride if stride is not None else size, "stride")
        if min(self.size) < 1 or min(self.stride) < 1:
            raise ValueError("pool size and stride must be at least 1")

    def output_shape(self, in_shape: Shape) -> Shape:
        """(C, H, W) -> (C, Ho, Wo)."""
        if len(in_shape) != 3:
            raise ValueError(f"{self.name} expects (C, H, W), got {in_shape}")
        return (in_shape[0], *output_hw(in_shape[1:], self.size, self.stride))

    def _windows(self, x: np.ndarray) -> np.ndarray:
        """(N, C, H, W) -> (N, C, Ho, Wo, kh*kw) copy of every window."""
        if x.ndim != 4:
            raise ValueError(f"{self.name} expects input of shape (N, C, H, W), got {x.shape}")
        win = windows(x, self.size, self.stride)
        return win.reshape(*win.shape[:4], -1)

    def hyperparameters(self) -> dict:
        """Window size and stride."""
        return {"size": list(self.size), "stride": list(self.stride)}


class MaxPool2D(_Pool2D):
    """Maximum of each window; the gradient goes to the first maximum."""

    kind = "maxpool2d"

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """(N, C, H, W) -> (N, C, Ho, Wo)."""
        win = self._windows(x)
        idx = win.argmax(axis=-1)  # (N, C, Ho, Wo)
        y = np.take_along_axis(win, idx[..., None], axis=-1)[..., 0]
        return y, (x.shape, idx)

    def backward(self, dy: np.ndarray, cache: Any) -> tuple[np.ndarray, dict]:
        """(N, C, Ho, Wo) -> (N, C, H, W)."""
        in_shape, idx = cache
        k = self.size[0] * self.size[1]
        onehot = idx[..., None] == np.arange(k)  # (N, C, Ho, Wo, k)
        dwin = (onehot * dy[..., None]).reshape(*dy.shape, *self.size)
        return col2im(dwin.astype(dy.dtype, copy=False), in_shape, self.stride), {}


class AvgPool2D(_Pool2D):
    """Mean of each window."""

    kind = "avgpool2d"

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """(N, C, H, W) -> (N, C, Ho, Wo)."""
        return self._windows(x).mean(axis=-1, dtype=x.dtype), x.shape

    def backward(self, dy: np.ndarray, cache: Any) -> tuple[np.ndarray, dict]:
        """(N, C, Ho, Wo) -> (N, C, H, W)."""
        k = self.size[0] * self.size[1]
        dwin = np.broadcast_to((dy / k)[..., None, None], (*dy.shape, *self.size))
        return col2im(dwin, cache, self.stride), {}
