// A small grid of numbers over its heatmap, for the step-by-step panel.

import { WINDOW_COLOUR, colourFor, inkOn } from "../shared/colour.js";
import { drawHeatmap } from "../shared/paint-grid.js";
import { formatValue } from "../shared/format.js";

/**
 * Draw `grid` (rows of numbers) on `canvas` with each value written in its cell.
 * focus: [row, col] outlined; revealed: how many cells (row-major) to show, the rest left blank.
 */
export function drawValueGrid(canvas, grid, scale, { focus = null, revealed = Infinity } = {}) {
  const rows = grid.length;
  const cols = grid[0].length;
  const ctx = canvas.getContext("2d");
  const shown = grid.map((row, r) => row.map((v, c) => (r * cols + c < revealed ? v : 0)));
  drawHeatmap(ctx, shown, scale);
  const cw = canvas.width / cols;
  const ch = canvas.height / rows;
  const texts = grid.map((row) => Array.from(row, formatValue));
  const longest = Math.max(...texts.flat().map((t) => t.length));
  // the one number format in every cell: the font shrinks so that the longest value fits
  const size = Math.max(7, Math.min(Math.floor(cw / 3.6), Math.floor((cw - 4) / (0.62 * longest))));
  ctx.font = `${size}px ui-monospace, SFMono-Regular, Menlo, monospace`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.strokeStyle = "rgba(29, 36, 48, 0.15)";
  ctx.lineWidth = 1;
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      ctx.strokeRect(c * cw + 0.5, r * ch + 0.5, cw - 1, ch - 1);
      const hidden = r * cols + c >= revealed;
      ctx.fillStyle = hidden ? "#9aa3af" : inkOn(colourFor(shown[r][c], scale), 140);
      ctx.fillText(hidden ? "·" : texts[r][c], c * cw + cw / 2, r * ch + ch / 2);
    }
  }
  if (focus) {
    ctx.strokeStyle = WINDOW_COLOUR;
    ctx.lineWidth = 3;
    ctx.strokeRect(focus[1] * cw + 1.5, focus[0] * ch + 1.5, cw - 3, ch - 3);
  }
}
