"""Elementwise activations."""

from __future__ import annotations

import numpy as np

from engine.layers.base import Layer


class ReLU(Layer):
    """max(x, 0), any shape."""

    kind = "relu"

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, ...) -> (N, ...); the cache is the output (positive exactly where x was)."""
        y = np.maximum(x, 0)
        return y, y

    def backward(self, dy: np.ndarray, cache: np.ndarray) -> tuple[np.ndarray, dict]:
        """Pass the gradient where the input was positive."""
        return dy * (cache > 0), {}
