"""2-D convolution (cross-correlation, as in every deep-learning library) via im2col + GEMM."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from engine.im2col import batch_pieces, im2col_adjoint, image_columns, maps_to_cols
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
        w_mat = self._w_mat()
        ho, wo = output_hw(x.shape[2:], self.kernel_size, self.stride, self.padding)
        y = np.empty((len(x), self.out_channels, ho * wo), dtype=np.result_type(x, w_mat))
        for b, cols in self._column_pieces(x):
            np.matmul(w_mat, cols, out=y[b])  # (n, F, Ho*Wo): NCHW already
        return self._finish(x, y), x

    def forward_train(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """forward(), keeping each image's patch columns (N, C*kh*kw, Ho*Wo) for backward."""
        self._check(x)
        cols = image_columns(x, self.kernel_size, self.stride, self.padding)
        return self._finish(x, np.matmul(self._w_mat(), cols)), (x, cols)

    def _w_mat(self) -> np.ndarray:
        """The kernels as rows: (F, C*kh*kw), ordered like a patch column."""
        return self.params["W"].reshape(self.out_channels, -1)

    def _column_pieces(self, x: np.ndarray) -> Iterator[tuple[slice, np.ndarray]]:
        """(slice, (n, C*kh*kw, Ho*Wo) patch columns) for cache-sized pieces of the batch."""
        k, s, p = self.kernel_size, self.stride, self.padding
        ho, wo = output_hw(x.shape[2:], k, s, p)
        for b in batch_pieces(len(x), x.itemsize * self._w_mat().shape[1] * ho * wo):
            yield b, image_columns(x[b], k, s, p)

    def _finish(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """(N, F, Ho*Wo) GEMM output -> (N, F, Ho, Wo) with the bias added."""
        y += self.params["b"][:, None]
        return y.reshape(
            len(x),
            self.out_channels,
            *output_hw(x.shape[2:], self.kernel_size, self.stride, self.padding),
        )

    def backward(self, dy: np.ndarray, cache: Any) -> tuple[np.ndarray, dict]:
        """(N, F, Ho, Wo) -> (N, C, H, W), with dW (F, C, kh, kw) and db (F,)."""
        x = cache[0] if isinstance(cache, tuple) else cache
        return self._input_gradient(dy, x), self.parameter_gradients(dy, cache)

    def parameter_gradients(self, dy: np.ndarray, cache: Any) -> dict[str, np.ndarray]:
        """(N, F, Ho, Wo) -> dW (F, C, kh, kw) = sum over images of dY_n @ cols_n.T, and db (F,);
        cols from forward_train's cache, else rebuilt piece by piece."""
        n, f = dy.shape[:2]
        dy3 = dy.reshape(n, f, -1)  # (N, F, Ho*Wo)
        pieces = (
            [(slice(0, n), cache[1])] if isinstance(cache, tuple) else self._column_pieces(cache)
        )
        dw = None
        for b, cols in pieces:
            part = np.matmul(dy3[b], cols.transpose(0, 2, 1)).sum(axis=0)  # (F, CKK)
            dw = part if dw is None else dw + part
        return {
            "W": dw.reshape(self.params["W"].shape),
            "b": np.einsum("nfp->f", dy3),  # 3x faster than .sum((0, 2, 3))
        }

    def _input_gradient(self, dy: np.ndarray, x: np.ndarray) -> np.ndarray:
        """(N, F, Ho, Wo) -> dx (N, C, H, W): W.T @ dY scattered back through the windows."""
        k, s, p = self.kernel_size, self.stride, self.padding
        w_t = self._w_mat().T  # (CKK, F)
        dx = np.empty(x.shape, dtype=np.result_type(dy, x, w_t))
        for b in batch_pieces(len(x), x.itemsize * w_t.shape[0] * x.shape[2] * x.shape[3]):
            dy_mat = maps_to_cols(dy[b], x[b].shape, k, s, p)  # (F, M)
            dx[b] = im2col_adjoint(w_t @ dy_mat, x[b].shape, k, s, p)
        return dx

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
