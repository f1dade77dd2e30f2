"""Optimisers that update a Sequential model's parameters in place.

Every update is elementwise, so `step(grads, part=(a, b))` may update just the elements from a to b
(fractions) of all parameters laid end to end: calls whose parts cover [0, 1] once, in any order or
in several processes at once (engine/shards.py), give exactly the weights of one whole step.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from engine.model import Sequential

Key = tuple[str, str]  # (layer name, parameter key)


class Optimizer:
    """Holds per-parameter state keyed by (layer name, parameter key), one dict per slot."""

    kind: ClassVar[str] = "optimizer"
    slots: ClassVar[tuple[str, ...]] = ()  # names of the per-parameter state dicts

    def __init__(self, model: Sequential, lr: float) -> None:
        if lr <= 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self.model, self.lr = model, lr
        for slot in self.slots:
            setattr(self, slot, {})

    def settings(self) -> dict[str, Any]:
        """The constructor arguments besides the model (JSON-ready): what rebuilds this optimizer."""
        return {"lr": self.lr}

    def state(self, slot: str, key: Key, like: np.ndarray) -> np.ndarray:
        """The state array `slot` of parameter `key`, zeros shaped like it on first use."""
        arrays = getattr(self, slot)
        if key not in arrays:
            arrays[key] = np.zeros_like(like)
        return arrays[key]

    def step(
        self, grads: list[dict[str, np.ndarray]], part: tuple[float, float] | None = None
    ) -> None:
        """Apply one update from Sequential.backward()'s gradients; with part=(a, b), only to the
        elements from a to b (fractions) of all parameters laid end to end in layer order."""
        for k, key, rows in parameter_ranges(self.model, part):
            layer = self.model.layers[k]
            self._update((layer.name, key), layer.params[key], grads[k][key], rows)

    def _update(self, key: Key, p: np.ndarray, g: np.ndarray, rows: slice | None) -> None:
        """Update one parameter array in place (only its flat elements `rows`, when given)."""
        raise TypeError("use SGD or Adam, not the Optimizer base class")

    def _views(self, key: Key, p: np.ndarray, g: np.ndarray, rows: slice | None, *slots: str):
        """p, g and the named state arrays of `key`, as flat views of `rows` (whole when None)."""
        return [flat_rows(a, rows) for a in (p, g, *(self.state(s, key, p) for s in slots))]


def parameter_ranges(
    model: Sequential, part: tuple[float, float] | None = None
) -> Iterator[tuple[int, str, slice | None]]:
    """(layer index, parameter key, flat rows or None for all) of the elements from a to b
    (fractions) of the model's parameters laid end to end in layer order; None: all of them."""
    total = model.parameter_count()
    a, b = part or (0.0, 1.0)
    lo, hi = round(total * a), round(total * b)
    offset = 0
    for index, layer in enumerate(model.layers):
        for key, p in layer.params.items():
            first, last = max(lo - offset, 0), min(hi - offset, p.size)
            offset += p.size
            if first < last:
                yield index, key, None if (first, last) == (0, p.size) else slice(first, last)


def flat_rows(a: np.ndarray, rows: slice | None) -> np.ndarray:
    """a itself (rows None), or a view of its flat elements `rows` (a must be contiguous)."""
    if rows is None:
        return a
    if not a.flags.c_contiguous:
        raise ValueError("a part of a parameter can only be updated in a contiguous array")
    return a.reshape(-1)[rows]


class SGD(Optimizer):
    """Stochastic gradient descent with (optionally Nesterov-free) momentum."""

    kind = "sgd"
    slots = ("velocity",)

    def __init__(self, model: Sequential, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(model, lr)
        self.momentum = momentum

    def settings(self) -> dict[str, Any]:
        """lr and momentum."""
        return {"lr": self.lr, "momentum": self.momentum}

    def _update(self, key: Key, p: np.ndarray, g: np.ndarray, rows: slice | None) -> None:
        p, g, v = self._views(key, p, g, rows, "velocity")
        v *= self.momentum
        v -= self.lr * g
        p += v


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction."""

    kind = "adam"
    slots = ("m", "v")

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
        self.scratch: dict[Key, np.ndarray] = {}  # one temporary per parameter (not state)

    def settings(self) -> dict[str, Any]:
        """lr, betas and eps."""
        return {"lr": self.lr, "betas": [self.b1, self.b2], "eps": self.eps}

    def step(
        self, grads: list[dict[str, np.ndarray]], part: tuple[float, float] | None = None
    ) -> None:
        """Advance the step count, then update every parameter (or one part of them)."""
        self.t += 1
        super().step(grads, part)

    def _update(self, key: Key, p: np.ndarray, g: np.ndarray, rows: slice | None) -> None:
        # In place through one scratch array per parameter: no temporaries on every step.
        p, g, m, v, tmp = self._views(key, p, g, rows, "m", "v", "scratch")
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


OPTIMIZERS: dict[str, type[Optimizer]] = {cls.kind: cls for cls in (SGD, Adam)}


def build_optimizer(model: Sequential, kind: str, settings: dict[str, Any]) -> Optimizer:
    """An optimizer of `kind` ('adam' or 'sgd') with settings() as returned by another one."""
    if kind not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {kind!r}")
    settings = dict(settings)
    if "betas" in settings:
        settings["betas"] = tuple(settings["betas"])
    return OPTIMIZERS[kind](model, **settings)
