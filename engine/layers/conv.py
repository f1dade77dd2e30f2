"""2-D convolution (cross-correlation, as in every deep-learning library) via im2col + GEMM."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.im2col import im2col, im2col_adjoint
from engine.layers.base import Layer, Shape
from engine.shapes import PaddingSpec, as_pair, output_hw, resolve_padding


class Conv2D(Layer):
    """C_in -> F maps with kh x kw kernels, stride and zero padding; NCHW float32."""

    kind = "conv2d"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: PaddingSpec = 0,
        name: str | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__(name)
        if in_channels < 1 or out_channels < 1:
            raise ValueError("in_channels and out_channels must be at least 1")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = as_pair(kernel_size, "kernel_size")
        self.stride = as_pair(stride, "stride")
        if min(self.kernel_size) < 1 or min(self.stride) < 1:
            raise ValueError("kernel_size and stride must be at least 1")
        self.padding = resolve_padding(padding, self.kernel_size)
        rng = rng or np.random.default_rng(0)
        fan_in = in_channels * self.kernel_size[0] * self.kernel_size[1]
        shape = (out_channels, in_channels, *self.kernel_size)
        self.params = {
            "W": (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32),
            "b": np.zeros(out_channels, dtype=np.float32),
        }

    def _check(self, x: np.ndarray) -> None:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"{self.name} expects input of shape (N, {self.in_channels}, H, W), got {x.shape}"
            )

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """(N, C, H, W) -> (N, F, Ho, Wo)."""
        self._check(x)
        n, _, h, w = x.shape
        ho, wo = output_hw((h, w), self.kernel_size, self.stride, self.padding)
        cols, width = im2col(x, self.kernel_size, self.stride, self.padding)  # (N, CKK, Ho*width)
        w_mat = self.params["W"].reshape(self.out_channels, -1)  # (F, CKK)
        out = np.matmul(w_mat, cols).reshape(n, -1, ho, width)  # (N, F, Ho, width): NCHW already
        y = np.add(out[..., :wo], self.params["b"][:, None, None])  # (N, F, Ho, Wo), contiguous
        return y, (x.shape, cols, width)

    def backward(self, dy: np.ndarray, cache: Any) -> tuple[np.ndarray, dict]:
        """(N, F, Ho, Wo) -> (N, C, H, W), with dW (F, C, kh, kw) and db (F,)."""
        in_shape, cols, width = cache  # cols: (N, CKK, Ho*width)
        n, f, ho, wo = dy.shape
        if width != wo:  # im2col's wrap-around columns get zero gradient
            dy_rows = np.zeros((n, f, ho, width), dtype=dy.dtype)
            dy_rows[..., :wo] = dy
        else:
            dy_rows = dy
        dy_mat = dy_rows.reshape(n, f, ho * width)  # (N, F, Ho*width)
        w_shape = self.params["W"].shape
        w_mat = self.params["W"].reshape(f, -1)  # (F, CKK)
        grads = {
            "W": np.matmul(dy_mat, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w_shape),
            "b": dy.sum(axis=(0, 2, 3)),
        }
        dcols = np.matmul(w_mat.T, dy_mat)  # (N, CKK, Ho*width)
        dx = im2col_adjoint(dcols, in_shape, self.kernel_size, self.stride, self.padding, width)
        return dx, grads

    def output_shape(self, in_shape: Shape) -> Shape:
        """(C, H, W) -> (F, Ho, Wo)."""
        if len(in_shape) != 3 or in_shape[0] != self.in_channels:
            raise ValueError(f"{self.name} expects ({self.in_channels}, H, W), got {in_shape}")
        ho, wo = output_hw(in_shape[1:], self.kernel_size, self.stride, self.padding)
        return (self.out_channels, ho, wo)

    def hyperparameters(self) -> dict:
        """Channels, kernel size, stride and the resolved padding."""
        return {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": list(self.kernel_size),
            "stride": list(self.stride),
            "padding": list(self.padding),
        }
