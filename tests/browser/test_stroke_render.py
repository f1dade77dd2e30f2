"""engine/strokes renders like the page: DrawPad.replay in Chromium against render()."""

from __future__ import annotations

import numpy as np
import pytest

from engine.strokes import LINE_WIDTH, evaluation_digits, render
from engine.strokes.render import INK, PAPER

pytestmark = pytest.mark.browser

REPLAY = """async (strokes) => {
  const { DrawPad } = await import("/static/js/explorer/draw-pad.js");
  const canvas = document.createElement("canvas");
  canvas.width = 280;
  canvas.height = 280;
  document.body.appendChild(canvas);
  const pad = new DrawPad(canvas);
  await pad.replay(strokes, { pointsPerFrame: 100000 });
  const data = canvas.getContext("2d").getImageData(0, 0, 280, 280).data;
  const red = [];
  for (let i = 0; i < data.length; i += 4) red.push(data[i]);
  canvas.remove();
  return red;
}"""


def page_drawn(page, strokes) -> np.ndarray:
    """(280, 280) red channel of the page's pad after replaying strokes (0..1 points)."""
    as_lists = [np.asarray(s, dtype=float).round(4).tolist() for s in strokes]
    return np.array(page.evaluate(REPLAY, as_lists), dtype=np.float64).reshape(280, 280)


def pen_drawings():
    """Evaluation drawings made with the page's own pen width, one per style of 5, 7, 8 and 9."""
    chosen = {}
    for d in evaluation_digits(12):
        if d.label in (5, 7, 8, 9) and d.jitter.line_width == LINE_WIDTH:
            chosen.setdefault(d.style, d)
    return list(chosen.values())


def test_renderer_matches_the_page_canvas(page, live_server) -> None:
    page.goto(live_server + "/")
    drawings = pen_drawings()
    assert len(drawings) >= 6
    cases = [d.strokes for d in drawings] + [
        [np.array([[0.3, 0.4]]), np.array([[0.6, 0.2], [0.7, 0.8]])]
    ]
    for strokes in cases:
        theirs = page_drawn(page, strokes)
        ours = render(strokes).astype(np.float64)
        assert np.abs(ours - theirs).mean() < 0.5  # grey levels out of 255 (measured 0.06-0.17)
        ink_theirs = ((PAPER - theirs) / (PAPER - INK)).sum()
        ink_ours = ((PAPER - ours) / (PAPER - INK)).sum()
        assert ink_ours == pytest.approx(ink_theirs, rel=0.01)  # measured within 0.3 %
        assert np.mean((ours < 128) != (theirs < 128)) < 0.003
    assert page.console_errors == []
