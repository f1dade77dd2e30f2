// A saliency map over the image it explains: the input in gray, importance as a warm glow.

/** Heat colour for t in [0, 1]: dark red -> orange -> yellow. */
export function heatColour(t) {
  const c = Math.max(0, Math.min(1, t));
  return [200 + 55 * c, 30 + 200 * c, 20 + 40 * c];
}

/**
 * Draw `input` (rows of values in [0, 1], 1 = ink) as dark ink on white and `saliency`
 * (same size, values in [0, 1]) on top: each pixel's heat colour with opacity
 * opacity * saliency^gamma (gamma < 1 lifts the many small values of a gradient map).
 * Fills the whole canvas, pixels crisp (buffer + upscaled drawImage).
 */
export function drawSaliencyOverlay(ctx, input, saliency, { opacity = 0.8, gamma = 0.7 } = {}) {
  const rows = input.length;
  const cols = rows ? input[0].length : 0;
  if (!rows || !cols) return;
  if (saliency.length !== rows || saliency[0].length !== cols) {
    throw new Error(`saliency is ${saliency.length}x${saliency[0]?.length}, input ${rows}x${cols}`);
  }
  const buffer = document.createElement("canvas");
  buffer.width = cols;
  buffer.height = rows;
  const bctx = buffer.getContext("2d");
  const img = bctx.createImageData(cols, rows);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const gray = 255 - 190 * Math.max(0, Math.min(1, input[r][c]));
      const s = Math.max(0, Math.min(1, saliency[r][c])) ** gamma;
      const a = opacity * s;
      const heat = heatColour(s);
      const k = 4 * (r * cols + c);
      for (let ch = 0; ch < 3; ch += 1) img.data[k + ch] = Math.round((1 - a) * gray + a * heat[ch]);
      img.data[k + 3] = 255;
    }
  }
  bctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.drawImage(buffer, 0, 0, ctx.canvas.width, ctx.canvas.height);
}

/**
 * The same glow over a picture already on the canvas (e.g. the user's drawing): only the heat
 * layer is drawn, stretched over `box` {x, y, width, height} (default: the whole canvas),
 * smoothed, so a 28 x 28 map reads as a soft highlight on a large drawing.
 */
export function drawSaliencyGlow(ctx, saliency, { opacity = 0.7, gamma = 0.7, box = null } = {}) {
  const rows = saliency.length;
  const cols = rows ? saliency[0].length : 0;
  if (!rows || !cols) return;
  const buffer = document.createElement("canvas");
  buffer.width = cols;
  buffer.height = rows;
  const bctx = buffer.getContext("2d");
  const img = bctx.createImageData(cols, rows);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const s = Math.max(0, Math.min(1, saliency[r][c])) ** gamma;
      const [red, green, blue] = heatColour(s);
      const k = 4 * (r * cols + c);
      img.data[k] = red;
      img.data[k + 1] = green;
      img.data[k + 2] = blue;
      img.data[k + 3] = Math.round(255 * opacity * s);
    }
  }
  bctx.putImageData(img, 0, 0);
  const { x, y, width, height } = box || { x: 0, y: 0, width: ctx.canvas.width, height: ctx.canvas.height };
  ctx.save();
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(buffer, x, y, width, height);
  ctx.restore();
}
