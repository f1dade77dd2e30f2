// The one heatmap-drawing function every page uses, plus its colour scales and legend.

/** Diverging blue-white-red for signed values, t in [-1, 1]. */
export function divergingColour(t) {
  const c = Math.max(-1, Math.min(1, t));
  if (c >= 0) return [255 - 75 * c, 255 - 215 * c, 255 - 215 * c]; // white -> red (180, 40, 40)
  const a = -c;
  return [255 - 215 * a, 255 - 155 * a, 255 - 75 * a]; // white -> blue (40, 100, 180)
}

/** Sequential white-to-ink for non-negative values, t in [0, 1]. */
export function sequentialColour(t) {
  const c = Math.max(0, Math.min(1, t));
  return [255 - 235 * c, 255 - 215 * c, 255 - 155 * c]; // white -> dark navy (20, 40, 100)
}

/** Colour of one value under a scale {min, max, signed}. */
export function colourFor(value, scale) {
  if (scale.signed) {
    const m = Math.max(Math.abs(scale.min), Math.abs(scale.max)) || 1;
    return divergingColour(value / m);
  }
  const span = scale.max - scale.min || 1;
  return sequentialColour((value - scale.min) / span);
}

/** The scale to use for values in [min, max]: diverging when they change sign. */
export function scaleFor(min, max, forceSigned = false) {
  return { min, max, signed: forceSigned || (min < 0 && max > 0) || min < 0 };
}

/**
 * Paint a rows x cols grid into ctx, pixels crisp: pixelAt(r, c) gives [red, green, blue] or
 * [red, green, blue, alpha] (0-255) of each cell. A buffer canvas holds one pixel per cell;
 * drawImage upscales it without smoothing. Every heatmap and overlay is drawn through here.
 * Options: `box` {x, y, width, height} in canvas pixels to paint into (default: the whole
 * canvas, which is cleared first; a box is drawn over what is there) and `smooth` (default false).
 */
export function paintGrid(ctx, rows, cols, pixelAt, { box = null, smooth = false } = {}) {
  if (!rows || !cols) return;
  const buffer = document.createElement("canvas");
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

/** Draw a 2-D grid (array of rows) of values as a heatmap under `scale` {min, max, signed}. */
export function drawHeatmap(ctx, grid, scale) {
  const rows = grid.length;
  paintGrid(ctx, rows, rows ? grid[0].length : 0, (r, c) => colourFor(grid[r][c], scale));
}

/** A legend element: a gradient bar with the value range written under it. */
export function makeLegend(scale, label = "") {
  const wrap = document.createElement("div");
  wrap.className = "legend";
  const bar = document.createElement("canvas");
  bar.width = 120;
  bar.height = 10;
  bar.className = "legend-bar";
  const steps = [];
  for (let i = 0; i < 120; i += 1) {
    steps.push(scale.min + ((scale.max - scale.min) * i) / 119);
  }
  drawHeatmap(bar.getContext("2d"), [steps], scale);
  const text = document.createElement("span");
  text.className = "legend-text";
  text.textContent = `${label ? `${label}: ` : ""}${formatValue(scale.min)} … ${formatValue(scale.max)}`;
  wrap.append(bar, text);
  return wrap;
}

/** Short, readable number: 3 significant digits, no noise. */
export function formatValue(v) {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.001) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}
