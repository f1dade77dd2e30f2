"""Parametric pen-stroke models of the ten digits, in the styles people write them.

Each style is a function rng -> strokes (polylines in a unit-high box, x right, y down), in the
order and direction a hand draws them; the rng varies the proportions (loop size, flag length...).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.strokes.geometry import Stroke, Strokes, arc, bezier, chain, line

Style = Callable[[np.random.Generator], Strokes]


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


# 0 -------------------------------------------------------------------------------------------
def zero_oval(r: np.random.Generator) -> Strokes:
    """A narrow oval from the top, counter-clockwise, ending past its start."""
    rx = _u(r, 0.24, 0.32)
    return [arc(0.5, 0.5, rx, 0.5, 100, 100 + 360 + _u(r, 0, 30), 48)]


def zero_round(r: np.random.Generator) -> Strokes:
    """A wide, nearly round 0."""
    rx = _u(r, 0.36, 0.44)
    return [arc(0.5, 0.5, rx, 0.5, 80, 80 + 360 + _u(r, 5, 35), 48)]


def zero_gap(r: np.random.Generator) -> Strokes:
    """An oval that stops short of its start (a gap at the top)."""
    return [arc(0.5, 0.5, _u(r, 0.26, 0.36), 0.5, 95, 95 + _u(r, 310, 335), 44)]


# 1 -------------------------------------------------------------------------------------------
def one_plain(r: np.random.Generator) -> Strokes:
    """One vertical stroke."""
    return [line(0.5 + _u(r, -0.03, 0.03), 0.0, 0.5, 1.0)]


def one_base(r: np.random.Generator) -> Strokes:
    """A short flag into the stem, then a base line."""
    flag = _u(r, 0.1, 0.2)
    return [
        chain(line(0.5 - flag, flag * 0.8, 0.52, 0.0), line(0.52, 0.0, 0.52, 1.0)),
        line(0.52 - _u(r, 0.15, 0.25), 1.0, 0.52 + _u(r, 0.15, 0.25), 1.0),
    ]


def one_flag(r: np.random.Generator) -> Strokes:
    """European 1: a long up-stroke (the flag) then the stem, without lifting the pen."""
    dx, dy = _u(r, 0.3, 0.45), _u(r, 0.25, 0.45)
    top = 0.62
    return [chain(line(top - dx, dy, top, 0.0, 10), line(top, 0.0, top - _u(r, 0, 0.05), 1.0))]


# 2 -------------------------------------------------------------------------------------------
def _two_top(r: np.random.Generator) -> Stroke:
    return arc(0.5, 0.27, _u(r, 0.26, 0.32), 0.27, _u(r, 150, 175), -_u(r, 30, 55), 24)


def two_plain(r: np.random.Generator) -> Strokes:
    """Top arc, diagonal, base: no loop."""
    top = _two_top(r)
    base_y = 1.0
    return [chain(top, line(*top[-1], 0.2, base_y), line(0.2, base_y, _u(r, 0.75, 0.85), base_y))]


def two_loop(r: np.random.Generator) -> Strokes:
    """Top arc and diagonal, a small loop where the diagonal meets the base."""
    top = _two_top(r)
    s = _u(r, 0.08, 0.13)  # loop size
    low = (0.2 + s, 1.0 - s * 0.3)
    loop = bezier(
        low, (0.2 - s, 1.0 + s * 0.3), (0.2 - s * 0.5, 1.0 - 2.2 * s), (0.3 + s, 0.97), n=16
    )
    end = _u(r, 0.75, 0.85)
    return [chain(top, line(*top[-1], *low), loop, line(0.3 + s, 0.97, end, 1.0))]


# 3 -------------------------------------------------------------------------------------------
def three_round(r: np.random.Generator) -> Strokes:
    """Two bowls in one stroke."""
    up = arc(0.5, 0.25, _u(r, 0.22, 0.28), 0.25, _u(r, 145, 170), -100, 24)
    low = arc(0.5, 0.73, _u(r, 0.27, 0.33), 0.27, 95, -_u(r, 140, 165), 28)
    return [chain(up, low)]


def three_flat_top(r: np.random.Generator) -> Strokes:
    """A flat top, a diagonal, one bowl."""
    bowl = arc(0.48, 0.7, _u(r, 0.28, 0.34), 0.3, 100, -_u(r, 140, 165), 28)
    return [chain(line(0.22, 0.0, 0.78, 0.0), line(0.78, 0.0, *bowl[0]), bowl)]


# 4 -------------------------------------------------------------------------------------------
def four_closed(r: np.random.Generator) -> Strokes:
    """Diagonal and bar in one stroke, then the stem from the diagonal's top."""
    bar_y = _u(r, 0.6, 0.7)
    stem_x = _u(r, 0.6, 0.68)
    return [
        chain(line(stem_x, 0.0, 0.15, bar_y), line(0.15, bar_y, 0.85, bar_y)),
        line(stem_x, 0.0, stem_x, 1.0),
    ]


