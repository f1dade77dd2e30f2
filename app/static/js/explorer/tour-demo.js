// A tour step's small live example: one of the playground's presets, with the playground's own
// numbers, sent to POST /api/convolve; the window slides over the input as the map fills in.

import { postJSON } from "../shared/api.js";
import { WINDOW_COLOUR, scaleOf } from "../shared/colour.js";
import { el } from "../shared/dom.js";
import { shapeText } from "../shared/format.js";
import { kernelPattern, presetNamed, randomInput, randomKernels } from "../playground/state.js";
import { drawValueGrid } from "./value-grid.js";

const CELL = 26; // canvas px per cell
const TICK = 700; // ms per position of the window

/** The preset's input and kernels, exactly as the playground makes them. */
export function presetNumbers(name) {
  const preset = presetNamed(name);
  const s = preset.settings;
  const input = randomInput(s);
  let kernels = randomKernels(s);
  if (preset.kernel) kernels = kernels.map(() => kernelPattern(preset.kernel, s.kernelSize, s.channels));
  return { settings: s, input, kernels };
}

/** Fill `box` with the preset's convolution, animated; returns stop(). */
export function showDemo(box, name, { signal } = {}) {
  const { settings, input, kernels } = presetNumbers(name);
  let timer = null;
  box.replaceChildren(el("p", "muted", "Computing…"));
  postJSON("/api/convolve", { input, kernels, stride: settings.stride, padding: settings.padding }, { signal })
    .then((answer) => {
      box.replaceChildren();
      if (kernels.length === 1) timer = slide(box, input, kernels, answer);
      else many(box, input, kernels, answer);
    })
    .catch((error) => {
      if (error.name !== "AbortError") box.replaceChildren(el("p", "error", error.message));
    });
  return () => timer && clearInterval(timer);
}

function canvasFor(rows, cols, label) {
  const fig = el("figure", "tour-grid");
  const canvas = el("canvas");
  canvas.width = cols * CELL;
  canvas.height = rows * CELL;
  fig.append(canvas, el("figcaption", "", label));
  return { fig, canvas };
}

function slide(box, input, kernels, answer) {
  const [ph, pw] = answer.padding;
  const plane = input[0];
  const padded = Array.from({ length: plane.length + 2 * ph }, (_, r) =>
    Array.from({ length: plane[0].length + 2 * pw }, (_, c) => plane[r - ph]?.[c - pw] ?? 0),
  );
  const [, ho, wo] = answer.output_shape;
  const source = canvasFor(padded.length, padded[0].length, ph || pw ? `input ${shapeText([plane.length, plane[0].length])}, padded` : `input ${shapeText([plane.length, plane[0].length])}`);
  const kernel = canvasFor(kernels[0][0].length, kernels[0][0][0].length, "kernel");
  const out = canvasFor(ho, wo, `map ${ho} × ${wo}`);
  const formula = el("p", "tour-formula", `${answer.formula} · stride ${answer.stride.join(" × ")} · padding ${answer.padding.join(" × ")}`);
  formula.setAttribute("data-testid", "tour-formula");
  box.append(el("div", "tour-grids"), formula);
  box.firstChild.append(source.fig, el("span", "op", "×"), kernel.fig, el("span", "op", "→"), out.fig);
  box.dataset.outputShape = answer.output_shape.join(",");
  const inScale = scaleOf(padded);
  drawValueGrid(kernel.canvas, kernels[0][0], scaleOf(kernels[0][0], { signed: true }));
  const outScale = scaleOf(answer.output, { signed: true });
  let i = 0;
  const tick = () => {
    const step = answer.steps[i];
    drawValueGrid(source.canvas, padded, inScale);
    const ctx = source.canvas.getContext("2d");
    ctx.lineWidth = 3;
    ctx.strokeStyle = WINDOW_COLOUR;
    const w = step.window;
    ctx.strokeRect(w.padded_col * CELL + 1.5, w.padded_row * CELL + 1.5, w.width * CELL - 3, w.height * CELL - 3);
    drawValueGrid(out.canvas, answer.output[0], outScale, { focus: [step.row, step.col], revealed: i + 1 });
    i = (i + 1) % answer.steps.length;
  };
  tick();
  return setInterval(tick, TICK);
}

function many(box, input, kernels, answer) {
  const shapes = el(
    "p",
    "tour-formula",
    `input ${shapeText([input.length, input[0].length, input[0][0].length])} · ${kernels.length} kernels of ${shapeText([kernels[0].length, kernels[0][0].length, kernels[0][0][0].length])} → maps ${shapeText(answer.output_shape)}`,
  );
  shapes.setAttribute("data-testid", "tour-formula");
  box.dataset.outputShape = answer.output_shape.join(",");
  const grid = el("div", "tour-maps");
  const scale = scaleOf(answer.output, { signed: true });
  answer.output.forEach((map, f) => {
    const { fig, canvas } = canvasFor(map.length, map[0].length, `#${f + 1}`);
    drawValueGrid(canvas, map, scale);
    grid.append(fig);
  });
  box.append(shapes, grid);
}
