// The first conv layer's kernels at one checkpoint, and each kernel's strip of snapshots over time.

import { scaleOf } from "../shared/colour.js";
import { el } from "../shared/dom.js";
import { drawHeatmap } from "../shared/paint-grid.js";
import { formatValue } from "../shared/format.js";
import { makeLegend } from "../explorer/legend.js";

const CELL = 8; // canvas pixels per weight

function kernelCanvas(kh, kw, className) {
  const canvas = el("canvas", `heatmap ${className}`);
  canvas.width = kw * CELL;
  canvas.height = kh * CELL;
  canvas.setAttribute("role", "img");
  return canvas;
}

/** The kernels panel in `root`: show(kernels, label) repaints in place; clear() empties it. */
export function createKernelsView(root) {
  let canvases = [];
  let shapeKey = "";
  const title = el("h4");
  const legendSlot = el("span", "legend-slot");
  const head = el("div", "kernel-head");
  head.append(title, legendSlot);
  const list = el("div", "kernel-list");

  return {
    /** kernels: {layer, weights: F x C x kh x kw}; label: which checkpoint. */
    show(kernels, label) {
      const { layer, weights } = kernels;
      const [f, kh, kw] = [weights.length, weights[0][0].length, weights[0][0][0].length];
      const key = `${f}x${kh}x${kw}`;
      if (key !== shapeKey) {
        shapeKey = key;
        canvases = weights.map((_, i) => {
          const figure = el("figure", "kernel");
          figure.dataset.testid = `train-kernel-${i}`;
          const canvas = kernelCanvas(kh, kw, "kernel-grid");
          figure.append(canvas, el("figcaption", "", `#${i}`));
          list.append(figure);
          return canvas;
        });
        list.replaceChildren(...canvases.map((c) => c.parentElement));
        root.replaceChildren(head, list);
      }
      const scale = scaleOf(weights.map((k) => k[0]), { signed: true });
      title.textContent = `Kernels of ${layer} · ${f} × ${kh} × ${kw} · ${label}`;
      legendSlot.replaceChildren(makeLegend(scale, "weights"));
      weights.forEach((k, i) => {
        drawHeatmap(canvases[i].getContext("2d"), k[0], scale);
        canvases[i].setAttribute("aria-label", `kernel ${i}: ${k[0].map((r) => r.map(formatValue).join(" ")).join(" / ")}`);
      });
      root.dataset.step = label;
    },
    clear() {
      shapeKey = "";
      canvases = [];
      root.replaceChildren();
      delete root.dataset.step;
    },
  };
}

/**
 * Draw each first-layer kernel as a strip of its snapshots (one row per kernel, one column per
 * checkpoint, each on its own symmetric scale); `current` (a checkpoint index) is outlined.
 */
export function drawEvolution(root, checkpoints, current) {
  const shown = checkpoints.filter((c) => c.kernels);
  if (!shown.length) {
    root.replaceChildren(el("p", "muted", "No conv layer in this network, or no checkpoint yet."));
    return;
  }
  const count = shown[0].kernels.weights.length;
  const rows = [];
  for (let f = 0; f < count; f += 1) {
    const row = el("div", "evolution-row");
    row.append(el("span", "evolution-label", `#${f}`));
    const strip = el("div", "evolution-strip");
    shown.forEach((c) => {
      const grid = c.kernels.weights[f][0];
      const canvas = kernelCanvas(grid.length, grid[0].length, "evolution-cell");
      canvas.title = `kernel ${f} at step ${c.step}`;
      canvas.setAttribute("aria-label", canvas.title);
      if (checkpoints.indexOf(c) === current) canvas.classList.add("current");
      drawHeatmap(canvas.getContext("2d"), grid, scaleOf(grid, { signed: true }));
      strip.append(canvas);
    });
    row.append(strip);
    rows.push(row);
  }
  root.replaceChildren(...rows);
}
