"""2-D convolution (cross-correlation, as in every deep-learning library) via im2col + GEMM."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.im2col import batch_pieces, im2col, im2col_adjoint, image_columns, maps_to_cols
from engine.layers.base import Layer
from engine.shapes import PaddingSpec, Shape, output_hw, window_geometry


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
        self.window = window_geometry(kernel_size, stride, padding)
        self.kernel_size, self.stride, self.padding = (
            self.window.kernel,
            self.window.stride,
            self.window.padding,
        )
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
        """(N, C, H, W) -> (N, F, Ho, Wo); the cache is x itself."""
        self._check(x)
        k, s, p, f = self.kernel_size, self.stride, self.padding, self.out_channels
        ho, wo = output_hw(x.shape[2:], k, s, p)
        w_mat = self.params["W"].reshape(f, -1)  # (F, CKK)
        bias = self.params["b"][:, None]
        y = np.empty((len(x), f, ho * wo), dtype=np.result_type(x, w_mat, bias))
        for b in batch_pieces(len(x), x.itemsize * w_mat.shape[1] * ho * wo):
            np.matmul(w_mat, image_columns(x[b], k, s, p), out=y[b])  # (n, F, Ho*Wo): NCHW
        y += bias
        return y.reshape(len(x), f, ho, wo), x

    def backward(self, dy: np.ndarray, cache: Any) -> tuple[np.ndarray, dict]:
        """(N, F, Ho, Wo) -> (N, C, H, W), with dW (F, C, kh, kw) and db (F,)."""
        x = cache
        k, s, p = self.kernel_size, self.stride, self.padding
        n, f, ho, wo = dy.shape
        w_mat = self.params["W"].reshape(f, -1)  # (F, CKK)
        dtype = np.result_type(dy, x, w_mat)
        dw = np.zeros(w_mat.shape, dtype=dtype)
        dx = np.empty(x.shape, dtype=dtype)
        for b in batch_pieces(n, x.itemsize * w_mat.shape[1] * x.shape[2] * x.shape[3]):
            # Rebuilding a piece's columns costs less than keeping the whole batch's from forward.
            cols = im2col(x[b], k, s, p)  # (CKK, M)
            dy_mat = maps_to_cols(dy[b], x[b].shape, k, s, p)  # (F, M)
            dw += dy_mat @ cols.T  # one GEMM per piece, not one per image
            dx[b] = im2col_adjoint(w_mat.T @ dy_mat, x[b].shape, k, s, p)
        grads = {
            "W": dw.reshape(self.params["W"].shape),
            "b": np.einsum("nfp->f", dy.reshape(n, f, ho * wo)),  # 3x faster than .sum((0, 2, 3))
        }
        return dx, grads

    def output_shape(self, in_shape: Shape) -> Shape:
        """(C, H, W) -> (F, Ho, Wo)."""
        if len(in_shape) != 3 or in_shape[0] != self.in_channels:
            raise ValueError(f"{self.name} expects ({self.in_channels}, H, W), got {in_shape}")
        ho, wo = self.window.output_hw(in_shape[1:])
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
