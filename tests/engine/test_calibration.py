"""Calibration: ECE against a naive loop, NLL, temperature scaling."""

from __future__ import annotations

import numpy as np
import pytest

from engine.calibration import (
    calibrate,
    expected_calibration_error,
    fit_temperature,
    nll,
    reliability,
    softmax_t,
)
from engine.layers import Dense, Flatten
from engine.losses import cross_entropy, softmax
from engine.model import Sequential
from engine.serialize import ModelFileError, load_model, save_model


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


def over_confident_model(seed: int) -> tuple[Sequential, np.ndarray, np.ndarray]:
    """A small model whose logits are the true class's evidence times 8, on noisy data."""
    rng = np.random.default_rng(seed)
    model = Sequential([Flatten(name="flat"), Dense(16, 4, name="fc", rng=rng)], (1, 4, 4))
    w = np.zeros((4, 16), dtype=np.float32)
    for k in range(4):
        w[k, 4 * k : 4 * k + 4] = 8.0
    model.layer("fc").params["W"][...] = w  # (out, in)
    y = rng.integers(0, 4, 400)
    x = rng.normal(0, 0.35, (400, 16))
    x[np.arange(400)[:, None], 4 * y[:, None] + np.arange(4)] += 0.25
    return model, x.reshape(400, 1, 4, 4).astype(np.float32), y


def test_calibration_lowers_the_validation_nll_and_is_applied_by_the_model(tmp_path):
    model, x, y = over_confident_model(0)
    before = nll(model.forward(x).astype(np.float64), y)
    report = calibrate(model, x, y)
    assert report["nll_before"] == pytest.approx(before)
    assert report["nll_after"] < report["nll_before"]
    assert report["temperature"] > 1.0  # the model was over-confident
    assert report["ece_after"] < report["ece_before"]
    t = model.temperature
    assert t == report["temperature"]
    expected = softmax_t(model.forward(x[:3]), t)
    np.testing.assert_allclose(model.predict_proba(x[:3]), expected, rtol=1e-5)
    traces = model.trace(x[:3])
    np.testing.assert_allclose(traces[-1].output, expected, rtol=1e-5)
    assert traces[-1].hyperparameters == {"temperature": t}
    # the temperature travels with the model file
    path = save_model(model, tmp_path / "m.npz", {"calibration": report})
    loaded, _ = load_model(path)
    assert loaded.temperature == t
    assert load_model(save_model(model, tmp_path / "plain.npz"))[0].temperature == 1.0


def test_a_bad_stored_temperature_is_a_model_file_error(tmp_path):
    model, _, _ = over_confident_model(1)
    path = save_model(model, tmp_path / "m.npz", {"calibration": {"temperature": -1}})
    with pytest.raises(ModelFileError, match="temperature"):
        load_model(path)
