"""Per-sample variation of a drawing: slant, aspect, size, position, stroke width, wobble, joins."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.strokes.geometry import Strokes, bounds, resample
from engine.strokes.render import CANVAS, LINE_WIDTH

MARGIN = 0.04  # keep the ink this far (fraction of the canvas) inside the paper
POINT_SPACING = 5.0  # px: a slow hand's pointer reports a point about every 5 px


@dataclass(frozen=True)
class Jitter:
    """How one sample is drawn; `tags` name what is unusual about it (small, thick, ...)."""

    slant: float = 0.0  # degrees, positive leans the top to the right
    rotation: float = 0.0  # degrees, positive turns clockwise on screen
    aspect: float = 1.0  # width multiplier
    height: float = 0.6  # the glyph's longer side, as a fraction of the canvas
    centre: tuple[float, float] = (0.5, 0.5)  # where the glyph's box centre lands (0..1)
    line_width: float = LINE_WIDTH  # pixels on the 280 x 280 canvas
    wobble: float = 0.0  # amplitude of the hand's tremor, in glyph heights
    join: float = 0.0  # how far strokes after the first miss their joins, in glyph heights
    spacing: float = POINT_SPACING  # px between pointer events: a fast hand draws polygons

    @property
    def tags(self) -> tuple[str, ...]:
        """Labels for the unusual parts of this jitter, for per-style reports."""
        out = []
        if self.height < 0.4:
            out.append("small")
        if self.height > 0.78:
            out.append("large")
        if self.line_width < 18:
            out.append("thin")
        if self.line_width > 22:
            out.append("thick")
        if abs(self.slant) > 20:
            out.append("slanted")
        if max(abs(self.centre[0] - 0.5), abs(self.centre[1] - 0.5)) > 0.12:
            out.append("off-centre")
        if self.spacing > 10:
            out.append("fast")
        return tuple(out)


def sample_jitter(rng: np.random.Generator) -> Jitter:
    """A random way of drawing: mostly the page's 20 px pen at a middling size, sometimes not."""
    size_kind = rng.choice(3, p=[0.2, 0.6, 0.2])
    height = float(rng.uniform(*[(0.25, 0.4), (0.4, 0.78), (0.78, 0.92)][size_kind]))
    width_kind = rng.choice(3, p=[0.15, 0.7, 0.15])
    line_width = float([rng.uniform(12, 17), LINE_WIDTH, rng.uniform(23, 30)][width_kind])
    off = rng.random() < 0.3
    centre = tuple(rng.uniform(0.15, 0.85, 2) if off else 0.5 + rng.normal(0, 0.03, 2))
    return Jitter(
        slant=float(rng.uniform(-12, 30)),
        rotation=float(rng.normal(0, 5)),
        aspect=float(np.exp(rng.uniform(np.log(0.75), np.log(1.3)))),
        height=height,
        centre=(float(centre[0]), float(centre[1])),
        line_width=line_width,
        wobble=float(rng.uniform(0, 0.03)),
        join=float(rng.uniform(0, 0.03)),
        spacing=float(rng.uniform(4, 8) if rng.random() < 0.6 else rng.uniform(10, 18)),
    )


def _wobble(stroke: np.ndarray, amplitude: float, rng: np.random.Generator) -> np.ndarray:
    """Add a smooth tremor along the stroke: a few low-frequency sines per axis."""
    if amplitude == 0 or len(stroke) < 2:
        return stroke
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(stroke, axis=0), axis=1))])
    out = stroke.copy()
    for axis in (0, 1):
        freq = rng.uniform(1.0, 4.0, 3)  # cycles per glyph height
        phase = rng.uniform(0, 2 * np.pi, 3)
        out[:, axis] += (
            amplitude * np.sin(2 * np.pi * freq[:, None] * s[None, :] + phase[:, None]).sum(0) / 3
        )
    return out


def apply_jitter(strokes: Strokes, jitter: Jitter, rng: np.random.Generator) -> Strokes:
    """Glyph strokes (unit-high box) -> strokes on the page (0..1 of the canvas), resampled."""
    x0, y0, x1, y1 = bounds(strokes)
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    span = max(y1 - y0, 1e-6)
    out = []
    for k, stroke in enumerate(strokes):
        pts = (np.asarray(stroke, dtype=np.float64) - centre) / span
        pts = _wobble(pts, jitter.wobble, rng)
        if k > 0:  # a pen lifted and put down again lands a little off
            pts = pts + rng.normal(0, jitter.join, 2)
        out.append(pts)
    shear = np.array([[1.0, -np.tan(np.radians(jitter.slant))], [0.0, 1.0]])
    c, s = np.cos(np.radians(jitter.rotation)), np.sin(np.radians(jitter.rotation))
    turn = np.array([[c, -s], [s, c]])
    linear = turn @ shear @ np.diag([jitter.aspect, 1.0])
    out = [p @ linear.T for p in out]
    bx0, by0, bx1, by1 = bounds(out)
    scale = jitter.height / max(by1 - by0, bx1 - bx0, 1e-6)  # the longer side is `height`
    scale = min(scale, (1 - 2 * MARGIN) / max(bx1 - bx0, 1e-6))  # never wider than the paper
    half_w, half_h = (bx1 - bx0) * scale / 2, (by1 - by0) * scale / 2
    cx = float(np.clip(jitter.centre[0], MARGIN + half_w, 1 - MARGIN - half_w))
    cy = float(np.clip(jitter.centre[1], MARGIN + half_h, 1 - MARGIN - half_h))
    mid = np.array([(bx0 + bx1) / 2, (by0 + by1) / 2])
    placed = [(p - mid) * scale + np.array([cx, cy]) for p in out]
    return [resample(p, jitter.spacing / CANVAS) for p in placed]
