// Each layer of the design as the engine builds it: output shape, the formula, parameters.

import { el } from "../shared/dom.js";
import { shapeText } from "../shared/format.js";

/** Fill `table`'s body with the checked layers (GET /api/model's LayerInfo form). */
export function renderShapes(table, layers) {
  table.classList.remove("stale");
  table.tBodies[0].replaceChildren(
    ...layers.map((layer) => {
      const row = el("tr");
      row.dataset.testid = `train-shape-${layer.name}`;
      const name = el("th", "", layer.name);
      name.scope = "row";
      name.append(" ", el("span", `kind-tag tag-${layer.kind}`, layer.kind));
      row.append(
        name,
        el("td", "shape", shapeText(layer.output_shape)),
        el("td", "formula", layer.formula || howText(layer)),
        el("td", "num", layer.parameter_count.toLocaleString("en")),
      );
      return row;
    }),
  );
}

/** The shapes no longer match the design (it changed, or could not be checked). */
export function markShapesStale(table) {
  table.classList.add("stale");
}

function howText(layer) {
  const h = layer.hyperparameters || {};
  if (layer.kind === "dense") return `${h.in_features} inputs × ${h.out_features} units + ${h.out_features} biases`;
  if (layer.kind === "flatten") return `${shapeText(layer.input_shape)} laid out in one row`;
  if (layer.kind === "relu") return "max(0, x): same shape";
  return "";
}

/** "N parameters · about T to train" for the checked design and the training settings. */
export function summaryText(total, seconds) {
  const parts = [`${total.toLocaleString("en")} parameters in all`];
  if (Number.isFinite(seconds)) parts.push(`about ${durationText(seconds)} to train with these settings`);
  return `${parts.join(" · ")}.`;
}

/** Seconds as "12 s" or "3 min". */
export function durationText(seconds) {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  return `${Math.round(seconds / 60)} min`;
}
