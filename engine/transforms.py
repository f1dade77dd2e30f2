"""Change a drawing the way a robustness lab does (rotate, scale, shift, thicken, noise, erase),
before the preprocessing, many values at once; then read every version with one model call.

All work happens on the drawing's ink map (0 paper .. 1 ink), at most WORK_SIDE pixels on its
longer side: preprocessing shrinks the ink to 20 px anyway, and the batch stays small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.augment import affine_warp
from engine.model import Sequential
from engine.preprocess import EMPTY, INK_THRESHOLD, EmptyDrawingError, ink_map, preprocess, resize
from engine.strokes.render import CANVAS

WORK_SIDE = 56  # px: the working copy's longer side (2 x the 28 x 28 input)
NOISE_SEED = 0  # the noise is the same for every request: a sweep compares like with like

# name -> (lowest value, highest value, what a value means)
TRANSFORMS: dict[str, tuple[float, float, str]] = {
    "rotate": (-180.0, 180.0, "degrees, clockwise on screen"),
    "scale": (0.2, 3.0, "size factor about the image centre"),
    "shift_x": (-0.5, 0.5, "fraction of the width, positive to the right"),
    "shift_y": (-0.5, 0.5, "fraction of the height, positive downwards"),
    "thickness": (-10.0, 10.0, "pixels of a 280 px canvas added to (or taken from) each side"),
    "noise": (0.0, 0.5, "standard deviation of Gaussian noise added to the ink (0..1)"),
    "erase": (0.0, 1.0, "fraction of the ink's box erased, from the top"),
}


def check_values(transform: str, values: list[float]) -> None:
    """ValueError with a message when the transform is unknown or a value is out of its range."""
    if transform not in TRANSFORMS:
        raise ValueError(f"unknown transform {transform!r}; use one of {sorted(TRANSFORMS)}")
    lo, hi, meaning = TRANSFORMS[transform]
    bad = [v for v in values if not (np.isfinite(v) and lo <= v <= hi)]
    if bad:
        raise ValueError(
            f"{transform} values must be finite and within {lo:g}..{hi:g} ({meaning}); "
            f"got {bad[:3]}"
        )


def working_ink(image: np.ndarray) -> np.ndarray:
    """Any drawing (as for preprocess) -> (h, w) float64 ink map, longer side <= WORK_SIDE."""
    ink = ink_map(image)
    h, w = ink.shape
    if max(h, w) > WORK_SIDE:
        f = WORK_SIDE / max(h, w)
        ink = resize(ink, max(1, round(h * f)), max(1, round(w * f)))
    return np.clip(ink, 0.0, 1.0)


def _affine(ink: np.ndarray, matrices: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """(h, w) ink, (V, 2, 2) output -> source maps (row, col), (V, 2) shifts -> (V, h, w)."""
    stack = np.broadcast_to(ink.astype(np.float32), (len(matrices), *ink.shape))
    return affine_warp(np.ascontiguousarray(stack), matrices, shifts).astype(np.float64)


def _rotate(ink: np.ndarray, degrees: np.ndarray) -> np.ndarray:
    a = np.radians(degrees)  # clockwise on screen: the source is the output turned back
    c, s = np.cos(a), np.sin(a)
    m = np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], 1)  # (V, 2, 2) rows (y, x)
    m[np.abs(m) < 1e-12] = 0.0  # exact quarter turns
    return _affine(ink, m, np.zeros((len(a), 2)))


def _scale(ink: np.ndarray, factors: np.ndarray) -> np.ndarray:
    m = np.eye(2)[None] / factors[:, None, None]
    return _affine(ink, m, np.zeros((len(factors), 2)))


def _shift(ink: np.ndarray, fractions: np.ndarray, axis: int) -> np.ndarray:
    shifts = np.zeros((len(fractions), 2))
    shifts[:, axis] = fractions * ink.shape[axis]
    return _affine(ink, np.tile(np.eye(2), (len(fractions), 1, 1)), shifts)


def _grow(ink: np.ndarray, steps: int, reduce: np.ufunc) -> list[np.ndarray]:
    """[ink, after 1 step, ..., after `steps`] of a 3 x 3 max (or min) filter."""
    out = [ink]
    for _ in range(steps):
        p = np.pad(out[-1], 1, mode="constant", constant_values=0.0)
        h, w = ink.shape
        nxt = p[1 : 1 + h, 1 : 1 + w].copy()
        for dr in range(3):
            for dc in range(3):
                reduce(nxt, p[dr : dr + h, dc : dc + w], out=nxt)
        out.append(nxt)
    return out


def _thickness(ink: np.ndarray, canvas_px: np.ndarray) -> np.ndarray:
    """Thicker (positive) or thinner strokes: grey dilation or erosion, interpolated between
    whole steps of the 3 x 3 filter (one step = one pixel of the working copy on each side)."""
    px = canvas_px * max(ink.shape) / CANVAS
    steps = int(np.ceil(np.abs(px).max()))
    grown, shrunk = _grow(ink, steps, np.maximum), _grow(ink, steps, np.minimum)
    out = np.empty((len(px), *ink.shape))
    for k, p in enumerate(px):
        ladder = grown if p >= 0 else shrunk
        lo = int(np.floor(abs(p)))
        frac = abs(p) - lo
        hi = min(lo + 1, steps)
        out[k] = (1 - frac) * ladder[lo] + frac * ladder[hi]
    return out


def _noise(ink: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    base = np.random.default_rng(NOISE_SEED).standard_normal(ink.shape)
    return np.clip(ink[None] + sigma[:, None, None] * base[None], 0.0, 1.0)


def _erase(ink: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    rows = np.nonzero(ink.max(axis=1) > 0.2)[0]
    top, bottom = (rows.min(), rows.max() + 1) if len(rows) else (0, ink.shape[0])
    cut = top + np.rint(fractions * (bottom - top)).astype(int)  # (V,) first row kept
    cut[fractions <= 0] = 0  # nothing erased, not even the faint edge above the box
    keep = np.arange(ink.shape[0])[None, :] >= cut[:, None]  # (V, h)
    return ink[None] * keep[:, :, None]


def transform_ink(ink: np.ndarray, transform: str, values: np.ndarray) -> np.ndarray:
    """(h, w) ink map -> (V, h, w) ink maps, one per value (see TRANSFORMS for the units)."""
    values = np.asarray(values, dtype=np.float64)
    if transform == "rotate":
        return _rotate(ink, values)
    if transform == "scale":
        return _scale(ink, values)
    if transform in ("shift_x", "shift_y"):
        return _shift(ink, values, 1 if transform == "shift_x" else 0)
    if transform == "thickness":
        return _thickness(ink, values)
    if transform == "noise":
        return _noise(ink, values)
    if transform == "erase":
        return _erase(ink, values)
    raise ValueError(f"unknown transform {transform!r}; use one of {sorted(TRANSFORMS)}")


@dataclass(frozen=True)
class SweepPoint:
    """The model's reading of one transformed version of the drawing."""

    value: float
    prediction: int | None  # None when nothing of the drawing is left to read
    probabilities: np.ndarray  # (K,) float32, zeros when nothing is left
    input: np.ndarray  # (28, 28) float32, what the network saw

    def as_dict(self) -> dict:
        """{value, prediction, probabilities, input}; arrays stay NumPy."""
        return {
            "value": self.value,
            "prediction": self.prediction,
            "probabilities": self.probabilities,
            "input": self.input,
        }


def sweep(
    model: Sequential, image: np.ndarray, transform: str, values: list[float]
) -> list[SweepPoint]:
    """Any drawing, a transform and its values -> the model's reading of every version (the
    versions preprocessed like /api/predict's input, then one batched forward pass)."""
    check_values(transform, values)
    ink = working_ink(image)
    if ink.max() <= INK_THRESHOLD:
        raise EmptyDrawingError(EMPTY)
    versions = transform_ink(ink, transform, np.asarray(values))
    inputs, readable = [], []
    for ink in versions:
        try:
            inputs.append(preprocess(1.0 - ink))  # light paper, as drawn
            readable.append(True)
        except EmptyDrawingError:
            inputs.append(np.zeros((28, 28)))
            readable.append(False)
    x = np.stack(inputs).astype(np.float32)[:, None]  # (V, 1, 28, 28)
    p = model.predict_proba(x).astype(np.float32)  # (V, K)
    return [
        SweepPoint(
            value=float(v),
            prediction=int(p[k].argmax()) if ok else None,
            probabilities=p[k] if ok else np.zeros_like(p[k]),
            input=x[k, 0],
        )
        for k, (v, ok) in enumerate(zip(values, readable, strict=True))
    ]