def four_open(r: np.random.Generator) -> Strokes:
    """An open top: down, across, then the stem apart from the first stroke."""
    bar_y = _u(r, 0.5, 0.65)
    stem_x = _u(r, 0.6, 0.7)
    return [
        chain(line(0.25, 0.0, 0.2, bar_y), line(0.2, bar_y, 0.85, bar_y)),
        line(stem_x, _u(r, 0.0, 0.1), stem_x, 1.0),
    ]


# 5 -------------------------------------------------------------------------------------------
def _five_body(r: np.random.Generator, closing: float, corner: float) -> Stroke:
    """Stem then belly; `closing` is where the belly ends (degrees), `corner` rounds the join."""
    stem_bottom = (0.27, _u(r, 0.38, 0.5))
    bowl = arc(0.48, 0.7, _u(r, 0.26, 0.32), 0.3, 140, -closing, 26)
    bend = (0.27 + corner, stem_bottom[1] - corner)
    return chain(line(0.3, 0.0, *stem_bottom), bezier(stem_bottom, bend, bowl[0], n=6), bowl)


def five_two_strokes(r: np.random.Generator) -> Strokes:
    return [_five_body(r, _u(r, 140, 165), 0.1), line(0.3, 0.0, _u(r, 0.72, 0.85), 0.0)]


def five_one_stroke(r: np.random.Generator) -> Strokes:
    """Top bar right to left, down the stem and round the belly, pen never lifted: the bar is
    short, the stem leans into a round belly that curls back towards the stem."""
    start = (_u(r, 0.55, 0.8), _u(r, -0.04, 0.04))
    top = (_u(r, 0.25, 0.32), _u(r, 0.0, 0.05))
    body = _five_body(r, _u(r, 160, 235), _u(r, 0.0, 0.06))
    return [chain(bezier(start, top, n=6), body)]


# 6 -------------------------------------------------------------------------------------------
def six_curved(r: np.random.Generator) -> Strokes:
    """A curved stem into the loop."""
    ry = _u(r, 0.24, 0.3)
    stem = bezier((0.72, 0.0), (0.35, 0.05), (0.2, 0.45), (0.22, 1.0 - ry), n=16)
    return [chain(stem, arc(0.5, 1.0 - ry, 0.28, ry, 180, 180 + _u(r, 330, 370), 32))]


def six_straight(r: np.random.Generator) -> Strokes:
    """A straight stem into the loop."""
    ry = _u(r, 0.22, 0.28)
    return [
        chain(
            line(0.6, 0.0, 0.22, 1.0 - ry),
            arc(0.5, 1.0 - ry, 0.28, ry, 180, 180 + _u(r, 330, 370), 32),
        )
    ]


# 7 -------------------------------------------------------------------------------------------
def _seven(r: np.random.Generator) -> tuple[Stroke, tuple[float, float]]:
    foot = (_u(r, 0.3, 0.5), 1.0)
    corner = (0.8, _u(r, -0.03, 0.05))
    start = (0.2, _u(r, 0.0, 0.08))
    stem = bezier(corner, (0.8 - _u(r, 0.1, 0.25), _u(r, 0.35, 0.55)), foot, n=16)
    return chain(line(*start, *corner), stem), foot


def seven_plain(r: np.random.Generator) -> Strokes:
    """Top bar and stem in one stroke."""
    return [_seven(r)[0]]


