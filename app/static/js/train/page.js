// The training page: build a network, train it, watch it live, scrub its history, use it.

import { getJSON, postJSON } from "../shared/api.js";
import { byTestId } from "../shared/dom.js";
import { createBuilder } from "./builder.js";
import { PRESETS, architectureOf, designOf, presetDesign, presetMatching } from "./spec.js";
import { checkDesign } from "./design-check.js";
import { readTraining, writeTraining } from "./training-form.js";
import { END_TYPES, applyEvent, createRecord, followEvents } from "./run-record.js";
import { drawLossChart } from "./loss-chart.js";
import { createKernelsView, drawEvolution } from "./kernels-live.js";
import { createProbes } from "./probes.js";
import { createMyDigit } from "./my-digit.js";
import { createTimeline } from "./timeline.js";
import { createRunsList } from "./runs-list.js";
import { failureText, runStatusText } from "./status-text.js";
import { showUseLinks } from "./use-links.js";
import { showComparison } from "./compare.js";
import { renderConfusion } from "../model/confusion.js";

const CLASSES = Array.from({ length: 10 }, (_, d) => String(d));

const KERNELS_NOTE = "The first layer's kernels appear here at the first checkpoint: random noise at step 0, then strokes and edges.";
const POLL_MS = 2000; // how often a queued or paused run's record is re-read

