"""Sequential model: forward, backward, parameters, and trace() of every intermediate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.layers import Layer
from engine.losses import softmax
from engine.shapes import Shape


@dataclass(frozen=True)
class LayerTrace:
    """One layer's output for a batch, with what the layer is."""

    name: str
    kind: str
    hyperparameters: dict[str, Any]
    input_shape: Shape  # per sample
    output_shape: Shape  # per sample
    output: np.ndarray  # (N, *output_shape)
    parameter_count: int = 0


class Sequential:
    """Layers applied in order; the last one produces logits."""

    def __init__(
        self,
        layers: list[Layer],
        input_shape: Shape = (1, 28, 28),
        class_names: list[str] | None = None,
    ) -> None:
        names = [layer.name for layer in layers]
        if len(set(names)) != len(names):
            raise ValueError(f"layer names must be unique, got {names}")
        self.layers = layers
        self.input_shape = tuple(input_shape)
        self.shapes = self._infer_shapes()
        self._about = [  # what trace() reports of each layer besides its output: fixed once built
            (layer.name, layer.kind, layer.hyperparameters(), layer.parameter_count())
            for layer in layers
        ]
        n_out = self.shapes[-1][0]
        self.class_names = class_names or [str(k) for k in range(n_out)]
        self.temperature = 1.0  # probabilities are softmax(logits / temperature) (calibration)
        self.digit_test: Any = None  # engine.ood.DigitTest fitted with the model (load_model)

    def _infer_shapes(self) -> list[Shape]:
        """Per-sample shapes: [input, after layer 1, ..., after layer L]."""
        shapes = [self.input_shape]
        for layer in self.layers:
            shapes.append(tuple(layer.output_shape(shapes[-1])))
        return shapes

    def layer(self, name: str) -> Layer:
        """The layer called `name`, or KeyError listing the known names."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(f"no layer named {name!r}; layers are {[lay.name for lay in self.layers]}")

    def index(self, name: str) -> int:
        """Position of the layer called `name`."""
        return self.layers.index(self.layer(name))

    def _check_input(self, x: np.ndarray) -> np.ndarray:
        if x.ndim != 4 or tuple(x.shape[1:]) != self.input_shape:
            raise ValueError(f"input must have shape (N, {self.input_shape}), got {x.shape}")
        return x.astype(np.float32, copy=False)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """(N, C, H, W) -> (N, K) logits; writes no state."""
        x = self._check_input(x)
        for layer in self.layers:
            x, _ = layer.forward(x)
        return x

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """(N, C, H, W) -> (N, K) class probabilities."""
        return softmax(self.forward(x) / np.float32(self.temperature))

    def forward_train(
        self, x: np.ndarray, outputs: list[np.ndarray] | None = None, fuse: bool = False
    ) -> tuple[np.ndarray, list[Any]]:
        """(N, C, H, W) -> ((N, K) logits, per-layer caches for backward()).

        When `outputs` is given, each layer's output (N, *shapes[k + 1]) is appended to it. With
        `fuse` (training: backward through the whole model only), a layer that can take the one
        before it in one pass (a max-pool after a ReLU: Layer.forward_with) does; that ReLU's
        output is never made and its cache is None.
        """
        x = self._check_input(x)
        caches: list[Any] = []
        k = 0
        while k < len(self.layers):
            layer = self.layers[k]
            after = self.layers[k + 1] if fuse and k + 1 < len(self.layers) else None
            both = after.forward_with(layer, x) if after is not None and outputs is None else None
            if both is not None:
                x, cache = both
                caches += [None, cache]
                k += 2
                continue
            x, cache = layer.forward_train(x)
            caches.append(cache)
            if outputs is not None:
                outputs.append(x)
            k += 1
        return x, caches

    def backward(
        self, dlogits: np.ndarray, caches: list[Any]
    ) -> tuple[np.ndarray, list[dict[str, np.ndarray]]]:
        """(N, K) dloss/dlogits -> ((N, C, H, W) dloss/dx, per-layer parameter gradients)."""
        grads: list[dict[str, np.ndarray]] = [{} for _ in self.layers]
        return self._backward_through(dlogits, caches, 0, grads), grads

    def parameter_gradients(
        self,
        dlogits: np.ndarray,
        caches: list[Any],
        ready: Callable[[int, list[dict[str, np.ndarray]]], None] | None = None,
    ) -> list[dict[str, np.ndarray]]:
        """(N, K) dloss/dlogits -> per-layer parameter gradients, without the input's gradient;
        ready(k, grads), when given, is called as soon as the layers from k up have theirs."""
        grads: list[dict[str, np.ndarray]] = [{} for _ in self.layers]
        d = self._backward_through(dlogits, caches, 1, grads, ready)
        grads[0] = self.layers[0].parameter_gradients(d, caches[0])
        if ready is not None:
            ready(0, grads)
        return grads

    def backward_to(self, k: int, dlogits: np.ndarray, caches: list[Any]) -> np.ndarray:
        """(N, K) d/dlogits -> d/d(output of layer k), (N, *shapes[k + 1]); uses caches[k + 1:]."""
        if not 0 <= k < len(self.layers):
            raise ValueError(f"layer index must be in 0..{len(self.layers) - 1}, got {k}")
        return self._backward_through(dlogits, caches, k + 1)

    def _backward_through(
        self,
        d: np.ndarray,
        caches: list[Any],
        stop: int,
        grads: list[dict[str, np.ndarray]] | None = None,
        ready: Callable[[int, list[dict[str, np.ndarray]]], None] | None = None,
    ) -> np.ndarray:
        """d/d(model output) -> d/d(input of layer `stop`), through the layers from the last down
        to `stop`, filling grads[k] (and calling ready(k, grads) after each); a layer that can
        take the layer before it in the same pass (a max-pool after a ReLU:
        Layer.backward_with) does."""
        k = len(self.layers) - 1
        while k >= stop:
            layer = self.layers[k]
            both = layer.backward_with(self.layers[k - 1], d, caches[k]) if k > stop else None
            if both is not None:
                d, k = both, k - 2
            else:
                d, layer_grads = layer.backward(d, caches[k])
                if grads is not None:
                    grads[k] = layer_grads
                k -= 1
            if ready is not None and grads is not None:
                ready(k + 1, grads)
        return d

    def parameters(self) -> list[tuple[str, str, np.ndarray]]:
        """[(layer name, parameter key, array)] in a fixed order."""
        return [(lay.name, key, p) for lay in self.layers for key, p in lay.params.items()]

    def parameter_count(self) -> int:
        """Total trainable scalars."""
        return sum(layer.parameter_count() for layer in self.layers)

    def trace(self, x: np.ndarray) -> list[LayerTrace]:
        """(N, C, H, W) -> every layer's output in order, then the softmax; writes no state."""
        x = self._check_input(x)
        records = []
        for k, (layer, (name, kind, hyperparameters, count)) in enumerate(
            zip(self.layers, self._about, strict=True)
        ):
            x, _ = layer.forward(x)
            records.append(
                LayerTrace(
                    name, kind, hyperparameters, self.shapes[k], self.shapes[k + 1], x, count
                )
            )
        records.append(
            LayerTrace(
                name="softmax",
                kind="softmax",
                hyperparameters={"temperature": self.temperature},
                input_shape=self.shapes[-1],
                output_shape=self.shapes[-1],
                output=softmax(x / np.float32(self.temperature)),
            )
        )
        return records

    def describe(self) -> dict[str, Any]:
        """JSON description the saved .json holds: input shape, class names, layer.describe()s."""
        return {
            "input_shape": list(self.input_shape),
            "class_names": list(self.class_names),
            "layers": [layer.describe() for layer in self.layers],
        }

    def describe_layers(self) -> list[dict[str, Any]]:
        """JSON-ready list for display: each layer's name, kind, hyperparameters, shapes,
        parameter count and, for conv and pooling layers, the output-size formula."""
        return [
            {
                "name": layer.name,
                "kind": layer.kind,
                "hyperparameters": layer.hyperparameters(),
                "input_shape": list(self.shapes[k]),
                "output_shape": list(self.shapes[k + 1]),
                "parameter_count": layer.parameter_count(),
                "formula": layer.output_formula(self.shapes[k]),
            }
            for k, layer in enumerate(self.layers)
        ]
