"""What a live view of training shows at a checkpoint: conv kernels and the probe digits' reading."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.model import Sequential

KERNEL_DECIMALS = 4  # kernels are drawn, not recomputed: 4 decimals keep the JSON small


def probe_indices(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    """(N,) labels -> (classes,) index of the first example of each class, in class order."""
    found = [np.flatnonzero(labels == k) for k in range(classes)]
    missing = [k for k, idx in enumerate(found) if len(idx) == 0]
    if missing:
        raise ValueError(f"no example of class(es) {missing} to use as a probe")
    return np.array([idx[0] for idx in found])


def conv_kernels(model: Sequential) -> dict[str, np.ndarray]:
    """Every conv layer's weights, (F, C, kh, kw) each, rounded to KERNEL_DECIMALS."""
    return {
        layer.name: np.round(layer.params["W"], KERNEL_DECIMALS)
        for layer in model.layers
        if layer.kind == "conv2d"
    }


def probe_readings(model: Sequential, probes: np.ndarray) -> dict[str, Any]:
    """(P, 1, H, W) probe images -> each one's prediction and rounded probabilities."""
    proba = model.predict_proba(probes)  # (P, K)
    return {
        "predictions": proba.argmax(axis=1).tolist(),
        "probabilities": np.round(proba, 4).tolist(),
    }


def snapshot(model: Sequential, probes: np.ndarray) -> dict[str, Any]:
    """The checkpoint payload of a live view: kernels by layer and the probes' readings."""
    return {
        "kernels": {name: w.tolist() for name, w in conv_kernels(model).items()},
        "probes": probe_readings(model, probes),
    }
