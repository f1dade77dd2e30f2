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


CONV1, CONV2, HIDDEN = 16, 32, 128  # the bundled widths (conv1 stays at most 16 for the page)


def mnist_cnn(
    seed: int = 0, conv1: int = CONV1, conv2: int = CONV2, hidden: int = HIDDEN
) -> Sequential:
    """conv(conv1, 3x3) -> pool -> conv(conv2, 3x3) -> pool -> dense(hidden) -> dense(10);
    (1, 28, 28) in."""
    rng = np.random.default_rng(seed)
    return Sequential(
        [
            Conv2D(1, conv1, 3, padding=1, name="conv1", rng=rng),
            ReLU(name="relu1"),
            MaxPool2D(2, name="pool1"),
            Conv2D(conv1, conv2, 3, padding=1, name="conv2", rng=rng),
            ReLU(name="relu2"),
            MaxPool2D(2, name="pool2"),
            Flatten(name="flatten"),
            Dense(conv2 * 7 * 7, hidden, name="fc1", rng=rng),
            ReLU(name="relu3"),
            Dense(hidden, 10, name="fc2", rng=rng),
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