def seven_crossbar(r: np.random.Generator) -> Strokes:
    """Continental 7: a bar across the stem, often long and low, drawn after the stem."""
    stroke, foot = _seven(r)
    y = _u(r, 0.45, 0.72)
    x = float(np.interp(y, stroke[:, 1][8:], stroke[:, 0][8:]))  # the stem at height y
    return [stroke, line(x - _u(r, 0.2, 0.4), y + _u(r, -0.04, 0.04), x + _u(r, 0.05, 0.22), y)]


def seven_serif(r: np.random.Generator) -> Strokes:
    """A small downward tick before the top bar."""
    stroke, _ = _seven(r)
    return [chain(line(0.2, _u(r, 0.1, 0.2), 0.2, 0.0), stroke)]


# 8 -------------------------------------------------------------------------------------------
def eight_one_stroke(r: np.random.Generator) -> Strokes:
    """One stroke: the top loop one way, the bottom loop the other."""
    theta = np.linspace(-0.15, 2 * np.pi + _u(r, 0.0, 0.3), 64)
    mid = _u(r, 0.42, 0.5)
    y = np.where(np.cos(theta) > 0, mid - mid * np.cos(theta), mid - (1 - mid) * np.cos(theta))
    x = 0.5 - _u(r, 0.25, 0.32) * np.sin(2 * theta) * np.where(np.cos(theta) > 0, 0.85, 1.0)
    return [np.stack([x, y], axis=1)]


def eight_two_loops(r: np.random.Generator) -> Strokes:
    """Two stacked loops, drawn one after the other."""
    mid = _u(r, 0.42, 0.5)
    return [
        arc(0.5, mid / 2, _u(r, 0.18, 0.24), mid / 2, 90, 450, 32),
        arc(0.5, (1 + mid) / 2, _u(r, 0.24, 0.3), (1 - mid) / 2, 90, 450, 32),
    ]


# 9 -------------------------------------------------------------------------------------------
def _loop(r: np.random.Generator, a1: float) -> Stroke:
    return arc(0.45, 0.27, _u(r, 0.23, 0.28), 0.27, -5, a1, 36)


def nine_closed(r: np.random.Generator) -> Strokes:
    """A closed loop, then a straight stem."""
    loop = _loop(r, 360)
    return [chain(loop, line(*loop[-1], 0.68, 1.0))]


def nine_open(r: np.random.Generator) -> Strokes:
    """The loop is left open at the bottom and the stem drawn on its own, sometimes curved."""
    loop = arc(0.45, 0.27, _u(r, 0.23, 0.28), 0.27, _u(r, 0, 30), _u(r, 215, 260), 28)
    top = (0.72, _u(r, 0.05, 0.2))
    foot = (_u(r, 0.4, 0.66), 1.0)
    return [loop, bezier(top, (0.74, 0.75), foot, n=14)]


def nine_curled(r: np.random.Generator) -> Strokes:
    """The stem ends in a hook that curls left and up."""
    loop = _loop(r, 360)
    x0, y0 = loop[-1]
    hook = _u(r, 0.15, 0.3)
    tail = bezier(
        (x0, y0), (0.74, 0.85), (0.6, 1.05), (0.3, 1.0), (0.3 - hook / 3, 1.0 - hook), n=18
    )
    return [chain(loop, tail)]


DIGIT_STYLES: dict[int, dict[str, Style]] = {
    0: {"oval": zero_oval, "round": zero_round, "gap": zero_gap},
    1: {"plain": one_plain, "base": one_base, "flag": one_flag},
    2: {"plain": two_plain, "loop": two_loop},
    3: {"round": three_round, "flat-top": three_flat_top},
    4: {"closed": four_closed, "open": four_open},
    5: {"two-strokes": five_two_strokes, "one-stroke": five_one_stroke},
    6: {"curved": six_curved, "straight": six_straight},
    7: {"plain": seven_plain, "crossbar": seven_crossbar, "serif": seven_serif},
    8: {"one-stroke": eight_one_stroke, "two-loops": eight_two_loops},
    9: {"closed": nine_closed, "open": nine_open, "curled": nine_curled},
}
