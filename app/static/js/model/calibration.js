// The calibration plot: in each band of confidence, how often the model was right, before and
// after temperature scaling, on MNIST test and on the drawn set (metadata.*calibration).
import { percent } from "../shared/format.js";
import { COLOURS, drawYAxis, plotBox } from "./chart.js";

/** Reliability diagram of one set on a canvas: a dot per non-empty bin, before and after. */
export function drawReliability(ctx, entry, title) {
  const { width, height } = ctx.canvas;
  ctx.clearRect(0, 0, width, height);
  const box = plotBox(ctx, { left: 92, right: 40, bottom: 70 });
  drawYAxis(ctx, box, 0, 1, [0, 0.25, 0.5, 0.75, 1], (t) => percent(t, 0), title);
  const x = (c) => box.x + c * box.w;
  const y = (a) => box.y + box.h - a * box.h;
  ctx.save();
  ctx.strokeStyle = COLOURS.axis;
  ctx.setLineDash([8, 6]);
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x(0), y(0));
  ctx.lineTo(x(1), y(1));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.font = "22px system-ui, sans-serif";
  ctx.fillStyle = COLOURS.axis;
  ctx.textAlign = "center";
  for (const t of [0, 0.5, 1]) ctx.fillText(percent(t, 0), x(t), box.y + box.h + 28);
  ctx.fillText("confidence", x(0.5), box.y + box.h + 58);
  const series = [
    [entry.reliability_before, COLOURS.val],
    [entry.reliability_after, COLOURS.train],
  ];
  for (const [rel, colour] of series) {
    if (!rel) continue;
    const total = rel.count.reduce((a, b) => a + b, 0) || 1;
    ctx.fillStyle = colour;
    rel.count.forEach((n, b) => {
      if (!n) return;
      const r = 5 + 14 * Math.sqrt(n / total);
      ctx.beginPath();
      ctx.arc(x(rel.confidence[b]), y(rel.accuracy[b]), r, 0, 2 * Math.PI);
      ctx.globalAlpha = 0.75;
      ctx.fill();
    });
  }
  ctx.restore();
}

/** Fill the calibration panel; returns false when the model records no calibration. */
export function renderCalibration(parts, meta) {
  const cal = meta.calibration;
  if (!cal || !meta.drawn?.calibration) return false;
  const sets = [
    [parts.mnistCanvas, meta.mnist_calibration, "MNIST test"],
    [parts.drawnCanvas, meta.drawn.calibration, "drawn digits"],
  ];
  const lines = [];
  for (const [canvas, entry, name] of sets) {
    if (!entry) continue;
    drawReliability(canvas.getContext("2d"), entry, name);
    lines.push(`${name}: ${percent(entry.ece_before, 2)} before, ${percent(entry.ece_after, 2)} after`);
  }
  parts.text.textContent =
    `Temperature ${cal.temperature.toFixed(3)}, fitted on the ${cal.fitted_on}. ` +
    `Expected calibration error (15 bins) — ${lines.join("; ")}.`;
  return true;
}
