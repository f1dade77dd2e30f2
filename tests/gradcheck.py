"""Central differences: the numeric gradients every backward pass is checked against."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

EPS = 1e-6


def central_difference(
    f: Callable[[], float], a: np.ndarray, idx: tuple, eps: float = EPS
) -> float:
    """(f(a + eps at idx) - f(a - eps at idx)) / 2 eps; a is nudged in place and restored."""
    old = a[idx]
    a[idx] = old + eps
    up = f()
    a[idx] = old - eps
    down = f()
    a[idx] = old
    return (up - down) / (2 * eps)


def numeric_grad(f: Callable[[], float], a: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Gradient of scalar f() with respect to every element of a: same shape as a."""
    grad = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        grad[idx] = central_difference(f, a, idx, eps)
    return grad
