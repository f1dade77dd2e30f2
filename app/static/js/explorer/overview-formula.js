// The formula preview of one unit of the overview, in words and with its numbers.
// Windows come from the API's receptive fields and sizes from its `formula`: nothing is re-derived.

import { formatValue, surePercent } from "../shared/format.js";
import { windowOf } from "./overview-layout.js";

const span = (from, size) => (size === 1 ? `${from}` : `${from}–${from + size - 1}`);
const where = (w) => `rows ${span(w.row, w.height)}, cols ${span(w.col, w.width)}`;
const padded = (w, h, wd) =>
  w.row < 0 || w.col < 0 || w.row + w.height > h || w.col + w.width > wd ? " (partly zero padding)" : "";

/**
 * target {column, channel, row, col} (maps) or {column, index} (vectors); acts(name) -> that
 * layer's activations (or undefined before the first answer). Returns [formula line, context line].
 */
export function unitFormula(target, acts) {
  const { column } = target;
  const { layer, previous } = column;
  const kind = layer.kind;
  const value = valueAt(acts(layer.name), target);
  const v = value === undefined ? "…" : formatValue(value);
  const name = column.type === "maps" ? `${layer.name}[${target.channel}, ${target.row}, ${target.col}]` : `${layer.name}[${target.index}]`;
  const seen = sees(layer, target);
  if (kind === "input") return [`${name} = ${v}: the pixel's ink (0 = background, 1 = full ink)`, "what the network reads"];
  if (kind === "conv2d") {
    const w = windowOf(layer.receptive_fields[previous.name], target.row, target.col);
    const [, h, wd] = layer.input_shape;
    const maps = layer.input_shape[0];
    const over = maps === 1 ? `the ${w.height} × ${w.width} window` : `${maps} maps × the ${w.height} × ${w.width} window`;
    return [
      `${name} = Σ (${over} of ${previous.name} at ${where(w)}${padded(w, h, wd)}) × kernel ${target.channel} + bias = ${v}`,
      `${seen}output size: ${layer.formula}`,
    ];
  }
  if (kind === "maxpool2d" || kind === "avgpool2d") {
    const w = windowOf(layer.receptive_fields[previous.name], target.row, target.col);
    const how = kind === "maxpool2d" ? "max" : "mean";
    return [
      `${name} = ${how} of the ${w.height} × ${w.width} window of ${previous.name} map ${target.channel} at ${where(w)} = ${v}`,
      `${seen}output size: ${layer.formula}`,
    ];
  }
  if (kind === "relu") {
    const before = valueAt(acts(previous.name), target);
    const at = column.type === "maps" ? `[${target.channel}, ${target.row}, ${target.col}]` : `[${target.index}]`;
    const x = before === undefined ? "…" : formatValue(before);
    return [`${name} = max(0, ${previous.name}${at}) = max(0, ${x}) = ${v}`, `${seen}negative values become 0`];
  }
  if (kind === "flatten") {
    const [c, h, w] = layer.input_shape;
    const k = target.index;
    const from = `${previous.name}[${Math.floor(k / (h * w))}, ${Math.floor(k / w) % h}, ${k % w}]`;
    return [`${name} = ${from} = ${v}`, `${c} maps of ${h} × ${w}, laid end to end, row by row`];
  }
  if (kind === "dense") {
    const n = layer.input_shape[0];
    return [
      `${name} = Σ over ${n} inputs (${previous.name}[k] × weight[${target.index}, k]) + bias = ${v}`,
      "click to see the largest contributions",
    ];
  }
  if (kind === "softmax") {
    const z = valueAt(acts(previous.name), target);
    const p = value === undefined ? "…" : surePercent(value);
    const logit = z === undefined ? "" : `, z${target.index} = ${previous.name}[${target.index}] = ${formatValue(z)}`;
    return [`P(${target.index}) = exp(z${target.index}) / Σ exp(zⱼ) = ${p}${logit}`, "click for every class's exp and the sum"];
  }
  return [`${name} = ${v}`, ""];
}

function valueAt(activations, target) {
  if (!activations) return undefined;
  if (target.index !== undefined) return activations[target.index];
  return activations[target.channel]?.[target.row]?.[target.col];
}

function sees(layer, target) {
  const rf = layer.receptive_fields?.input;
  if (!rf) return "";
  const w = windowOf(rf, target.row, target.col);
  return `sees ${w.height} × ${w.width} pixels of the input (${where(w)}) · `;
}