/** Start the page rooted at `root` (the element with data-train-page). */
export function startTrainPage(root) {
  const $ = byTestId(root);
  const notice = $("train-error");
  const statusLine = $("train-status");
  const chart = $("train-loss-chart").getContext("2d");
  if (chart.canvas.clientWidth < 500) [chart.canvas.width, chart.canvas.height] = [520, 340]; // phone: larger type
  const buttons = { start: $("train-start"), pause: $("train-pause"), resume: $("train-resume"), stop: $("train-stop") };
  const kernels = createKernelsView($("train-kernels"));
  const probes = createProbes($("train-probes"));
  const myDigit = createMyDigit(root, sayError);
  const timeline = createTimeline(root, (i) => {
    index = i;
    frame();
  });
  const runsList = createRunsList($("train-runs"), {
    onOpen: (r) => openRun(r.id),
    onCompare: (pair) => showComparison($("train-compare"), pair, myDigit.input()),
    onDeleted: (id) => id === run?.id && closeRun(),
    say: sayError,
  });
  let run = null; // {id, record, detail, stream, poll}
  let index = -1; // the checkpoint the views show
  let shown = { checkpoint: null, evolution: "" };
  let frameWanted = false;

  /** A problem outside the run's own status line (the list, the pad, a lost connection). */
  function sayError(text) {
    notice.textContent = text || "";
    notice.hidden = !text;
  }

  function sayStatus(text, isError = false) {
    statusLine.textContent = text;
    statusLine.classList.toggle("error", isError);
  }

  // 1 · Build
  const checker = checkDesign(root, { onChecked: updateButtons });
  const builder = createBuilder($("train-builder"), (design) => {
    const preset = presetMatching(design);
    root.querySelectorAll("[data-preset]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.preset === preset)));
    $("train-preset-text").textContent = preset ? PRESETS[preset].text : "Your own network.";
    checker.check(design, readTraining($("train-form")).training);
  });
  root.querySelectorAll("[data-preset]").forEach((button) => {
    button.addEventListener("click", () => builder.set(presetDesign(button.dataset.preset)));
  });
  getJSON("/api/model")
    .then((model) => {
      PRESETS.bundled.design = designOf(model.layers);
    })
    .catch(() => {}); // the bundled preset keeps its written-out design
  builder.set(presetDesign("tiny"));
  $("train-form").addEventListener("change", () => checker.check(builder.design(), readTraining($("train-form")).training));

  // 2 · Train
  buttons.start.addEventListener("click", async () => {
    const { training, problem } = readTraining($("train-form"));
    if (problem) return sayStatus(problem, true);
    buttons.start.disabled = true;
    sayStatus("Checking the network…"); // what the page shows is no longer the last run's state
    await checker.settled(); // an edit checked just now (a field left by this click) counts
    if (!checker.ok()) {
      updateButtons();
      return sayStatus("Fix the network first: the problem is written under the layers.", true);
    }
    sayStatus("Sending the network to the server…");
    try {
      const answer = await postJSON("/api/runs", { architecture: architectureOf(builder.design()), training });
      await openRun(answer.id, answer);
      runsList.refresh();
    } catch (error) {
      if (error.status === 422) checker.refused(error);
      sayStatus(failureText(error, "start the run"), true);
    } finally {
      updateButtons();
    }
  });
  for (const action of ["pause", "resume", "stop"]) {
    buttons[action].addEventListener("click", async () => {
      if (!run) return;
      const mine = run;
      buttons[action].disabled = true;
      try {
        const answer = await postJSON(`/api/runs/${encodeURIComponent(mine.id)}/${action}`, {});
        if (run !== mine) return;
        mine.detail = { ...mine.detail, ...answer };
        if (answer.status && !END_TYPES.has(mine.record.status)) mine.record.status = answer.status;
        watchWhileWaiting(mine);
      } catch (error) {
        sayStatus(failureText(error, `${action} the run`), true);
      }
      frame();
    });
  }

  /** Show run `id` (its record so far, then its live events); `detail` if already known. */
  async function openRun(id, detail = null) {
    closeRun();
    const mine = { id, record: createRecord(id), detail, stream: null, poll: null };
    run = mine;
    runsList.mark(id);
    sayStatus("Loading the run…");
    try {
      mine.detail = { ...detail, ...(await getJSON(`/api/runs/${encodeURIComponent(id)}`)) };
    } catch (error) {
      if (run === mine) sayStatus(failureText(error, "load the run"), true);
      return;
    }
    if (run !== mine) return;
    const d = mine.detail;
    mine.record.status = d.status;
    const t = d.training || {};
    mine.record.total = d.total_images || (t.train_images && t.epochs ? t.train_images * t.epochs : 0);
    if (d.architecture && !detail) builder.set(designOf(d.architecture.layers || []));
    if (d.training && !detail) writeTraining($("train-form"), d.training);
    mine.stream = followEvents(id, {
      onEvent: (event) => {
        if (run !== mine) return;
        applyEvent(mine.record, event);
        if (END_TYPES.has(event.type)) runsList.refresh();
        frame();
      },
      onTrouble: (text) => {
        if (run !== mine) return;
        sayError(text);
        root.querySelector(".watch-panel").classList.toggle("stale", Boolean(text)); // not live now
      },
    });
    watchWhileWaiting(mine);
    frame();
  }

  /** Re-read the run's record every few seconds until it ends: while it waits (queued or
   * paused) no events come, and a pause that lands between two events shows up here. */
  function watchWhileWaiting(mine) {
    clearInterval(mine.poll);
    mine.poll = setInterval(async () => {
      if (run !== mine || END_TYPES.has(mine.record.status)) return clearInterval(mine.poll);
      try {
        const detail = await getJSON(`/api/runs/${encodeURIComponent(mine.id)}`);
        if (run !== mine) return;
        mine.detail = detail;
        // the end comes with its event (and the last checkpoints before it), not from here
        if (!END_TYPES.has(mine.record.status) && !END_TYPES.has(detail.status)) mine.record.status = detail.status;
        frame();
      } catch (error) {
        sayError(failureText(error, "read the run's state"));
      }
    }, POLL_MS);
  }

  function closeRun() {
    root.querySelector(".watch-panel").classList.remove("stale");
    if (run) {
      run.stream?.close();
      clearInterval(run.poll);
    }
    run = null;
    index = -1;
    shown = { checkpoint: null, evolution: "" };
    kernels.clear();
    $("train-kernels-note").hidden = false;
    $("train-kernels-note").textContent = KERNELS_NOTE;
    probes.clear();
    timeline.reset();
    myDigit.read(null);
    drawLossChart(chart, { points: [], total: 0 });
    $("train-evolution").replaceChildren();
    showConfusion(null);
    showUseLinks(root, null);
    sayStatus("Not started.");
    updateButtons();
  }

  function frame() {
    if (frameWanted) return;
    frameWanted = true;
    requestAnimationFrame(draw);
  }

  /** Redraw everything from the run's record: at most once per animation frame. */
  function draw() {
    frameWanted = false;
    if (!run) return;
    const { record, detail } = run;
    const checkpoints = record.checkpoints;
    const ended = END_TYPES.has(record.status);
    if (timeline.following() || index >= checkpoints.length) index = checkpoints.length - 1;
    timeline.update(checkpoints, Math.max(0, index), { ended });
    sayStatus(runStatusText(record, detail), record.status === "failed");
    const progress = $("train-progress");
    progress.value = record.total ? Math.min(1, (record.latest?.images_seen || 0) / record.total) : 0;
    if (record.status === "done") progress.value = 1;
    const c = checkpoints[index];
    const marker = c && !timeline.following() ? c.images_seen : null;
    drawLossChart(chart, { points: record.points, checkpoints, total: record.total, marker });
    chart.canvas.dataset.points = String(record.points.length);
    $("train-chart-caption").textContent = record.points.length
      ? `${record.points.length} readings of loss and accuracy on the training batches (smoothed); green dots: accuracy on validation digits at checkpoints.`
      : "Loss and accuracy appear here as it trains.";
    if (c && c !== shown.checkpoint) {
      shown.checkpoint = c;
      if (c.kernels) kernels.show(c.kernels, `step ${c.step}`);
      const note = $("train-kernels-note");
      note.hidden = Boolean(c.kernels);
      if (!c.kernels) {
        kernels.clear();
        note.textContent = "This network has no conv layer, so no kernels: each pixel has its own weights in the first dense layer.";
      }
      if (c.probes) probes.show(c.probes);
      myDigit.read({ model: run.id, checkpoint: c.step, layer: c.kernels?.layer || null });
    }
    const evolutionKey = `${checkpoints.length}:${index}`;
    if (evolutionKey !== shown.evolution) {
      shown.evolution = evolutionKey;
      drawEvolution($("train-evolution"), checkpoints, index);
      showConfusion(checkpoints.slice(0, index + 1).findLast((k) => k.confusion));
    }
    showUseLinks(root, record.status === "done" ? { ...detail, id: run.id } : null);
    updateButtons();
  }

  /** The validation confusion matrix of checkpoint `c` (an epoch end), or none yet. */
  function showConfusion(c) {
    const box = $("train-confusion");
    $("train-confusion-title").textContent = c ? `Confusion matrix at step ${c.step} (epoch ${c.epoch})` : "Confusion matrix (after the first epoch)";
    if (c) renderConfusion(box, c.confusion, CLASSES, () => {});
    else box.replaceChildren();
  }

  function updateButtons() {
    const status = run?.record.status;
    buttons.start.disabled = !checker.ok();
    buttons.pause.disabled = status !== "running";
    buttons.resume.disabled = status !== "paused";
    buttons.stop.disabled = !["queued", "running", "paused"].includes(status);
  }

  runsList.refresh();
  closeRun();
  const asked = new URLSearchParams(root.ownerDocument.defaultView.location.search).get("run");
  if (asked) openRun(asked);
}
