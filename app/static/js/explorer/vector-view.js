// Vectors (flatten, dense, softmax): a thin heatmap strip, or bars with one label per unit.

import { colourFor } from "../shared/colour.js";
import { drawHeatmap } from "../shared/paint-grid.js";
import { cellAt } from "../shared/pointer.js";
import { requestDraw, watchVisibility } from "./draw-queue.js";
import { formatValue } from "../shared/format.js";

/** A strip canvas for `length` values; hovering names the unit and its value. */
export function createStrip(name, length, tooltip) {
  const canvas = document.createElement("canvas");
  canvas.width = length;
  canvas.height = 1;
  canvas.className = "heatmap strip";
  let values = null;
  canvas.addEventListener("pointermove", (e) => {
    if (!values) return;
    const [, i] = cellAt(e, canvas, 1, length);
    tooltip.show(e, `${name}[${i}] = ${formatValue(values[i])}`);
  });
  canvas.addEventListener("pointerleave", () => tooltip.hide());
  let scale = null;
  const item = {
    canvas,
    draw() {
      const ctx = canvas.getContext("2d");
      if (values) drawHeatmap(ctx, [values], scale);
      else {
        ctx.fillStyle = "#eef1f5";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
      }
    },
  };
  watchVisibility(item);
  return {
    element: canvas,
    /** Draw the values `v` under `s` at the next frame (while on screen); null clears the strip. */
    show(v, s) {
      values = v;
      scale = s;
      requestDraw(item);
    },
  };
}

/** A bar chart canvas with one labelled bar per value; bars grow both ways from zero. */
export function createBars(labels) {
  const canvas = document.createElement("canvas");
  canvas.width = 44 * labels.length;
  canvas.height = 150;
  canvas.className = "bars";
  const ctx = canvas.getContext("2d");
  const draw = (values, scale) => {
    const { width, height } = canvas;
    const slot = width / labels.length;
    const top = 18;
    const bottom = height - 36; // room below for negative values' labels and the class names
    const lo = Math.min(0, scale.min);
    const hi = Math.max(0, scale.max);
    const span = hi - lo || 1;
    const y = (v) => top + ((hi - v) / span) * (bottom - top);
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width, height);
    ctx.strokeStyle = "#c5ccd6";
    ctx.beginPath();
    ctx.moveTo(0, y(0));
    ctx.lineTo(width, y(0));
    ctx.stroke();
    ctx.font = "12px system-ui, sans-serif";
    ctx.textAlign = "center";
    labels.forEach((label, i) => {
      const x = i * slot + slot * 0.2;
      if (values) {
        const v = values[i];
        const [r, g, b] = colourFor(v, scale.signed ? scale : { ...scale, min: 0 });
        ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
        ctx.strokeStyle = "#8a94a3";
        const y0 = y(0);
        const y1 = y(v);
        ctx.fillRect(x, Math.min(y0, y1), slot * 0.6, Math.max(1, Math.abs(y1 - y0)));
        ctx.strokeRect(x, Math.min(y0, y1), slot * 0.6, Math.max(1, Math.abs(y1 - y0)));
        if (Math.abs(y1 - y0) >= 2) {
          // Bars too short to see (a probability of 1e-9) get no number that would crowd others.
          ctx.fillStyle = "#5b6573";
          ctx.fillText(formatValue(v), i * slot + slot / 2, v >= 0 ? Math.max(12, y1 - 4) : y1 + 13);
        }
      }
      ctx.fillStyle = "#1d2430";
      ctx.fillText(label, i * slot + slot / 2, height - 5);
    });
  };
  draw(null, { min: 0, max: 1, signed: false });
  let next = null;
  const item = { canvas, draw: () => draw(...next) };
  watchVisibility(item);
  return {
    element: canvas,
    /** Draw `values` under `scale` at the next frame (while on screen); null: empty bars. */
    show(values, scale) {
      next = [values, scale];
      requestDraw(item);
    },
  };
}
