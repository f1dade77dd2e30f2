// Per-class accuracy as a bar chart on a zoomed axis.
import { percent } from "../shared/format.js";
import { COLOURS, drawYAxis, niceTicks, plotBox } from "./chart.js";

/** Draw one bar per class; returns the axis floor used (a round value under the worst class). */
export function drawClassBars(ctx, accuracies, names) {
  const { width, height } = ctx.canvas;
  ctx.clearRect(0, 0, width, height);
  const box = plotBox(ctx, { left: 100, bottom: 48 });
  const worst = Math.min(...accuracies);
  const floor = Math.max(0, Math.floor((worst - 0.005) * 100) / 100);
  drawYAxis(ctx, box, floor, 1, niceTicks(floor, 1, 4), percent, "");
  const slot = box.w / accuracies.length;
  ctx.font = "26px system-ui, sans-serif";
  ctx.textAlign = "center";
  accuracies.forEach((acc, k) => {
    const barH = ((acc - floor) / (1 - floor)) * box.h;
    const x = box.x + k * slot + slot * 0.18;
    ctx.fillStyle = acc === worst ? COLOURS.val : COLOURS.train;
    ctx.fillRect(x, box.y + box.h - barH, slot * 0.64, barH);
    ctx.fillStyle = COLOURS.ink;
    ctx.textBaseline = "top";
    ctx.fillText(names[k], x + slot * 0.32, box.y + box.h + 10);
    ctx.textBaseline = "bottom";
    ctx.fillStyle = COLOURS.axis;
    ctx.font = "20px system-ui, sans-serif";
    ctx.fillText(percent(acc), x + slot * 0.32, box.y + box.h - barH - 4);
    ctx.font = "26px system-ui, sans-serif";
  });
  return floor;
}
