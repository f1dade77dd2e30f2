// The robustness lab: change the drawing with a slider (rotate, scale, shift, thicken, noise,
// erase), watch the reading follow, and a sweep chart of every digit's probability across the
// whole range of one change ("how far can I rotate my 7 before it becomes a 1?").

import { postJSON } from "../shared/api.js";
import { surePercent } from "../shared/format.js";
import { drawHeatmap } from "../shared/paint-grid.js";
import { createPredictor } from "./predictor.js";

// name, label, range, neutral value, unit shown after the number (ranges within the API's)
const CHANGES = [
  { name: "rotate", label: "Rotate", min: -60, max: 60, step: 1, neutral: 0, unit: "°" },
  { name: "scale", label: "Scale", min: 0.4, max: 1.6, step: 0.02, neutral: 1, unit: "×" },
  { name: "shift_x", label: "Shift sideways", min: -0.4, max: 0.4, step: 0.01, neutral: 0, unit: "" },
  { name: "shift_y", label: "Shift up/down", min: -0.4, max: 0.4, step: 0.01, neutral: 0, unit: "" },
  { name: "thickness", label: "Thicker / thinner", min: -8, max: 8, step: 0.5, neutral: 0, unit: " px" },
  { name: "noise", label: "Noise", min: 0, max: 0.4, step: 0.01, neutral: 0, unit: "" },
  { name: "erase", label: "Erase from the top", min: 0, max: 0.8, step: 0.02, neutral: 0, unit: "" },
];
const SWEEP_POINTS = 25;
const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

const fmt = (change, v) => `${Number(v.toFixed(2))}${change.unit}`;

