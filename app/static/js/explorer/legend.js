// A layer's colour legend: a gradient bar with the value range written under it.

import { drawHeatmap } from "../shared/paint-grid.js";
import { formatValue } from "../shared/format.js";

const STEPS = 120; // canvas pixels of the bar

/** A legend element for `scale` {min, max, signed}, its text prefixed by `label`. */
export function makeLegend(scale, label = "") {
  const wrap = document.createElement("div");
  wrap.className = "legend";
  const bar = document.createElement("canvas");
  bar.width = STEPS;
  bar.height = 10;
  bar.className = "legend-bar";
  const steps = [];
  for (let i = 0; i < STEPS; i += 1) {
    steps.push(scale.min + ((scale.max - scale.min) * i) / (STEPS - 1));
  }
  drawHeatmap(bar.getContext("2d"), [steps], scale);
  const text = document.createElement("span");
  text.className = "legend-text";
  text.textContent = legendText(scale, label);
  wrap.append(bar, text);
  return wrap;
}

/** Put a legend for `scale` in `slot`, redrawing the bar only when the scale's kind changes. */
export function setLegend(slot, scale, label = "") {
  const old = slot.firstElementChild;
  const kind = scale.signed ? "signed" : "sequential";
  if (old && old.dataset.kind === kind) {
    old.querySelector(".legend-text").textContent = legendText(scale, label);
    return;
  }
  const legend = makeLegend(scale, label);
  legend.dataset.kind = kind;
  slot.replaceChildren(legend);
}

function legendText(scale, label) {
  return `${label ? `${label}: ` : ""}${formatValue(scale.min)} … ${formatValue(scale.max)}`;
}
