"""Softmax and cross-entropy."""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """(N, K) logits -> (N, K) probabilities, numerically stable."""
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


NO_CLASS = -1  # a label for "none of the classes" (outlier exposure): the target is uniform


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """(N, K) logits, (N,) int labels -> (mean loss, (N, K) dloss/dlogits).

    A label of NO_CLASS asks for equal probabilities: its loss is the cross-entropy to the
    uniform distribution, -mean_k log p_k (Hendrycks et al. 2019, outlier exposure)."""
    n, k = logits.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got {labels.shape}")
    z = logits - logits.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    dlogits = np.exp(log_probs)
    labels = np.asarray(labels, dtype=np.int64)
    outlier = labels == NO_CLASS
    if not outlier.any():
        loss = -float(log_probs[np.arange(n), labels].mean())
        dlogits[np.arange(n), labels] -= 1.0
        return loss, (dlogits / n).astype(logits.dtype, copy=False)
    rows = np.nonzero(~outlier)[0]
    per_sample = -log_probs.mean(axis=1)  # (N,) cross-entropy to uniform
    per_sample[rows] = -log_probs[rows, labels[rows]]
    dlogits[rows, labels[rows]] -= 1.0
    dlogits[outlier] -= 1.0 / k
    return float(per_sample.mean()), (dlogits / n).astype(logits.dtype, copy=False)
