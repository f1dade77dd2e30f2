"""Flatten and fully connected layers."""

from __future__ import annotations

import numpy as np

from engine.layers.base import Layer
from engine.shapes import Shape


class Flatten(Layer):
    """(N, C, H, W) -> (N, C*H*W), row-major (channel, row, col)."""

    kind = "flatten"

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Shape]:
        """(N, ...) -> (N, D)."""
        return x.reshape(x.shape[0], -1), x.shape

    def backward(self, dy: np.ndarray, cache: Shape) -> tuple[np.ndarray, dict]:
        """(N, D) -> (N, ...)."""
        return dy.reshape(cache), {}

    def output_shape(self, in_shape: Shape) -> Shape:
        """(C, H, W) -> (C*H*W,)."""
        return (int(np.prod(in_shape)),)


class Dense(Layer):
    """y = x @ W.T + b with W of shape (out_features, in_features)."""

    kind = "dense"

    def __init__(
        self,
        in_features: int,
        out_features: int,
        name: str | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__(name)
        if in_features < 1 or out_features < 1:
            raise ValueError("in_features and out_features must be at least 1")
        self.in_features, self.out_features = int(in_features), int(out_features)
        rng = rng or np.random.default_rng(0)
        scale = np.sqrt(2.0 / in_features)
        self.params = {
            "W": (rng.standard_normal((out_features, in_features)) * scale).astype(np.float32),
            "b": np.zeros(out_features, dtype=np.float32),
        }

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, in) -> (N, out)."""
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"{self.name} expects input of shape (N, {self.in_features}), got {x.shape}"
            )
        return x @ self.params["W"].T + self.params["b"], x

    def backward(self, dy: np.ndarray, cache: np.ndarray) -> tuple[np.ndarray, dict]:
        """(N, out) -> (N, in), with dW (out, in) and db (out,)."""
        x = cache
        grads = {"W": dy.T @ x, "b": dy.sum(axis=0)}
        return dy @ self.params["W"], grads

    def output_shape(self, in_shape: Shape) -> Shape:
        """(in,) -> (out,)."""
        if int(np.prod(in_shape)) != self.in_features:
            raise ValueError(f"{self.name} expects {self.in_features} inputs, got {in_shape}")
        return (self.out_features,)

    def hyperparameters(self) -> dict:
        """in/out feature counts."""
        return {"in_features": self.in_features, "out_features": self.out_features}
