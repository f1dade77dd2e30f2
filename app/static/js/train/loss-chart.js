// The live training curves: loss (left axis) and accuracy (right axis) against images seen.

import { formatValue, percent } from "../shared/format.js";
import { COLOURS, niceTicks } from "../model/chart.js";

const LOSS = "#2463c7";
const ACCURACY = "#d9730d";
const VAL = "#1d6b3f";
const FONT = "22px system-ui, sans-serif";

/**
 * Draw `points` ([{images_seen, loss, accuracy}]) and `checkpoints` (validation accuracy, as
 * dots) on ctx; `total` is the x-axis end (images the run will see); `marker` an images_seen
 * to mark with a vertical line (the timeline's checkpoint), or null; `labels` name the two curves.
 */
export function drawLossChart(ctx, { points, checkpoints = [], total, marker = null, labels = ["loss", "accuracy"] }) {
  const { width, height } = ctx.canvas;
  ctx.clearRect(0, 0, width, height);
  const box = { x: 70, y: 36, w: width - 150, h: height - 90 };
  const losses = points.map((p) => p.loss).filter(Number.isFinite);
  const hiLoss = Math.max(0.5, ...losses) * 1.05;
  const end = Math.max(1, total || 0, ...points.map((p) => p.images_seen));
  const xOf = (n) => box.x + (n / end) * box.w;
  const yLoss = (v) => box.y + box.h - (v / hiLoss) * box.h;
  const yAcc = (v) => box.y + box.h - v * box.h;
  ctx.save();
  ctx.font = FONT;
  ctx.lineWidth = 2;
  ctx.textBaseline = "middle";
  for (const t of niceTicks(0, hiLoss, 4).filter((t) => t <= hiLoss)) {
    ctx.strokeStyle = COLOURS.grid;
    line(ctx, box.x, yLoss(t), box.x + box.w, yLoss(t));
    ctx.fillStyle = LOSS;
    ctx.textAlign = "right";
    ctx.fillText(formatValue(t), box.x - 8, yLoss(t));
  }
  ctx.fillStyle = ACCURACY;
  ctx.textAlign = "left";
  for (const t of [0, 0.25, 0.5, 0.75, 1]) ctx.fillText(percent(t, 0), box.x + box.w + 8, yAcc(t));
  ctx.fillStyle = COLOURS.axis;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of niceTicks(0, end, 4).filter((t) => t <= end)) {
    ctx.fillText(t >= 1000 ? `${formatValue(t / 1000)}k` : String(t), xOf(t), box.y + box.h + 8);
  }
  ctx.fillText("images seen", box.x + box.w / 2, box.y + box.h + 34);
  ctx.textAlign = "left";
  ctx.textBaseline = "alphabetic";
  ctx.font = `600 ${FONT}`;
  let x = box.x;
  for (const [text, colour] of [[labels[0], LOSS], [labels[1], ACCURACY], [checkpoints.length ? "● validation" : "", VAL]]) {
    ctx.fillStyle = colour;
    ctx.fillText(text, x, box.y - 12);
    x += ctx.measureText(text).width + 24;
  }
  series(ctx, points, (p) => p.loss, xOf, yLoss, LOSS);
  series(ctx, points, (p) => p.accuracy, xOf, yAcc, ACCURACY);
  ctx.fillStyle = VAL;
  for (const c of checkpoints) {
    if (!Number.isFinite(c.val_accuracy)) continue;
    ctx.beginPath();
    ctx.arc(xOf(c.images_seen), yAcc(c.val_accuracy), 5, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (marker !== null) {
    ctx.strokeStyle = COLOURS.ink;
    ctx.setLineDash([6, 4]);
    line(ctx, xOf(marker), box.y, xOf(marker), box.y + box.h);
    ctx.setLineDash([]);
  }
  ctx.strokeStyle = COLOURS.axis;
  ctx.strokeRect(box.x, box.y, box.w, box.h);
  ctx.restore();
}

function line(ctx, x0, y0, x1, y1) {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

function series(ctx, points, value, xOf, yOf, colour) {
  const shown = points.filter((p) => Number.isFinite(value(p)));
  if (!shown.length) return;
  ctx.strokeStyle = colour;
  ctx.lineWidth = 3;
  ctx.beginPath();
  shown.forEach((p, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, xOf(p.images_seen), yOf(value(p))));
  ctx.stroke();
  if (shown.length === 1) {
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.arc(xOf(shown[0].images_seen), yOf(value(shown[0])), 4, 0, 2 * Math.PI);
    ctx.fill();
  }
}
