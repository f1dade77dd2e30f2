"""The network ConvLens ships, and rebuilding any Sequential from its JSON description."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.layers import (
    LAYER_TYPES,
    AvgPool2D,
    Conv2D,
    Dense,
    Flatten,
    Layer,
    MaxPool2D,
    ReLU,
)
from engine.model import Sequential

MNIST_CLASSES = [str(d) for d in range(10)]


def mnist_cnn(seed: int = 0) -> Sequential:
    """conv(8, 3x3) -> pool -> conv(16, 3x3) -> pool -> dense(128) -> dense(10); (1, 28, 28) in."""
    rng = np.random.default_rng(seed)
    return Sequential(
        [
            Conv2D(1, 8, 3, padding=1, name="conv1", rng=rng),
            ReLU(name="relu1"),
            MaxPool2D(2, name="pool1"),
            Conv2D(8, 16, 3, padding=1, name="conv2", rng=rng),
            ReLU(name="relu2"),
            MaxPool2D(2, name="pool2"),
            Flatten(name="flatten"),
            Dense(16 * 7 * 7, 128, name="fc1", rng=rng),
            ReLU(name="relu3"),
            Dense(128, 10, name="fc2", rng=rng),
        ],
        input_shape=(1, 28, 28),
        class_names=MNIST_CLASSES,
    )


def build_layer(config: dict[str, Any]) -> Layer:
    """Layer.describe()'s {'kind', 'name', **hyperparameters} -> a fresh layer (weights initialised)."""
    config = dict(config)
    kind = config.pop("kind", None)
    if kind not in LAYER_TYPES:
        raise ValueError(f"unknown layer kind {kind!r}; known kinds are {sorted(LAYER_TYPES)}")
    cls = LAYER_TYPES[kind]
    if cls is Conv2D:
        config["kernel_size"] = tuple(config["kernel_size"])
        config["stride"] = tuple(config["stride"])
        config["padding"] = tuple(config["padding"])
    elif cls in (MaxPool2D, AvgPool2D):
        config["size"] = tuple(config["size"])
        config["stride"] = tuple(config["stride"])
    try:
        return cls(**config)
    except TypeError as exc:
        raise ValueError(f"bad hyperparameters for a {kind} layer: {exc}") from exc


def build_model(description: dict[str, Any]) -> Sequential:
    """Sequential.describe()'s {'input_shape', 'class_names', 'layers'} -> Sequential."""
    return Sequential(
        [build_layer(c) for c in description["layers"]],
        input_shape=tuple(description["input_shape"]),
        class_names=list(description["class_names"]),
    )
