"""Optimisers that update a Sequential model's parameters in place."""

from __future__ import annotations

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

    def step(self, grads: list[dict[str, np.ndarray]]) -> None:
        """Advance the step count, then update every parameter."""
        self.t += 1
        super().step(grads)

    def _update(self, key: tuple[str, str], p: np.ndarray, g: np.ndarray) -> None:
        m = self.m.setdefault(key, np.zeros_like(p))
        v = self.v.setdefault(key, np.zeros_like(p))
        m *= self.b1
        m += (1 - self.b1) * g
        v *= self.b2
        v += (1 - self.b2) * (g * g)
        m_hat = m / (1 - self.b1**self.t)
        v_hat = v / (1 - self.b2**self.t)
        p -= (self.lr * m_hat / (np.sqrt(v_hat) + self.eps)).astype(p.dtype, copy=False)
