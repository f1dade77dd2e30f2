// Two finished runs side by side: size, accuracy, curves, and how each reads your digit shifted.

import { getJSON, postJSON } from "../shared/api.js";
import { el } from "../shared/dom.js";
import { percent } from "../shared/format.js";
import { drawLossChart } from "./loss-chart.js";

const SHIFTS = [-6, -4, -2, 0, 2, 4, 6]; // pixels right (+) or left (-) on the 28 x 28 input

/** (28 x 28 values in 0..1) moved `dx` pixels sideways, zeros coming in; as 0-255 pixels. */
function shifted(grid, dx) {
  return grid.map((row) => row.map((_, c) => Math.round(255 * (row[c - dx] ?? 0))));
}

async function runCard(run) {
  const card = el("div", "compare-card");
  card.dataset.testid = `train-compare-${run.id}`;
  card.append(el("h3", "", `Run ${run.id}`), el("p", "muted", run.summary || run.name || ""));
  const facts = el("ul", "facts");
  facts.append(
    el("li", "", `${run.parameter_count.toLocaleString("en")} parameters`),
    el("li", "", Number.isFinite(run.test_accuracy) ? `test accuracy ${percent(run.test_accuracy)}` : "test accuracy not measured"),
    el("li", "", `${(run.training?.train_images || 0).toLocaleString("en")} images × ${run.training?.epochs || "?"} epochs`),
  );
  const canvas = el("canvas", "chart");
  canvas.width = 760;
  canvas.height = 360;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `Run ${run.id}: validation loss and accuracy at its checkpoints`);
  card.append(facts, canvas);
  const { checkpoints } = await getJSON(`/api/runs/${encodeURIComponent(run.id)}/checkpoints`);
  const points = checkpoints.map((c) => ({ images_seen: c.images_seen, loss: c.validation_loss, accuracy: c.validation_accuracy }));
  const total = Math.max(...points.map((p) => p.images_seen));
  drawLossChart(canvas.getContext("2d"), { points, total, labels: ["validation loss", "validation accuracy"] });
  return card;
}

async function shiftTable(pair, input) {
  const first = await postJSON("/api/predict", { ...input, layers: [], model: pair[0].id });
  const table = el("table", "shift-table");
  table.dataset.testid = "train-compare-shifts";
  const head = el("tr");
  head.append(el("th", "", "shifted by"), ...SHIFTS.map((s) => el("th", "num", `${s > 0 ? "+" : ""}${s} px`)));
  table.append(el("caption", "", "Your digit moved sideways: what each network answers, and how sure it is."), head);
  for (const run of pair) {
    const row = el("tr");
    const name = el("th", "", `Run ${run.id}`);
    name.scope = "row";
    row.append(name);
    const answers = await Promise.all(
      SHIFTS.map((dx) => postJSON("/api/predict", { pixels: shifted(first.input, dx), preprocess: false, layers: [], model: run.id })),
    );
    const centre = answers[SHIFTS.indexOf(0)].prediction;
    for (const a of answers) {
      const cell = el("td", a.prediction === centre ? "num same" : "num changed", `${a.label} · ${percent(a.probabilities[a.prediction], 0)}`);
      row.append(cell);
    }
    table.append(row);
  }
  return table;
}

/** Fill `root` with the comparison of two runs (GET /api/runs records); `input`: a promise of
 * your drawing's request fields, or of null. */
export async function showComparison(root, pair, pendingInput) {
  const input = await pendingInput;
  root.hidden = false;
  root.replaceChildren(el("p", "muted", "Comparing…"));
  try {
    const cards = await Promise.all(pair.map(runCard));
    const grid = el("div", "compare-grid");
    grid.append(...cards);
    const parts = [el("h3", "", "Side by side"), grid];
    if (input) parts.push(await shiftTable(pair, input));
    else parts.push(el("p", "explainer", "Draw a digit on the pad above, then tick the runs again: each network reads it shifted a few pixels left and right. A conv network, sharing its kernels across positions, changes its mind less."));
    root.replaceChildren(...parts);
  } catch (error) {
    root.replaceChildren(el("p", "error", `Could not compare the runs: ${error.message}`));
  }
}
