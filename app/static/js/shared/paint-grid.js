// The one heatmap painter: every heatmap and overlay on every page is drawn through paintGrid.

import { colourLevels } from "./colour.js";

const buffers = new Map(); // "cols x rows" -> {canvas, ctx, img}: one pixel per cell, reused

function bufferFor(cols, rows) {
  const key = `${cols}x${rows}`;
  let b = buffers.get(key);
  if (!b) {
    const canvas = document.createElement("canvas");
    canvas.width = cols;
    canvas.height = rows;
    const ctx = canvas.getContext("2d");
    b = { canvas, ctx, img: ctx.createImageData(cols, rows) };
    buffers.set(key, b);
  }
  return b;
}

/**
 * Paint a rows x cols grid into ctx, pixels crisp: pixelAt(r, c) gives [red, green, blue] or
 * [red, green, blue, alpha] (0-255) of each cell. A buffer canvas holds one pixel per cell;
 * drawImage upscales it without smoothing.
 * Options: `box` {x, y, width, height} in canvas pixels to paint into (default: the whole
 * canvas, which is cleared first; a box is drawn over what is there) and `smooth` (default false).
 */
export function paintGrid(ctx, rows, cols, pixelAt, { box = null, smooth = false } = {}) {
  if (!rows || !cols) return;
  const buffer = bufferFor(cols, rows);
  const data = buffer.img.data;
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const [red, green, blue, alpha = 255] = pixelAt(r, c);
      const k = 4 * (r * cols + c);
      data[k] = red;
      data[k + 1] = green;
      data[k + 2] = blue;
      data[k + 3] = alpha;
    }
  }
  blit(ctx, buffer, { box, smooth });
}

/** Copy the buffer into ctx, upscaled into `box` (default: the whole canvas, cleared first). */
function blit(ctx, buffer, { box = null, smooth = false }) {
  buffer.ctx.putImageData(buffer.img, 0, 0);
  ctx.imageSmoothingEnabled = smooth;
  const { width, height } = ctx.canvas;
  if (!box) ctx.clearRect(0, 0, width, height);
  const to = box || { x: 0, y: 0, width, height };
  ctx.drawImage(buffer.canvas, to.x, to.y, to.width, to.height);
}

/**
 * Draw a 2-D grid (rows: arrays or typed arrays) of values as a heatmap under `scale`;
 * options as paintGrid. Colours come from the scale's 256-level table: nothing is allocated
 * per cell, which keeps a live update's dozens of maps cheap.
 */
export function drawHeatmap(ctx, grid, scale, options = {}) {
  const rows = grid.length;
  const cols = rows ? grid[0].length : 0;
  if (!rows || !cols) return;
  const { table, level } = colourLevels(scale);
  const buffer = bufferFor(cols, rows);
  const data = buffer.img.data;
  for (let r = 0; r < rows; r += 1) {
    const row = grid[r];
    for (let c = 0; c < cols; c += 1) {
      const j = 3 * level(row[c]);
      const k = 4 * (r * cols + c);
      data[k] = table[j];
      data[k + 1] = table[j + 1];
      data[k + 2] = table[j + 2];
      data[k + 3] = 255;
    }
  }
  blit(ctx, buffer, options);
}
