"""The Layer contract shared by every layer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from engine.shapes import Shape, WindowGeometry


class Layer(ABC):
    """A layer: forward(x) -> (y, cache) writes no state; backward(dy, cache) -> (dx, grads)."""

    kind: ClassVar[str] = "layer"
    window: WindowGeometry | None = None  # conv and pooling layers: their sliding window

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.kind
        self.params: dict[str, np.ndarray] = {}

    @abstractmethod
    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """(N, *in_shape) -> ((N, *out_shape), cache for backward)."""

    @abstractmethod
    def backward(self, dy: np.ndarray, cache: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(N, *out_shape) upstream gradient -> ((N, *in_shape) dx, {param: grad})."""

    def backward_with(self, previous: Layer, dy: np.ndarray, cache: Any) -> np.ndarray | None:
        """The gradient of `previous`'s input in one pass through both layers, when this layer can
        take a parameter-free `previous` along more cheaply than two backward()s; else None."""
        return None

    def forward_with(self, previous: Layer, x: np.ndarray) -> tuple[np.ndarray, Any] | None:
        """(output, cache) of `previous` then this layer in one pass, when this layer can take a
        parameter-free `previous` along more cheaply (its cache then serves backward_with());
        else None."""
        return None

    def forward_train(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        """forward() for training: may keep more in the cache to make backward() cheaper."""
        return self.forward(x)

    def parameter_gradients(self, dy: np.ndarray, cache: Any) -> dict[str, np.ndarray]:
        """backward()'s {param: grad} alone, for the first layer of a model (no dx needed)."""
        return self.backward(dy, cache)[1] if self.params else {}

    def output_shape(self, in_shape: Shape) -> Shape:
        """Per-sample input shape -> per-sample output shape (no batch axis)."""
        return in_shape

    def output_formula(self, in_shape: Shape) -> str | None:
        """(C, H, W) -> the output-size arithmetic of a sliding-window layer; None for others."""
        return self.window.formula(in_shape[1:]) if self.window is not None else None

    def hyperparameters(self) -> dict[str, Any]:
        """The constructor arguments that define this layer (JSON-ready, without the name)."""
        return {}

    def describe(self) -> dict[str, Any]:
        """JSON description: kind, name, hyperparameters; what build_layer() rebuilds it from."""
        return {"kind": self.kind, "name": self.name, **self.hyperparameters()}

    def parameter_count(self) -> int:
        """Number of trainable scalars."""
        return int(sum(p.size for p in self.params.values()))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args}, name={self.name!r})"
