// Dense and softmax units explained (POST /api/explain/vector): the largest contributions
// (input value × weight) drawn back onto the maps they come from, the sum and the bias;
// softmax as exp / sum with every class's numbers.

import { colourFor, scaleOf } from "../shared/colour.js";
import { el } from "../shared/dom.js";
import { formatValue, percent } from "../shared/format.js";
import { paintGrid } from "../shared/paint-grid.js";

const TOP = 12;
const CELL = 8; // canvas px per source unit in the "where they come from" picture
const signed = (v) => (v < 0 ? `(${formatValue(v)})` : formatValue(v));

/**
 * A side panel appended to doc.body. request(body, signal) -> the API answer for {layer, unit, top};
 * shapeOf(name) -> the output shape of a layer; onMark(answer | null) draws the sources elsewhere;
 * onOpen() before it shows (close other panels).
 */
export function createDenseExplain(doc, { request, shapeOf, onMark, onOpen }) {
  const root = el("aside", "explain-panel dense-explain");
  root.hidden = true;
  root.tabIndex = -1;
  root.setAttribute("data-testid", "dense-explain");
  root.setAttribute("aria-labelledby", "dense-title");
  const head = el("div", "explain-head");
  const title = el("h2", "", "");
  title.id = "dense-title";
  const close = el("button", "", "✕");
  close.type = "button";
  close.setAttribute("aria-label", "Close the explanation");
  close.setAttribute("data-testid", "dense-close");
  head.append(title, close);
  const what = el("p", "explainer", "");
  const status = el("p", "status", "");
  status.setAttribute("role", "status");
  const body = el("div", "dense-body");
  root.append(head, what, status, body);
  doc.body.append(root);
  let call = null;
  let opener = null;
  let current = null; // {layer, unit, activation}

  close.addEventListener("click", () => hide());
  root.addEventListener("keydown", (e) => {
    if (e.key === "Escape") hide();
  });

  /** Explain unit `unit` of `layer` (a dense layer or "softmax"); focus returns to `from` on close. */
  async function show({ layer, unit }, from = null, { focus = true } = {}) {
    opener = from ?? opener;
    current = { layer, unit };
    call?.abort();
    const mine = new AbortController();
    call = mine;
    onOpen();
    root.hidden = false;
    doc.body.classList.add("explaining");
    title.textContent = layer === "softmax" ? `softmax · P(${unit})` : `${layer} · unit ${unit}`;
    status.textContent = "Computing…";
    try {
      const answer = await request({ layer, unit, top: TOP }, mine.signal);
      if (call !== mine) return;
      status.textContent = "";
      if (answer.kind === "softmax") showSoftmax(answer);
      else showDense(answer);
      onMark(answer);
      if (focus) root.focus({ preventScroll: true });
    } catch (error) {
      if (error.name !== "AbortError") status.textContent = error.message;
    }
  }

  function showDense(a) {
    what.textContent =
      `Every one of the ${a.inputs} values of ${a.input_layer} is multiplied by its own weight for this unit; ` +
      `the ${a.inputs} products are added up and the bias is added. The ${a.top.length} largest products, by size:`;
    const table = el("table", "dense-table");
    table.setAttribute("data-testid", "dense-contributions");
    const headRow = el("tr");
    for (const h of ["from", "value", "× weight", "= product", ""]) headRow.append(el("th", "", h));
    table.append(headRow);
    const scale = scaleOf(a.top.map((t) => t.product), { signed: true });
    for (const t of a.top) {
      const row = el("tr");
      row.dataset.product = String(t.product);
      const from = `${a.source_layer}[${t.position.join(", ")}]`;
      const bar = el("span", "dense-bar");
      const [r, g, b] = colourFor(t.product, scale);
      bar.style.background = `rgb(${r}, ${g}, ${b})`;
      bar.style.width = `${Math.round((60 * Math.abs(t.product)) / Math.max(Math.abs(scale.min), Math.abs(scale.max)))}px`;
      const barCell = el("td");
      barCell.append(bar);
      row.append(el("td", "", from), el("td", "", formatValue(t.value)), el("td", "", formatValue(t.weight)), el("td", "", formatValue(t.product)), barCell);
      table.append(row);
    }
    const listed = a.top.reduce((s, t) => s + t.product, 0);
    const sum = el("p", "running-sum");
    sum.setAttribute("data-testid", "dense-sum");
    sum.textContent =
      `Σ = ${formatValue(listed)} (these ${a.top.length}) + ${signed(a.rest)} (the other ${a.inputs - a.top.length}) = ${formatValue(a.sum)}` +
      `   [all positive: ${formatValue(a.positive_sum)}, all negative: ${formatValue(a.negative_sum)}]`;
    sum.dataset.listed = String(listed);
    sum.dataset.rest = String(a.rest);
    sum.dataset.sum = String(a.sum);
    const lines = el("ol", "equation");
    const add = (text) => lines.append(el("li", "now", text));
    add(`+ bias ${formatValue(a.bias)}: ${formatValue(a.sum)} + ${signed(a.bias)} = ${formatValue(a.result)} → ${a.layer}`);
    if (a.activation) add(`ReLU: max(0, ${formatValue(a.result)}) = ${formatValue(a.activation.value)} → ${a.activation.layer}`);
    const result = el("p", "explain-result");
    result.setAttribute("data-testid", "dense-result");
    const value = a.activation ? a.activation.value : a.result;
    result.dataset.value = String(a.result);
    result.dataset.bias = String(a.bias);
    result.textContent = `${a.activation ? a.activation.layer : a.layer}[${a.unit}] = ${formatValue(value)}`;
    body.replaceChildren(table, sourcesFigure(a), sum, lines, result);
  }

  /** The top contributions drawn on the maps (or the vector) they come from. */
  function sourcesFigure(a) {
    const fig = el("figure", "dense-sources");
    const canvas = el("canvas", "heatmap");
    canvas.setAttribute("data-testid", "dense-sources");
    const shape = shapeOf(a.source_layer);
    const products = new Map(a.top.map((t) => [t.position.join(","), t.product]));
    const scale = scaleOf(a.top.map((t) => t.product), { signed: true });
    const colour = (key) => (products.has(key) ? colourFor(products.get(key), scale) : [246, 247, 249]);
    const ctx = canvas.getContext("2d");
    if (shape.length === 3) {
      const [c, h, w] = shape;
      const per = Math.min(8, c);
      const rows = Math.ceil(c / per);
      canvas.width = per * (w * CELL + CELL) - CELL;
      canvas.height = rows * (h * CELL + CELL) - CELL;
      for (let ch = 0; ch < c; ch += 1) {
        const box = { x: (ch % per) * (w * CELL + CELL), y: Math.floor(ch / per) * (h * CELL + CELL), width: w * CELL, height: h * CELL };
        paintGrid(ctx, h, w, (r, q) => colour(`${ch},${r},${q}`), { box });
        ctx.strokeStyle = "#c5ccd6";
        ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.width - 1, box.height - 1);
      }
    } else {
      const n = shape[0];
      const cols = Math.min(n, 32);
      const rows = Math.ceil(n / cols);
      canvas.width = cols * CELL;
      canvas.height = rows * CELL;
      paintGrid(ctx, rows, cols, (r, q) => (r * cols + q < n ? colour(String(r * cols + q)) : [255, 255, 255, 0]));
    }
    const caption = el(
      "figcaption",
      "muted",
      shape.length === 3
        ? `Where they come from: the ${shape[0]} maps of ${a.source_layer} (flattened into ${a.input_layer}); coloured cells are the products above.`
        : `Where they come from: the ${shape[0]} values of ${a.source_layer}, row by row; coloured cells are the products above.`,
    );
    fig.append(canvas, caption);
    return fig;
  }

  function showSoftmax(a) {
    what.textContent =
      "Softmax turns the 10 scores z of fc2 into probabilities: exp of each score, divided by the sum of all of them. " +
      "Subtracting the largest score first changes nothing in the result and keeps exp from overflowing." +
      (a.temperature !== 1 ? ` Each score is first divided by T = ${formatValue(a.temperature)}, the model's calibration temperature, so that its confidence matches how often it is right.` : "");
    const zt = a.temperature !== 1 ? "z / T" : "z";
    const table = el("table", "dense-table");
    table.setAttribute("data-testid", "softmax-table");
    const headRow = el("tr");
    for (const h of ["class", "z", `${zt} − max`, `exp(${zt} − max)`, "÷ sum ="]) headRow.append(el("th", "", h));
    table.append(headRow);
    a.logits.forEach((z, k) => {
      const row = el("tr", k === a.unit ? "chosen" : "");
      row.append(el("td", "", String(k)), el("td", "", formatValue(z)), el("td", "", formatValue(a.shifted[k])), el("td", "", formatValue(a.exps[k])), el("td", "", percent(a.probabilities[k])));
      table.append(row);
    });
    const sum = el("p", "running-sum");
    sum.setAttribute("data-testid", "softmax-sum");
    sum.textContent = `sum of exp(${zt} − max) = ${a.exps.map((e) => formatValue(e)).join(" + ")} = ${formatValue(a.exp_sum)}`;
    const result = el("p", "explain-result");
    result.setAttribute("data-testid", "dense-result");
    result.dataset.value = String(a.result);
    result.textContent = `P(${a.unit}) = ${formatValue(a.exps[a.unit])} / ${formatValue(a.exp_sum)} = ${percent(a.result)}`;
    body.replaceChildren(table, sum, result);
  }

  function hide({ restoreFocus = true } = {}) {
    call?.abort();
    current = null;
    if (root.hidden) return;
    root.hidden = true;
    doc.body.classList.remove("explaining");
    onMark(null);
    if (restoreFocus) opener?.focus({ preventScroll: true });
  }

  /** An overview target {column, index}: explain it when it is a dense, ReLU-after-dense or softmax unit. */
  function explainTarget(target, from) {
    const { layer, previous } = target.column;
    if (layer.kind === "dense" || layer.kind === "softmax") return show({ layer: layer.name, unit: target.index }, from);
    if (layer.kind === "relu" && previous.kind === "dense") return show({ layer: previous.name, unit: target.index }, from);
    return null;
  }

  return {
    show,
    explainTarget,
    close: () => hide({ restoreFocus: false }),
    isOpen: () => !root.hidden,
    /** A new answer: show the open unit again with the new numbers. */
    refresh: () => current && show(current, null, { focus: false }),
  };
}
