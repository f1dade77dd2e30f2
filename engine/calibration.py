"""How honest the probabilities are: expected calibration error, NLL, and temperature scaling."""

from __future__ import annotations

import numpy as np

from engine.model import Sequential

ECE_BINS = 15


def softmax_t(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """(N, K) logits, T > 0 -> (N, K) probabilities softmax(logits / T)."""
    if not temperature > 0:
        raise ValueError(f"the temperature must be a positive number, got {temperature}")
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the labels under softmax(logits / T)."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))  # (N, K)
    return float(-log_p[np.arange(len(labels)), np.asarray(labels, dtype=np.int64)].mean())


def expected_calibration_error(
    probabilities: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS
) -> float:
    """(N, K) probabilities, (N,) labels -> sum over equal-width bins of the top probability of
    (share of samples in the bin) x |accuracy - mean confidence| in the bin."""
    p = np.asarray(probabilities, dtype=np.float64)
    confidence = p.max(axis=1)  # (N,)
    correct = (p.argmax(axis=1) == np.asarray(labels)).astype(np.float64)
    # bin b holds confidences in (b / bins, (b + 1) / bins]; a confidence of 0 joins bin 0
    which = np.clip(np.ceil(confidence * bins).astype(np.int64) - 1, 0, bins - 1)
    gap = np.bincount(which, weights=correct - confidence, minlength=bins)  # sums per bin
    return float(np.abs(gap).sum() / max(len(confidence), 1))


def reliability(probabilities: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> dict:
    """Per bin: count, mean confidence and accuracy (None where empty), for a calibration plot."""
    p = np.asarray(probabilities, dtype=np.float64)
    confidence = p.max(axis=1)
    correct = (p.argmax(axis=1) == np.asarray(labels)).astype(np.float64)
    which = np.clip(np.ceil(confidence * bins).astype(np.int64) - 1, 0, bins - 1)
    count = np.bincount(which, minlength=bins)
    conf = np.bincount(which, weights=confidence, minlength=bins)
    acc = np.bincount(which, weights=correct, minlength=bins)
    return {
        "edges": np.linspace(0, 1, bins + 1).round(6).tolist(),
        "count": count.tolist(),
        "confidence": [float(c / n) if n else None for c, n in zip(conf, count, strict=True)],
        "accuracy": [float(a / n) if n else None for a, n in zip(acc, count, strict=True)],
    }


def fit_temperature(
    logits: np.ndarray, labels: np.ndarray, lo: float = 0.05, hi: float = 20.0, tol: float = 1e-5
) -> float:
    """The T in [lo, hi] that minimises the NLL of softmax(logits / T): golden-section search
    on log T (the NLL is unimodal in T for fixed logits)."""
    if len(labels) == 0:
        raise ValueError("fitting a temperature needs at least one labelled sample")
    a, b = np.log(lo), np.log(hi)
    ratio = (np.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = nll(logits, labels, np.exp(c)), nll(logits, labels, np.exp(d))
    while b - a > tol:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = nll(logits, labels, np.exp(c))
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = nll(logits, labels, np.exp(d))
    return float(np.exp((a + b) / 2))


def calibrate(model: Sequential, images: np.ndarray, labels: np.ndarray) -> dict:
    """Fit the model's temperature on held-out (N, 1, 28, 28) images, set model.temperature;
    -> {temperature, fitted_on, nll_before, nll_after, ece_before, ece_after}."""
    logits = np.concatenate(
        [model.forward(images[i : i + 1000]) for i in range(0, len(images), 1000)]
    ).astype(np.float64)
    t = fit_temperature(logits, labels)
    model.temperature = t
    return {
        "temperature": t,
        "fitted_on": f"validation split ({len(labels)} images)",
        "nll_before": nll(logits, labels),
        "nll_after": nll(logits, labels, t),
        "ece_before": expected_calibration_error(softmax_t(logits), labels),
        "ece_after": expected_calibration_error(softmax_t(logits, t), labels),
    }
