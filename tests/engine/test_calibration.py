"""Calibration: ECE against a naive loop, NLL, temperature scaling."""

from __future__ import annotations

import numpy as np
import pytest

from engine.calibration import (
    expected_calibration_error,
    fit_temperature,
    nll,
    reliability,
    softmax_t,
)
from engine.losses import cross_entropy, softmax


def naive_ece(p: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i in range(len(y)) if (lo < p[i].max() <= hi) or (b == 0 and p[i].max() == 0)]
        if not idx:
            continue
        acc = np.mean([p[i].argmax() == y[i] for i in idx])
        conf = np.mean([p[i].max() for i in idx])
        total += len(idx) / len(y) * abs(acc - conf)
    return total


def test_ece_matches_a_naive_loop(rng):
    logits = rng.normal(0, 3, (500, 10))
    y = rng.integers(0, 10, 500)
    p = softmax_t(logits)
    assert expected_calibration_error(p, y) == pytest.approx(naive_ece(p, y), abs=1e-12)


def test_ece_is_zero_when_confidence_equals_accuracy():
    p = np.array([[1.0, 0.0]] * 4)
    assert expected_calibration_error(p, np.zeros(4, dtype=int)) == 0.0
    assert expected_calibration_error(p, np.ones(4, dtype=int)) == 1.0


def test_temperature_one_is_the_identity(rng):
    logits = rng.normal(0, 4, (50, 10)).astype(np.float32)
    y = rng.integers(0, 10, 50)
    np.testing.assert_allclose(softmax_t(logits, 1.0), softmax(logits), rtol=1e-5, atol=1e-7)
    assert nll(logits, y) == pytest.approx(cross_entropy(logits, y)[0], rel=1e-5)


def test_fitted_temperature_lowers_nll_of_an_over_confident_set(rng):
    n, k = 4000, 10
    y = rng.integers(0, k, n)
    evidence = rng.normal(0, 1, (n, k))
    evidence[np.arange(n), y] += 1.5
    honest = 1.5 * evidence  # the exact posterior's logits for this Gaussian evidence
    over = 4.0 * honest  # the same ranking, four times too sure
    t = fit_temperature(over, y)
    assert t == pytest.approx(4.0, rel=0.1)
    assert nll(over, y, t) < nll(over, y) - 0.5
    p_before, p_after = softmax_t(over), softmax_t(over, t)
    assert expected_calibration_error(p_after, y) < expected_calibration_error(p_before, y) / 3
    np.testing.assert_array_equal(p_after.argmax(1), p_before.argmax(1))


def test_fitted_temperature_is_the_minimum_on_a_grid(rng):
    logits = rng.normal(0, 5, (300, 10))
    y = rng.integers(0, 10, 300)
    t = fit_temperature(logits, y)
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 2001))
    best = grid[np.argmin([nll(logits, y, g) for g in grid])]
    assert t == pytest.approx(best, rel=0.01)


def test_bad_temperatures_are_errors(rng):
    with pytest.raises(ValueError, match="positive"):
        softmax_t(np.zeros((1, 3)), 0.0)
    with pytest.raises(ValueError, match="at least one"):
        fit_temperature(np.zeros((0, 3)), np.zeros(0, dtype=int))


def test_reliability_bins_add_up(rng):
    p = softmax_t(rng.normal(0, 3, (200, 10)))
    y = rng.integers(0, 10, 200)
    table = reliability(p, y)
    assert sum(table["count"]) == 200
    assert len(table["edges"]) == 16
    gaps = [
        n / 200 * abs(a - c)
        for n, a, c in zip(table["count"], table["accuracy"], table["confidence"], strict=True)
        if n
    ]
    assert sum(gaps) == pytest.approx(expected_calibration_error(p, y))
