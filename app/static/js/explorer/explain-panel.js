// The step-by-step panel: how one unit of a conv or pooling map was computed, animated.

import { scaleOf, sharedScale } from "../shared/colour.js";
import { byPart } from "../shared/dom.js";
import { formatTerm, formatValue } from "../shared/format.js";
import { showChannels } from "./explain-channels.js";
import { buildSteps } from "./explain-steps.js";
import { drawValueGrid } from "./value-grid.js";
import { drawWindowContext } from "./window-context.js";
import { makeLegend } from "./legend.js";

const SPEEDS = { slow: 700, normal: 260, fast: 60 };

/** Wire the panel's elements (found by data-part) to a player of step lists. */
export function createExplainPanel(root, { onMark, activationsOf }) {
  const part = byPart(root);
  const els = {
    title: part("title"),
    what: part("what"),
    context: part("context"),
    contextLabel: part("context-label"),
    channel: part("channel"),
    patch: part("patch"),
    kernel: part("kernel"),
    products: part("products"),
    kernelFig: part("kernel-fig"),
    productsFig: part("products-fig"),
    patchLabel: part("patch-label"),
    sum: part("sum"),
    equation: part("equation"),
    result: part("result"),
    counter: part("counter"),
    play: part("play"),
    speed: part("speed"),
    status: part("status"),
    gridLegend: part("grid-legend"),
    channels: part("channels"),
  };
  let answer = null;
  let target = null; // {layer (clicked), channel, row, col}
  let steps = [];
  let index = 0;
  let timer = null;

  part("close").addEventListener("click", close);
  const stepTo = (i) => {
    pause();
    go(i);
  };
  part("first").addEventListener("click", () => stepTo(0));
  part("back").addEventListener("click", () => stepTo(index - 1));
  part("forward").addEventListener("click", () => stepTo(index + 1));
  part("last").addEventListener("click", () => stepTo(steps.length - 1));
  els.play.addEventListener("click", () => (timer ? pause() : play()));
  els.speed.addEventListener("change", () => timer && play());
  let returnTo = null; // the element focused when the panel opened: focus goes back there
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !root.hidden) {
      e.preventDefault();
      close();
    }
  });

  /** Show a new unit: `answer` of /api/explain for the clicked `target`; focus: move focus in. */
  function show(newAnswer, newTarget, { animate = true, focus = false } = {}) {
    pause();
    remember();
    answer = newAnswer;
    target = newTarget;
    steps = buildSteps(answer);
    root.hidden = false;
    document.body.classList.add("explaining");
    els.status.textContent = "";
    describe();
    if (animate) {
      go(0);
      play();
    } else go(steps.length - 1);
    if (focus) root.focus();
  }

  /** Keep the element outside the panel that had focus, to give focus back on close. */
  function remember() {
    const active = document.activeElement;
    if (active && active !== document.body && !root.contains(active)) returnTo = active;
  }

  function loading(newTarget) {
    remember();
    root.hidden = false;
    document.body.classList.add("explaining");
    els.status.textContent = `Loading ${newTarget.layer} map ${newTarget.channel} [${newTarget.row}, ${newTarget.col}]…`;
  }

  function fail(message) {
    els.status.textContent = message;
  }

  function close() {
    pause();
    const hadFocus = root.contains(document.activeElement);
    const wasOpen = !root.hidden;
    root.hidden = true;
    document.body.classList.remove("explaining");
    onMark(null);
    if (wasOpen && returnTo?.isConnected && (hadFocus || document.activeElement === document.body)) {
      returnTo.focus();
    }
  }

  function play() {
    pause();
    if (index >= steps.length - 1) go(0);
    els.play.textContent = "Pause";
    els.play.setAttribute("aria-pressed", "true");
    timer = setInterval(() => {
      if (index >= steps.length - 1) pause();
      else go(index + 1);
    }, SPEEDS[els.speed.value] || SPEEDS.normal);
  }

  function pause() {
    if (timer) clearInterval(timer);
    timer = null;
    els.play.textContent = "Play";
    els.play.setAttribute("aria-pressed", "false");
  }

  function describe() {
    const a = answer;
    const w = a.window;
    const isConv = a.kind === "conv2d";
    els.title.textContent = `${target.layer} · map ${target.channel} · row ${target.row}, col ${target.col}`;
    const rows = `rows ${w.row}–${w.row + w.height - 1}, cols ${w.col}–${w.col + w.width - 1}`;
    const padded = w.row < 0 || w.col < 0 ? " (partly in the zero padding)" : "";
    els.what.textContent = isConv
      ? `Reads a ${a.patch.length} × ${w.height} × ${w.width} window of ${a.input_layer} at ${rows}${padded}, multiplies it by kernel ${a.channel} value by value, adds the ${a.products.length * w.height * w.width} products and the bias.`
      : `Reads a ${w.height} × ${w.width} window of ${a.input_layer} map ${a.channel} at ${rows} and keeps the ${a.kind === "maxpool2d" ? "largest value" : "average"}.`;
    els.kernelFig.hidden = !isConv;
    els.productsFig.hidden = !isConv;
    els.patchLabel.textContent = isConv ? "window (input)" : "window";
  }

  function go(i) {
    if (!answer) return;
    index = Math.max(0, Math.min(steps.length - 1, i));
    const step = steps[index];
    const a = answer;
    const isConv = a.kind === "conv2d";
    const ch = step.channel;
    const argmax = step.phase === "done" && a.argmax ? a.argmax : null; // the value max pooling kept
    const focus = step.row === null ? argmax : [step.row, step.col];
    const planeCount = isConv ? a.patch.length : 1;
    els.channel.textContent = planeCount > 1 ? `input map ${ch} of ${planeCount} (0–${planeCount - 1})` : "";
    const patch = isConv ? a.patch[ch] : a.values;
    // one scale for the window, the kernel and the products, so equal colours mean equal values
    const scale = isConv ? sharedScale(a.patch, a.kernel, a.products) : scaleOf(a.values, { withZero: true });
    if (index === 0 || !els.gridLegend.firstChild) els.gridLegend.replaceChildren(makeLegend(scale, "grids"));
    drawValueGrid(els.patch, patch, scale, { focus });
    if (isConv) {
      drawValueGrid(els.kernel, a.kernel[ch], scale, { focus });
      const kw = a.products[0][0].length;
      const cells = a.products[0].length * kw;
      const done = { window: 0, product: step.row * kw + step.col + 1 }[step.phase] ?? cells;
      drawValueGrid(els.products, a.products[ch], scale, { focus, revealed: done });
    }
    const sourceChannel = isConv ? ch : a.channel;
    els.contextLabel.textContent = `${a.input_layer}${a.input_layer === "input" ? "" : ` map ${sourceChannel}`}`;
    drawWindowContext(els.context, activationsOf(a.input_layer)?.[sourceChannel], a.window, focus);
    els.sum.textContent = sumText(step, a);
    showChannels(els.channels, isConv ? a : null, step, scale, (c) => stepTo(steps.findIndex((s) => s.channel === c && s.phase === "product")));
    els.equation.replaceChildren(...equationLines(step, a));
    els.counter.textContent = `step ${index + 1} / ${steps.length}`;
    const isDone = step.phase === "done";
    els.result.hidden = !isDone;
    if (isDone) {
      const value = clickedValue(a);
      els.result.dataset.value = String(value);
      els.result.textContent = `${target.layer}[${target.channel}, ${target.row}, ${target.col}] = ${formatValue(value)}`;
    }
    onMark({
      inputLayer: a.input_layer,
      inputChannels: isConv ? [...Array(planeCount).keys()] : [a.channel],
      window: a.window,
      layerNames: a.activation ? [a.layer, a.activation.layer] : [a.layer],
      channel: a.channel,
      row: a.row,
      col: a.col,
      lit: isDone || step.phase === "bias" || step.phase === "activation",
    });
  }

  function clickedValue(a) {
    return a.activation && target.layer === a.activation.layer ? a.activation.value : a.result;
  }

  function sumText(step, a) {
    if (step.phase === "window") return a.kind === "conv2d" ? "Σ = 0" : "Nothing read yet.";
    if (step.phase === "product") {
      const { x, w, p } = step.term;
      return `Σ += ${formatTerm(x)} × ${formatTerm(w)} = ${formatValue(p)}  →  Σ = ${formatValue(step.running)}`;
    }
    if (step.phase === "compare") {
      const name = a.kind === "maxpool2d" ? "max so far" : "mean so far";
      return `read ${formatValue(step.value)}  →  ${name} = ${formatValue(step.running)}`;
    }
    return a.kind === "conv2d" ? `Σ = ${formatValue(a.sum)}` : `${a.kind === "maxpool2d" ? "max" : "mean"} = ${formatValue(a.result)}`;
  }

  function equationLines(step, a) {
    const order = ["window", "product", "compare", "bias", "activation", "done"];
    const reached = (phase) => order.indexOf(step.phase) >= order.indexOf(phase);
    const lines = [];
    const add = (phase, text) => {
      const li = document.createElement("li");
      li.textContent = text;
      li.className = reached(phase) ? (step.phase === phase ? "now" : "past") : "future";
      lines.push(li);
    };
    if (a.kind === "conv2d") {
      if (a.products.length > 1) {
        const sums = a.products.map((plane) => plane.flat().reduce((s, p) => s + p, 0));
        add("bias", `Σ over the ${sums.length} maps: ${sums.map(formatTerm).join(" + ")} = ${formatValue(a.sum)}`);
      }
      add("bias", `+ bias ${formatValue(a.bias)}: ${formatValue(a.sum)} + ${formatTerm(a.bias)} = ${formatValue(a.result)} → ${a.layer}`);
      if (a.activation) add("activation", `ReLU: max(0, ${formatValue(a.result)}) = ${formatValue(a.activation.value)} → ${a.activation.layer}`);
    } else {
      add("done", `${a.kind === "maxpool2d" ? "max" : "mean"} of the window = ${formatValue(a.result)} → ${a.layer}`);
    }
    return lines;
  }

  return { show, loading, fail, close, isOpen: () => !root.hidden, target: () => target };
}
