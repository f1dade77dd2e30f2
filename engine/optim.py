"""Optimisers that update a Sequential model's parameters in place."""

from __future__ import annotations

import math

import numpy as np

from engine.model import Sequential


class Optimizer:
    """Holds per-parameter state keyed by (layer name, parameter key)."""

    def __init__(self, model: Sequential, lr: float) -> None:
        if lr <= 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self.model, self.lr = model, lr

    def step(self, grads: list[dict[str, np.ndarray]]) -> None:
        """Apply one update from Sequential.backward()'s gradients."""
        for layer, g in zip(self.model.layers, grads, strict=True):
            for key, p in layer.params.items():
                self._update((layer.name, key), p, g[key])

    def _update(self, key: tuple[str, str], p: np.ndarray, g: np.ndarray) -> None:
        """Update one parameter array in place."""
        raise TypeError("use SGD or Adam, not the Optimizer base class")


class SGD(Optimizer):
    """Stochastic gradient descent with (optionally Nesterov-free) momentum."""

    def __init__(self, model: Sequential, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(model, lr)
        self.momentum = momentum
        self.velocity: dict[tuple[str, str], np.ndarray] = {}

    def _update(self, key: tuple[str, str], p: np.ndarray, g: np.ndarray) -> None:
        v = self.velocity.setdefault(key, np.zeros_like(p))
        v *= self.momentum
        v -= self.lr * g
        p += v


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction."""

    def __init__(
        self,
        model: Sequential,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(model, lr)
        self.b1, self.b2 = betas
        self.eps = eps
        self.t = 0
        self.m: dict[tuple[str, str], np.ndarray] = {}
        self.v: dict[tuple[str, str], np.ndarray] = {}
        self.scratch: dict[tuple[str, str], np.ndarray] = {}

    def step(self, grads: list[dict[str, np.ndarray]]) -> None:
        """Advance the step count, then update every parameter."""
        self.t += 1
        super().step(grads)

    def _update(self, key: tuple[str, str], p: np.ndarray, g: np.ndarray) -> None:
        # In place through one scratch array per parameter: no temporaries on every step.
        m = self.m.setdefault(key, np.zeros_like(p))
        v = self.v.setdefault(key, np.zeros_like(p))
        tmp = self.scratch.setdefault(key, np.empty_like(p))
        m *= self.b1
        np.multiply(g, 1 - self.b1, out=tmp)
        m += tmp
        v *= self.b2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - self.b2
        v += tmp
        # p -= lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m / c1 and v_hat = v / c2
        c1, c2 = 1 - self.b1**self.t, 1 - self.b2**self.t
        np.sqrt(v, out=tmp)
        tmp *= 1 / math.sqrt(c2)
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr / c1
        p -= tmp
