"""Pen strokes -> the pixels the page's canvas would hold (draw-pad.js), in NumPy.

The page draws on a 280 x 280 canvas: white paper, ink #111, lineWidth 20 px, round caps and
joins; it strokes each new segment as it arrives (one path per segment, composited "source-over"),
and a stroke of one point is a filled circle of radius lineWidth / 2. Coverage is analytic: a pixel
at distance d from a segment is covered by clip(r + 0.5 - d, 0, 1), like a canvas's anti-aliasing.
"""

from __future__ import annotations

import numpy as np

from engine.strokes.geometry import Strokes

CANVAS = 280  # the page's canvas, in pixels
LINE_WIDTH = round(CANVAS / 14)  # draw-pad.js: Math.round(canvas.width / 14) = 20
PAPER = 255  # "#fff"
INK = 0x11  # "#111"


def _capsule_coverage(
    p0: np.ndarray, p1: np.ndarray, radius: float, size: int
) -> tuple[slice, slice, np.ndarray]:
    """Coverage of a round-capped segment (p0 -> p1, pixels) -> (rows, cols, (h, w) in [0, 1])."""
    lo = np.floor(np.minimum(p0, p1) - radius - 1).astype(int).clip(0, size)
    hi = np.ceil(np.maximum(p0, p1) + radius + 1).astype(int).clip(0, size)
    ys = np.arange(lo[1], hi[1]) + 0.5  # pixel centres
    xs = np.arange(lo[0], hi[0]) + 0.5
    px = xs[None, :] - p0[0]  # (h, w)
    py = ys[:, None] - p0[1]
    d = p1 - p0
    length2 = float(d @ d)
    t = np.clip((px * d[0] + py * d[1]) / length2, 0.0, 1.0) if length2 > 0 else 0.0
    dist = np.hypot(px - t * d[0], py - t * d[1])
    cover = np.clip(radius + 0.5 - dist, 0.0, 1.0)
    return slice(lo[1], hi[1]), slice(lo[0], hi[0]), cover


def ink_coverage(
    strokes_px: Strokes, line_width: float = LINE_WIDTH, size: int = CANVAS
) -> np.ndarray:
    """Strokes in canvas pixels -> (size, size) float ink coverage in [0, 1], segment by segment."""
    clear = np.ones((size, size))  # 1 - alpha of the ink so far
    radius = line_width / 2
    for stroke in strokes_px:
        pts = np.asarray(stroke, dtype=np.float64)
        pairs = [(pts[0], pts[0])] if len(pts) == 1 else zip(pts[:-1], pts[1:], strict=True)
        for p0, p1 in pairs:
            rows, cols, cover = _capsule_coverage(p0, p1, radius, size)
            clear[rows, cols] *= 1.0 - cover
    return 1.0 - clear


def render(strokes: Strokes, line_width: float = LINE_WIDTH, size: int = CANVAS) -> np.ndarray:
    """Strokes in the unit box (0..1, like DrawPad.replay) -> (size, size) uint8 grey picture."""
    alpha = ink_coverage(
        [np.asarray(s, dtype=np.float64) * size for s in strokes], line_width, size
    )
    return np.rint(PAPER + (INK - PAPER) * alpha).astype(np.uint8)
