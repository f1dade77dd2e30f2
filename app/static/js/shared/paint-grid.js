// The one heatmap painter: every heatmap and overlay on every page is drawn through paintGrid.

import { colourFor } from "./colour.js";

let buffer = null; // one pixel per cell; reused by every call (each call finishes with it)

/**
 * Paint a rows x cols grid into ctx, pixels crisp: pixelAt(r, c) gives [red, green, blue] or
 * [red, green, blue, alpha] (0-255) of each cell. A buffer canvas holds one pixel per cell;
 * drawImage upscales it without smoothing.
 * Options: `box` {x, y, width, height} in canvas pixels to paint into (default: the whole
 * canvas, which is cleared first; a box is drawn over what is there) and `smooth` (default false).
 */
export function paintGrid(ctx, rows, cols, pixelAt, { box = null, smooth = false } = {}) {
  if (!rows || !cols) return;
  buffer ??= document.createElement("canvas");
  buffer.width = cols;
  buffer.height = rows;
  const bctx = buffer.getContext("2d");
  const img = bctx.createImageData(cols, rows);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const [red, green, blue, alpha = 255] = pixelAt(r, c);
      const k = 4 * (r * cols + c);
      img.data[k] = red;
      img.data[k + 1] = green;
      img.data[k + 2] = blue;
      img.data[k + 3] = alpha;
    }
  }
  bctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = smooth;
  const { width, height } = ctx.canvas;
  if (!box) ctx.clearRect(0, 0, width, height);
  const to = box || { x: 0, y: 0, width, height };
  ctx.drawImage(buffer, to.x, to.y, to.width, to.height);
}

/** Draw a 2-D grid (array of rows) of values as a heatmap under `scale`; options as paintGrid. */
export function drawHeatmap(ctx, grid, scale, options = {}) {
  const rows = grid.length;
  paintGrid(ctx, rows, rows ? grid[0].length : 0, (r, c) => colourFor(grid[r][c], scale), options);
}
