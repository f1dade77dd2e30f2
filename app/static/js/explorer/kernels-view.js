// The kernels of a conv layer as small heatmaps: one group per kernel, one grid per input map.

import { drawHeatmap } from "../shared/paint-grid.js";
import { formatValue } from "../shared/format.js";
import { scaleFor } from "../shared/colour.js";
import { cellAt } from "../shared/pointer.js";
import { makeLegend } from "./legend.js";

const CELL = 9; // canvas pixels per weight

/** Fill `slot` with the kernels of `layerName` (answer of GET /api/model/layers/{name}/kernels). */
export function showKernels(slot, layerName, answer, tooltip) {
  const scale = scaleFor(answer.min, answer.max, true);
  const [filters, channels, kh, kw] = answer.shape;
  const head = document.createElement("div");
  head.className = "kernel-head";
  const title = document.createElement("h4");
  title.textContent = `Kernels of ${layerName} · ${filters} × ${channels} × ${kh} × ${kw}`;
  head.append(title, makeLegend(scale, "weights"));
  const hint = document.createElement("p");
  hint.className = "explainer";
  hint.textContent =
    channels === 1
      ? `Each ${kh} × ${kw} grid is one kernel; hover a cell to read its weight.`
      : `Each group is one kernel: ${channels} grids of ${kh} × ${kw}, one for each map it reads. Hover a cell to read its weight.`;
  const list = document.createElement("div");
  list.className = "kernel-list";
  for (let f = 0; f < filters; f += 1) {
    const group = document.createElement("figure");
    group.className = "kernel";
    group.setAttribute("data-testid", `kernel-${layerName}-${f}`);
    const grids = document.createElement("div");
    grids.className = channels > 1 ? "kernel-grids multi" : "kernel-grids";
    for (let c = 0; c < channels; c += 1) {
      grids.append(kernelCanvas(answer.weights[f][c], scale, `${layerName} kernel ${f}, map ${c}`, tooltip));
    }
    const caption = document.createElement("figcaption");
    caption.textContent = `#${f}`;
    group.title = `kernel ${f}: bias ${formatValue(answer.bias[f])}`;
    group.append(grids, caption);
    list.append(group);
  }
  slot.replaceChildren(head, hint, list);
}

function kernelCanvas(grid, scale, label, tooltip) {
  const rows = grid.length;
  const cols = grid[0].length;
  const canvas = document.createElement("canvas");
  canvas.width = cols * CELL;
  canvas.height = rows * CELL;
  canvas.className = "heatmap kernel-grid";
  canvas.setAttribute("role", "img");
  canvas.setAttribute(
    "aria-label",
    `${label}: ${grid.map((row) => row.map(formatValue).join(" ")).join(" / ")}`,
  );
  drawHeatmap(canvas.getContext("2d"), grid, scale);
  canvas.addEventListener("pointermove", (e) => {
    const [r, c] = cellAt(e, canvas, rows, cols);
    tooltip.show(e, `${label} [${r}, ${c}] = ${formatValue(grid[r][c])}`);
  });
  canvas.addEventListener("pointerleave", () => tooltip.hide());
  return canvas;
}
