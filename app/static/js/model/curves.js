// A training curve: one value per epoch for the training and the validation images.
import { percent as percentText } from "../shared/format.js";
import { COLOURS, drawYAxis, niceTicks, plotBox } from "./chart.js";

/** Draw train/val series (arrays, one value per epoch) with an epoch axis. */
export function drawCurve(ctx, train = [], val = [], { title = "", percent = false } = {}) {
  const { width, height } = ctx.canvas;
  ctx.clearRect(0, 0, width, height);
  const values = [...train, ...val].filter((v) => Number.isFinite(v));
  if (!values.length) return;
  const box = plotBox(ctx);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const pad = (hi - lo) * 0.08 || 0.01;
  lo = Math.max(0, lo - pad);
  hi = percent ? Math.min(1, hi + pad) : hi + pad;
  const ticks = niceTicks(lo, hi, 4);
  const format = percent ? percentText : (v) => Number(v.toPrecision(2)).toString();
  drawYAxis(ctx, box, lo, hi, ticks.filter((t) => t >= lo && t <= hi), format, title);
  const epochs = Math.max(train.length, val.length);
  const xOf = (i) => box.x + (epochs > 1 ? (i / (epochs - 1)) * box.w : box.w / 2);
  const yOf = (v) => box.y + box.h - ((v - lo) / (hi - lo)) * box.h;
  ctx.save();
  ctx.font = "24px system-ui, sans-serif";
  ctx.fillStyle = COLOURS.axis;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (let i = 0; i < epochs; i += Math.max(1, Math.ceil(epochs / 8))) ctx.fillText(String(i + 1), xOf(i), box.y + box.h + 8);
  ctx.fillText("epoch", box.x + box.w / 2, box.y + box.h + 32);
  for (const [series, colour] of [[train, COLOURS.train], [val, COLOURS.val]]) {
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 3;
    ctx.beginPath();
    series.forEach((v, i) => (i ? ctx.lineTo(xOf(i), yOf(v)) : ctx.moveTo(xOf(i), yOf(v))));
    ctx.stroke();
    series.forEach((v, i) => {
      ctx.beginPath();
      ctx.arc(xOf(i), yOf(v), 4, 0, 2 * Math.PI);
      ctx.fill();
    });
  }
  ctx.restore();
}