/** Build the lab in `root`; input() gives the current drawing's request fields (or null). */
export function createRobustnessLab(root, { classNames, input }) {
  root.replaceChildren();
  const head = el("h2", { text: "Robustness lab" });
  const note = el("p", {
    className: "explainer",
    text: "Change your drawing one way at a time and watch the reading. The chart sweeps the chosen change across its whole range: one line per digit.",
  });
  const sliders = el("div", { className: "lab-sliders" });
  const readout = el("div", { className: "lab-readout" });
  const seen = el("canvas", { className: "heatmap lab-input", width: 28, height: 28 });
  seen.setAttribute("aria-label", "The changed drawing as the network sees it");
  const reading = el("output", { className: "lab-prediction" });
  reading.dataset.testid = "lab-prediction";
  reading.textContent = "–";
  const sure = el("span", { className: "muted lab-sure" });
  readout.append(seen, reading, sure);
  const chartTitle = el("p", { className: "lab-chart-title" });
  const chart = el("canvas", { className: "lab-chart", width: 560, height: 220 });
  chart.dataset.testid = "lab-chart";
  chart.setAttribute("role", "img");
  const legend = el("div", { className: "lab-legend" });
  const chartBox = el("div", { className: "lab-chart-box" });
  chartBox.append(chartTitle, chart, legend);
  root.append(head, note, sliders, chartBox, readout);

  let active = CHANGES[0];
  let sweep = null; // {change, results} of the newest sweep
  const inputs = new Map();
  for (const change of CHANGES) {
    const row = el("label", { className: "lab-row" });
    const name = el("span", { text: change.label });
    const range = el("input", { type: "range" });
    Object.assign(range, { min: change.min, max: change.max, step: change.step, value: change.neutral });
    range.dataset.testid = `lab-${change.name}`;
    const value = el("span", { className: "lab-value", text: fmt(change, change.neutral) });
    range.addEventListener("input", () => {
      select(change);
      value.textContent = fmt(change, Number(range.value));
      single.schedule();
      drawChart();
    });
    range.addEventListener("change", () => sweeper.schedule({ now: true }));
    row.append(name, range, value);
    sliders.append(row);
    inputs.set(change.name, { range, value });
  }

  /** Make `change` the one applied: the other sliders go back to neutral. */
  function select(change) {
    if (change === active) return;
    const old = inputs.get(active.name);
    old.range.value = active.neutral;
    old.value.textContent = fmt(active, active.neutral);
    active = change;
    sweep = null;
    sweeper.schedule();
  }

  const current = () => Number(inputs.get(active.name).range.value);
  const ask = (values, signal) => {
    const fields = input();
    if (!fields) return Promise.resolve(null);
    return postJSON("/api/robustness", { ...fields, transform: active.name, values }, { signal });
  };

  const single = createPredictor({
    request: (signal) => ask([current()], signal),
    onResult: (answer) => answer && showPoint(answer.results[0]),
    onError: (error) => (sure.textContent = error.message),
  });
  const sweeper = createPredictor({
    request: (signal) => {
      const change = active;
      const values = Array.from({ length: SWEEP_POINTS }, (_, k) =>
        Number((change.min + ((change.max - change.min) * k) / (SWEEP_POINTS - 1)).toFixed(4)),
      );
      return ask(values, signal).then((answer) => answer && { change, results: answer.results });
    },
    onResult: (answer) => {
      if (!answer || answer.change !== active) return;
      sweep = answer;
      drawChart();
    },
    onError: (error) => (chartTitle.textContent = error.message),
  });

  function showPoint(point) {
    drawHeatmap(seen.getContext("2d"), point.input, { min: 0, max: 1, signed: false });
    if (point.prediction === null) {
      reading.textContent = "–";
      sure.textContent = "nothing left to read";
      return;
    }
    reading.textContent = classNames[point.prediction];
    sure.textContent = `${surePercent(point.probabilities[point.prediction])} sure at ${fmt(active, current())}`;
  }

  function drawChart() {
    const ctx = chart.getContext("2d");
    const { width, height } = chart;
    const pad = { left: 34, right: 10, top: 8, bottom: 22 };
    const w = width - pad.left - pad.right;
    const h = height - pad.top - pad.bottom;
    const x = (v) => pad.left + ((v - active.min) / (active.max - active.min)) * w;
    const y = (p) => pad.top + (1 - p) * h;
    ctx.clearRect(0, 0, width, height);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#667";
    ctx.strokeStyle = "#dde";
    for (const p of [0, 0.5, 1]) {
      ctx.beginPath();
      ctx.moveTo(pad.left, y(p));
      ctx.lineTo(pad.left + w, y(p));
      ctx.stroke();
      ctx.fillText(`${p * 100}%`, 2, y(p) + 4);
    }
    ctx.fillText(fmt(active, active.min), pad.left, height - 6);
    const maxText = fmt(active, active.max);
    ctx.fillText(maxText, pad.left + w - ctx.measureText(maxText).width, height - 6);
    chartTitle.textContent = `${active.label}: probability of each digit across the range`;
    legend.replaceChildren();
    if (sweep) {
      const shown = new Set(sweep.results.map((r) => r.prediction).filter((d) => d !== null));
      classNames.forEach((name, d) => {
        ctx.strokeStyle = COLOURS[d % COLOURS.length];
        ctx.lineWidth = shown.has(d) ? 2.5 : 1;
        ctx.globalAlpha = shown.has(d) ? 1 : 0.35;
        ctx.beginPath();
        sweep.results.forEach((r, k) => {
          const px = x(r.value);
          const py = y(r.probabilities[d] ?? 0);
          if (k === 0) ctx.moveTo(px, py);
          else ctx.lineTo(px, py);
        });
        ctx.stroke();
        if (shown.has(d)) {
          const key = el("span", { className: "lab-key", text: name });
          key.style.setProperty("--key", COLOURS[d % COLOURS.length]);
          legend.append(key);
        }
      });
      ctx.globalAlpha = 1;
      ctx.lineWidth = 1;
    }
    ctx.strokeStyle = "#111";
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(x(current()), pad.top);
    ctx.lineTo(x(current()), pad.top + h);
    ctx.stroke();
    ctx.setLineDash([]);
    chart.setAttribute("aria-label", `${chartTitle.textContent}; now at ${fmt(active, current())}`);
  }

  drawChart();
  return {
    /** The drawing changed: read it again with the current change, and sweep again. */
    refresh() {
      single.schedule();
      sweeper.schedule();
    },
    /** The pad was cleared. */
    clear() {
      single.cancel();
      sweeper.cancel();
      sweep = null;
      reading.textContent = "–";
      sure.textContent = "";
      seen.getContext("2d").clearRect(0, 0, 28, 28);
      drawChart();
    },
  };
}

function el(tag, { text, ...props } = {}) {
  const node = Object.assign(document.createElement(tag), props);
  if (text !== undefined) node.textContent = text;
  return node;
}
