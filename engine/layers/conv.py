"""2-D convolution (cross-correlation, as in every deep-learning library) via im2col + GEMM."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.im2col import col2im, windows
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
        n = x.shape[0]
        win = windows(x, self.kernel_size, self.stride, self.padding)  # (N, C, Ho, Wo, kh, kw)
        ho, wo = win.shape[2:4]
        cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, -1)  # (N*Ho*Wo, C*kh*kw)
        w_mat = self.params["W"].reshape(self.out_channels, -1)  # (F, C*kh*kw)
        out = cols @ w_mat.T + self.params["b"]  # (N*Ho*Wo, F)
        y = np.ascontiguousarray(out.reshape(n, ho, wo, -1).transpose(0, 3, 1, 2))
        return y, (x.shape, cols)

    def backward(self, dy: np.ndarray, cache: Any) -> tuple[np.ndarray, dict]:
        """(N, F, Ho, Wo) -> (N, C, H, W), with dW (F, C, kh, kw) and db (F,)."""
        in_shape, cols = cache
        n, f, ho, wo = dy.shape
        dy_mat = dy.transpose(0, 2, 3, 1).reshape(-1, f)  # (N*Ho*Wo, F)
        w_mat = self.params["W"].reshape(f, -1)
        grads = {
            "W": (dy_mat.T @ cols).reshape(self.params["W"].shape),
            "b": dy_mat.sum(axis=0),
        }
        dcols = (dy_mat @ w_mat).reshape(n, ho, wo, self.in_channels, *self.kernel_size)
        dx = col2im(dcols.transpose(0, 3, 1, 2, 4, 5), in_shape, self.stride, self.padding)
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
