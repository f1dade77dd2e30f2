"""Softmax and cross-entropy: values, stability, and the gradient."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.losses import NO_CLASS, cross_entropy, softmax
from tests.gradcheck import numeric_grad


def test_softmax_rows_sum_to_one(rng):
    logits = rng.standard_normal((5, 10)) * 3
    p = softmax(logits)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    assert (p > 0).all()
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p, expected, rtol=1e-12)


def test_softmax_is_stable_for_huge_logits():
    logits = np.array([[1000.0, 999.0, -1000.0], [-1e4, -1e4, -1e4], [3e38, 0.0, -3e38]])
    p = softmax(logits)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    e = math.exp(-1.0)
    np.testing.assert_allclose(p[0], [1 / (1 + e), e / (1 + e), 0.0], atol=1e-12)
    np.testing.assert_allclose(p[1], [1 / 3] * 3)
    np.testing.assert_allclose(p[2], [1.0, 0.0, 0.0])
    p32 = softmax(np.array([[100.0, 0.0]], dtype=np.float32))
    assert p32.dtype == np.float32
    assert np.isfinite(p32).all()


def test_softmax_ignores_a_constant_shift(rng):
    logits = rng.standard_normal((3, 4))
    np.testing.assert_allclose(softmax(logits), softmax(logits + 123.0), rtol=1e-10)


def naive_cross_entropy(logits, labels):
    total = 0.0
    for row, label in zip(logits, labels, strict=True):
        total += -math.log(math.exp(row[label]) / sum(math.exp(v) for v in row))
    return total / len(labels)


def test_cross_entropy_value_matches_naive(rng):
    logits = rng.standard_normal((6, 10)) * 2
    labels = rng.integers(0, 10, 6)
    loss, _ = cross_entropy(logits, labels)
    assert loss == pytest.approx(naive_cross_entropy(logits, labels), rel=1e-12)


def test_cross_entropy_known_values():
    loss, _ = cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    assert loss == pytest.approx(math.log(4))
    loss, d = cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert loss == pytest.approx(2000.0)
    assert np.isfinite(d).all()


def test_cross_entropy_gradient_matches_central_differences(rng):
    logits = rng.standard_normal((4, 5))
    labels = np.array([0, 4, 2, 2])
    _, dlogits = cross_entropy(logits, labels)
    numeric = numeric_grad(lambda: cross_entropy(logits, labels)[0], logits)
    np.testing.assert_allclose(dlogits, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dlogits.sum(axis=1), 0.0, atol=1e-12)


def test_cross_entropy_keeps_dtype_and_checks_labels():
    _, d = cross_entropy(np.zeros((3, 2), dtype=np.float32), np.array([0, 1, 1]))
    assert d.dtype == np.float32
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        cross_entropy(np.zeros((3, 2)), np.array([0, 1]))


def test_no_class_labels_ask_for_equal_probabilities(rng):
    logits = rng.standard_normal((6, 10))
    labels = np.array([3, NO_CLASS, 0, NO_CLASS, 9, 5])
    loss, dlogits = cross_entropy(logits, labels)
    log_p = np.log(softmax(logits))
    expected = np.where(labels == NO_CLASS, -log_p.mean(axis=1), -log_p[np.arange(6), labels])
    assert loss == pytest.approx(expected.mean(), rel=1e-12)
    numeric = numeric_grad(lambda: cross_entropy(logits, labels)[0], logits)
    np.testing.assert_allclose(dlogits, numeric, rtol=1e-6, atol=1e-9)
    # equal logits are the optimum of a no-class row: its gradient vanishes there
    _, flat = cross_entropy(np.zeros((1, 10)), np.array([NO_CLASS]))
    np.testing.assert_allclose(flat, 0.0, atol=1e-12)
