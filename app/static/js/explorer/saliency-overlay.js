// A saliency map over the image it explains: the input in gray, importance in the sequential scale (white to red).

import { sequentialColour } from "../shared/colour.js";
import { paintGrid } from "../shared/paint-grid.js";

/**
 * Draw `input` (rows of values in [0, 1], 1 = ink) as dark ink on white and `saliency`
 * (same size, values in [0, 1]) on top: each pixel's heat colour with opacity
 * opacity * saliency^gamma (gamma < 1 lifts the many small values of a gradient map).
 * Fills the whole canvas, pixels crisp (through the shared paintGrid).
 */
export function drawSaliencyOverlay(ctx, input, saliency, { opacity = 0.9, gamma = 0.7 } = {}) {
  const rows = input.length;
  const cols = rows ? input[0].length : 0;
  if (!rows || !cols) return;
  if (saliency.length !== rows || saliency[0].length !== cols) {
    throw new Error(`saliency is ${saliency.length}x${saliency[0]?.length}, input ${rows}x${cols}`);
  }
  paintGrid(ctx, rows, cols, (r, c) => {
    const gray = 255 - 190 * Math.max(0, Math.min(1, input[r][c]));
    const s = Math.max(0, Math.min(1, saliency[r][c])) ** gamma;
    const a = opacity * s;
    return sequentialColour(s).map((h) => Math.round((1 - a) * gray + a * h));
  });
}

/**
 * Draw the 28 x 28 `saliency` back over the drawing it came from, on a transparent ctx stacked
 * on the pad: the part inside `placement.target` (the glyph's box in 28 x 28) is stretched over
 * `placement.source` (the ink's box in the image sent), which `frame` {x, y, scale} maps to the
 * canvas. placement null (no preprocessing): the image sent was the 28 x 28 itself.
 */
export function drawSaliencyOnDrawing(ctx, saliency, placement, frame, { opacity = 0.75, gamma = 0.7 } = {}) {
  const rows = saliency.length;
  const cols = rows ? saliency[0].length : 0;
  const whole = { top: 0, left: 0, height: rows, width: cols };
  const { source, target } = placement || { source: whole, target: whole };
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  const box = {
    x: frame.x + source.left * frame.scale,
    y: frame.y + source.top * frame.scale,
    width: source.width * frame.scale,
    height: source.height * frame.scale,
  };
  paintGrid(
    ctx,
    target.height,
    target.width,
    (r, c) => {
      const s = Math.max(0, Math.min(1, saliency[target.top + r][target.left + c])) ** gamma;
      return [...sequentialColour(s), Math.round(255 * opacity * s)];
    },
    { box, smooth: true },
  );
}
