// Where a unit's window sits on the previous layer's map, zero padding included.

import { WINDOW_COLOUR, scaleOf } from "../shared/colour.js";
import { drawHeatmap } from "../shared/paint-grid.js";

/** Draw `grid` (H x W, may be missing) with a ring for the padding, the window and a focus cell. */
export function drawWindowContext(canvas, grid, window, focus) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!grid) return;
  const h = grid.length;
  const w = grid[0].length;
  const margin = Math.max(0, -window.row, -window.col, window.row + window.height - h, window.col + window.width - w);
  const cell = Math.floor(Math.min(canvas.width / (w + 2 * margin), canvas.height / (h + 2 * margin)));
  const ox = Math.floor((canvas.width - cell * (w + 2 * margin)) / 2);
  const oy = Math.floor((canvas.height - cell * (h + 2 * margin)) / 2);
  ctx.fillStyle = "#e9ecf1"; // the zero padding
  ctx.fillRect(ox, oy, cell * (w + 2 * margin), cell * (h + 2 * margin));
  const x0 = ox + margin * cell;
  const y0 = oy + margin * cell;
  drawHeatmap(ctx, grid, scaleOf(grid), { box: { x: x0, y: y0, width: w * cell, height: h * cell } });
  ctx.lineWidth = Math.max(2, cell / 3);
  ctx.strokeStyle = WINDOW_COLOUR;
  ctx.strokeRect(x0 + window.col * cell, y0 + window.row * cell, window.width * cell, window.height * cell);
  if (focus) {
    ctx.fillStyle = "rgba(242, 169, 0, 0.55)";
    ctx.fillRect(x0 + (window.col + focus[1]) * cell, y0 + (window.row + focus[0]) * cell, cell, cell);
  }
}
