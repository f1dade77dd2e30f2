"""Drawings that are no digit: dashes, dots, scribbles, letters, several digits, shapes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.strokes.digits import DIGIT_STYLES
from engine.strokes.geometry import Strokes, bounds, chain, line

Kind = Callable[[np.random.Generator], Strokes]


def dash(r: np.random.Generator) -> Strokes:
    """A horizontal or nearly horizontal line."""
    y = float(r.uniform(-0.05, 0.05))
    return [line(0.0, 0.0, 1.0, y)]


def dot(r: np.random.Generator) -> Strokes:
    """A tap or a tiny stroke, in canvas units (see ABSOLUTE_KINDS)."""
    if r.random() < 0.5:
        return [np.array([[0.0, 0.0]])]
    return [line(0.0, 0.0, *r.uniform(-0.04, 0.04, 2), 3)]


def scribble(r: np.random.Generator) -> Strokes:
    """A smoothed random zig-zag."""
    n = int(r.integers(6, 14))
    pts = r.uniform(0, 1, (n, 2))
    t = np.linspace(0, 1, 12 * n)
    smooth = np.stack([np.interp(t, np.linspace(0, 1, n), pts[:, k]) for k in (0, 1)], axis=1)
    kernel = np.ones(9) / 9
    return [
        np.stack(
            [np.convolve(np.pad(smooth[:, k], 4, mode="edge"), kernel, "valid") for k in (0, 1)], 1
        )
    ]


LETTERS: dict[str, Strokes] = {
    "A": [chain(line(0.1, 1, 0.5, 0), line(0.5, 0, 0.9, 1)), line(0.28, 0.6, 0.72, 0.6)],
    "X": [line(0.15, 0, 0.85, 1), line(0.85, 0, 0.15, 1)],
    "K": [line(0.2, 0, 0.2, 1), chain(line(0.8, 0, 0.22, 0.55), line(0.22, 0.55, 0.8, 1))],
    "M": [
        chain(
            line(0.1, 1, 0.15, 0),
            line(0.15, 0, 0.5, 0.6),
            line(0.5, 0.6, 0.85, 0),
            line(0.85, 0, 0.9, 1),
        )
    ],
    "W": [
        chain(
            line(0.0, 0, 0.25, 1),
            line(0.25, 1, 0.5, 0.35),
            line(0.5, 0.35, 0.75, 1),
            line(0.75, 1, 1.0, 0),
        )
    ],
    "H": [line(0.2, 0, 0.2, 1), line(0.8, 0, 0.8, 1), line(0.2, 0.5, 0.8, 0.5)],
    "E": [
        chain(line(0.8, 0, 0.2, 0), line(0.2, 0, 0.2, 1), line(0.2, 1, 0.8, 1)),
        line(0.2, 0.5, 0.7, 0.5),
    ],
}


def letter(r: np.random.Generator) -> Strokes:
    """One of LETTERS, slightly displaced stroke by stroke."""
    name = list(LETTERS)[int(r.integers(len(LETTERS)))]
    return [s + r.normal(0, 0.02, 2) for s in LETTERS[name]]


def digits_side_by_side(r: np.random.Generator) -> Strokes:
    """Two or three digits in a row."""
    out: Strokes = []
    x = 0.0
    for _ in range(int(r.integers(2, 4))):
        styles = DIGIT_STYLES[int(r.integers(10))]
        glyph = list(styles.values())[int(r.integers(len(styles)))](r)
        x0, y0, x1, _ = bounds(glyph)
        shift = np.array([x - x0, -y0 + r.uniform(-0.05, 0.05)])
        out += [s + shift for s in glyph]
        x += (x1 - x0) + r.uniform(0.12, 0.3)
    return out


def square(r: np.random.Generator) -> Strokes:
    """A rectangle in one stroke."""
    w = float(r.uniform(0.7, 1.1))
    c = [(0, 0), (w, 0), (w, 1), (0, 1), (0, 0)]
    return [np.concatenate([line(*c[i], *c[i + 1]) for i in range(4)])]


def triangle(r: np.random.Generator) -> Strokes:
    """A triangle in one stroke, point up or down."""
    c = [(0.5, 0), (1.0, 0.9), (0.0, 0.9), (0.5, 0)]
    if r.random() < 0.5:
        c = [(0, 0), (1, 0), (0.5, 0.9), (0, 0)]
    return [np.concatenate([line(*c[i], *c[i + 1]) for i in range(3)])]


def star(r: np.random.Generator) -> Strokes:
    """A five-pointed star in one stroke."""
    a = np.radians(90 + 144 * np.arange(6))
    pts = np.stack([0.5 + 0.5 * np.cos(a), 0.5 - 0.5 * np.sin(a)], axis=1)
    return [np.concatenate([line(*pts[i], *pts[i + 1]) for i in range(5)])]


def spiral(r: np.random.Generator) -> Strokes:
    """A spiral of two to three and a half turns."""
    turns = float(r.uniform(2.0, 3.5))
    t = np.linspace(0, 1, 120)
    radius = 0.05 + 0.45 * t
    angle = 2 * np.pi * turns * t
    return [np.stack([0.5 + radius * np.cos(angle), 0.5 - radius * np.sin(angle)], axis=1)]


ABSOLUTE_KINDS = frozenset({"dot"})  # drawn at their own size (canvas units), only moved


NON_DIGIT_KINDS: dict[str, Kind] = {
    "dash": dash,
    "dot": dot,
    "scribble": scribble,
    "letter": letter,
    "digits-side-by-side": digits_side_by_side,
    "square": square,
    "triangle": triangle,
    "star": star,
    "spiral": spiral,
}
