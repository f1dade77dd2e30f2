// Axes and labels shared by the model page's charts (pure drawing on a 2-D context).

export const COLOURS = { train: "#2463c7", val: "#d9730d", axis: "#5b6573", grid: "#e4e8ee", ink: "#1d2430" };

/** The plotting box inside the canvas, leaving room for tick labels. */
export function plotBox(ctx, { left = 92, right = 16, top = 40, bottom = 60 } = {}) {
  const { width, height } = ctx.canvas;
  return { x: left, y: top, w: width - left - right, h: height - top - bottom };
}

/** Horizontal grid lines with labels at `ticks` (values in [lo, hi]), and a title on top. */
export function drawYAxis(ctx, box, lo, hi, ticks, format, title) {
  ctx.save();
  ctx.font = "24px system-ui, sans-serif";
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of ticks) {
    const y = box.y + box.h - ((t - lo) / (hi - lo)) * box.h;
    ctx.strokeStyle = COLOURS.grid;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(box.x, y);
    ctx.lineTo(box.x + box.w, y);
    ctx.stroke();
    ctx.fillStyle = COLOURS.axis;
    ctx.fillText(format(t), box.x - 8, y);
  }
  if (title) {
    ctx.textAlign = "left";
    ctx.textBaseline = "alphabetic";
    ctx.fillStyle = COLOURS.ink;
    ctx.font = "600 26px system-ui, sans-serif";
    ctx.fillText(title, box.x, box.y - 12);
  }
  ctx.restore();
}

/** Evenly spaced round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count = 5) {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}
