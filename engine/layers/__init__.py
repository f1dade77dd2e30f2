"""Layers: each has forward (pure, returns a cache) and backward (uses only that cache)."""

from engine.layers.activation import ReLU
from engine.layers.base import Layer
from engine.layers.conv import Conv2D
from engine.layers.dense import Dense, Flatten
from engine.layers.pool import AvgPool2D, MaxPool2D

LAYER_TYPES: dict[str, type[Layer]] = {
    cls.kind: cls for cls in (Conv2D, ReLU, MaxPool2D, AvgPool2D, Flatten, Dense)
}

__all__ = ["LAYER_TYPES", "AvgPool2D", "Conv2D", "Dense", "Flatten", "Layer", "MaxPool2D", "ReLU"]
