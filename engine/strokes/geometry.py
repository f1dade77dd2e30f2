"""Pen-stroke primitives in a unit box (x right, y down): lines, elliptic arcs, Bezier curves."""

from __future__ import annotations

import math

import numpy as np

Stroke = np.ndarray  # (K, 2) points (x, y) of one pen-down polyline
Strokes = list[Stroke]


def line(x0: float, y0: float, x1: float, y1: float, n: int = 8) -> Stroke:
    """A straight segment from (x0, y0) to (x1, y1) -> (n, 2)."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) * np.array([x0, y0]) + t * np.array([x1, y1])


def arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 24) -> Stroke:
    """Elliptic arc from angle a0 to a1 (degrees, 90 = top, counter-clockwise on screen) -> (n, 2)."""
    a = np.radians(np.linspace(a0, a1, n))
    return np.stack([cx + rx * np.cos(a), cy - ry * np.sin(a)], axis=1)


def bezier(*points: tuple[float, float], n: int = 16) -> Stroke:
    """A Bezier curve of any degree from its control points -> (n, 2)."""
    ctrl = np.asarray(points, dtype=np.float64)  # (D + 1, 2)
    d = len(ctrl) - 1
    t = np.linspace(0.0, 1.0, n)[:, None]  # (n, 1)
    k = np.arange(d + 1)[None, :]  # (1, D + 1)
    binom = np.array([math.comb(d, i) for i in range(d + 1)])[None, :]
    weights = binom * t**k * (1 - t) ** (d - k)  # (n, D + 1)
    return weights @ ctrl


def chain(*parts: Stroke) -> Stroke:
    """Join pieces into one pen-down stroke, dropping a repeated point where two pieces meet."""
    out = [np.asarray(parts[0], dtype=np.float64)]
    for part in parts[1:]:
        part = np.asarray(part, dtype=np.float64)
        if np.allclose(out[-1][-1], part[0]):
            part = part[1:]
        out.append(part)
    return np.concatenate(out, axis=0)


def resample(stroke: Stroke, spacing: float) -> Stroke:
    """Points every `spacing` along the polyline (ends kept), like a pointer sampled in time."""
    stroke = np.asarray(stroke, dtype=np.float64)
    if len(stroke) < 2:
        return stroke.copy()
    seg = np.linalg.norm(np.diff(stroke, axis=0), axis=1)
    arc_len = np.concatenate([[0.0], np.cumsum(seg)])
    total = arc_len[-1]
    if total <= spacing:
        return stroke[[0, -1]].copy()
    s = np.append(np.arange(0.0, total, spacing), total)
    return np.stack([np.interp(s, arc_len, stroke[:, k]) for k in (0, 1)], axis=1)


def bounds(strokes: Strokes) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1): the box around every point of every stroke."""
    pts = np.concatenate(strokes, axis=0)
    return (
        float(pts[:, 0].min()),
        float(pts[:, 1].min()),
        float(pts[:, 0].max()),
        float(pts[:, 1].max()),
    )
