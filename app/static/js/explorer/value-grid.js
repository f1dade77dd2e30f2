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
  ctx.font = `${Math.max(9, Math.floor(cw / 3.6))}px ui-monospace, SFMono-Regular, Menlo, monospace`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.strokeStyle = "rgba(29, 36, 48, 0.15)";
  ctx.lineWidth = 1;
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      ctx.strokeRect(c * cw + 0.5, r * ch + 0.5, cw - 1, ch - 1);
      const hidden = r * cols + c >= revealed;
      ctx.fillStyle = hidden ? "#9aa3af" : inkOn(colourFor(shown[r][c], scale), 140);
      ctx.fillText(hidden ? "·" : short(grid[r][c]), c * cw + cw / 2, r * ch + ch / 2);
    }
  }
  if (focus) {
    ctx.strokeStyle = WINDOW_COLOUR;
    ctx.lineWidth = 3;
    ctx.strokeRect(focus[1] * cw + 1.5, focus[0] * ch + 1.5, cw - 3, ch - 3);
  }
}

/** At most 5 characters: 0.12, -1.23, 12.3, 0 (exact values are in the text and tooltips). */
function short(v) {
  const a = Math.abs(v);
  if (a < 0.005) return "0";
  if (a >= 1000) return formatValue(v);
  return v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
}
