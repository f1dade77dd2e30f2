"""Which test images land in which confusion-matrix cell."""

from __future__ import annotations

import numpy as np

from engine.data import unit_float32
from engine.model import Sequential


def predict_labels(model: Sequential, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """(N, H, W) uint8 or [0, 1] float images -> (N,) int64 predicted classes."""
    pixels = unit_float32(images)
    out = np.empty(len(pixels), dtype=np.int64)
    for start in range(0, len(pixels), batch_size):
        batch = pixels[start : start + batch_size, None]
        out[start : start + batch_size] = model.forward(batch).argmax(axis=1)
    return out


def cell_indices(
    labels: np.ndarray, predictions: np.ndarray, true: int, predicted: int
) -> np.ndarray:
    """(N,) labels and predictions -> indices (ascending) of images with that true/pred pair."""
    return np.flatnonzero((labels == true) & (predictions == predicted))


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, k: int) -> np.ndarray:
    """(N,) labels and predictions -> (k, k) counts, rows = true class, columns = predicted."""
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (labels.astype(np.int64), predictions.astype(np.int64)), 1)
    return counts
