// A saliency map over the image it explains: the input in gray, importance as a warm glow.

import { paintGrid } from "./heatmap.js";

/** Heat colour for t in [0, 1]: dark red -> orange -> yellow. */
export function heatColour(t) {
  const c = Math.max(0, Math.min(1, t));
  return [200 + 55 * c, 30 + 200 * c, 20 + 40 * c];
}

/**
 * Draw `input` (rows of values in [0, 1], 1 = ink) as dark ink on white and `saliency`
 * (same size, values in [0, 1]) on top: each pixel's heat colour with opacity
 * opacity * saliency^gamma (gamma < 1 lifts the many small values of a gradient map).
 * Fills the whole canvas, pixels crisp (through the shared paintGrid).
 */
export function drawSaliencyOverlay(ctx, input, saliency, { opacity = 0.8, gamma = 0.7 } = {}) {
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
    return heatColour(s).map((h) => Math.round((1 - a) * gray + a * h));
  });
}
