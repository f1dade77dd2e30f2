// The network explorer page: wires the pad, the predictor and the views together.

import { getJSON, postJSON } from "../shared/api.js";
import { byTestId } from "../shared/dom.js";
import { drawHeatmap } from "../shared/paint-grid.js";
import { pictureScale } from "../shared/colour.js";
import { DrawPad } from "./draw-pad.js";
import { createPredictor } from "./predictor.js";
import { createPredictClient } from "./predict-client.js";
import { createProbabilities } from "./probabilities.js";
import { verdict } from "./verdict.js";
import { createRobustnessLab } from "./robustness-lab.js";
import { createNetworkView } from "./network-view.js";
import { showKernels } from "./kernels-view.js";
import { createExplainPanel } from "./explain-panel.js";
import { createSaliencyView } from "./saliency-view.js";
import { createTopPatches } from "./top-patches.js";
import { createTooltip } from "./tooltip.js";
import { createOverview } from "./overview.js";
import { createMapZoom } from "./map-zoom.js";
import { createDenseExplain } from "./dense-explain.js";
import { createTour } from "./tour.js";
import { loadExampleStrokes, nextExampleDigit } from "./example-strokes.js";
import { pixelsToPicture, readImageFile } from "./upload.js";
import { startModelPicker } from "./model-picker.js";

/** Start the page rooted at `doc`. */
export async function startExplorer(doc) {
  startModelPicker(doc); // ?model=<run id>: every request below goes to that network
  const byId = byTestId(doc);
  const status = doc.getElementById("status");
  /** note: "transient" (gone with the next answer) or "sticky" (stays while drawing). */
  const say = (text, isError = false, note = "") => {
    status.textContent = text;
    status.classList.toggle("error", isError);
    status.dataset.note = note;
  };
  let model;
  try {
    model = await getJSON("/api/model");
  } catch (error) {
    say(`Could not load the model: ${error.message}`, true);
    return;
  }
  const tooltip = createTooltip();
  const prediction = byId("prediction");
  const confidence = doc.getElementById("confidence");
  const input28 = byId("input-28").getContext("2d");
  const probabilities = createProbabilities(byId("probabilities"), model.class_names);
  let source = null; // a loaded picture's request fields; null: the pad's own drawing
  let pictureSource = null; // the request fields of the picture loaded last (undo may bring it back)
  let last = null; // {answer, input, saliency} of the newest prediction shown
  let explainCall = null;
  let drawingVersion = 0; // counts changes of what the pad shows: maps go only on the current one

  const network = createNetworkView(doc.getElementById("network"), model, { onPick: pickUnit, tooltip });
  for (const layer of model.layers.filter((l) => l.kind === "conv2d")) {
    getJSON(`/api/model/layers/${layer.name}/kernels`)
      .then((answer) => showKernels(network.views.get(layer.name).kernelSlot, layer.name, answer, tooltip))
      .catch((error) => say(`Could not load the kernels of ${layer.name}: ${error.message}`, true));
  }
  const panel = createExplainPanel(byId("explain-panel"), {
    onMark: (marks) => (marks ? network.mark(marks) : network.clearMarks()),
    activationsOf: (name) =>
      name === "input" ? [last?.answer.input] : last?.answer.layers.find((l) => l.name === name)?.activations,
  });

  const overview = createOverview(byId("overview"), model, {
    detailPanel: doc.getElementById("network-panel"),
    onOpen: (target, opener) =>
      target.column.type === "maps" ? zoom.open(target, opener) : dense.explainTarget(target, opener),
    onDetail: (shown) => shown && last && network.show(last.answer),
  });
  const zoom = createMapZoom(doc, {
    columns: overview.columns,
    entryOf: (name) =>
      name === "input" ? last && { activations: [last.answer.input], min: 0, max: 1 } : last?.answer.layers.find((l) => l.name === name),
    onExplain: (target) => pickUnit(target),
    onClose: () => panel.close(),
  });
  const dense = createDenseExplain(doc, {
    request: (body, signal) =>
      last
        ? postJSON("/api/explain/vector", { ...last.input, ...body }, { signal })
        : Promise.reject(new Error("Draw a digit first: then click any unit to see how it was computed.")),
    shapeOf: (name) => (name === "input" ? model.input_shape : model.layers.find((l) => l.name === name).output_shape),
    onMark: (answer) => overview.mark(answer),
    onOpen: () => panel.close(),
  });

  const lab = createRobustnessLab(byId("robustness-lab"), {
    classNames: model.class_names,
    input: () => last?.input ?? null,
  });
  const topPatches = createTopPatches(byId("top-patches"));
  const saliency = createSaliencyView(doc, {
    onChange: (method) => method && last && predictor.schedule({ now: true }),
  });

  const predictClient = createPredictClient(); // compact activations, decoded in a worker
  const predictor = createPredictor({
    request: async (signal) => {
      const method = saliency.method();
      const drawing = { version: drawingVersion, frame: pad.frame(), width: pad.canvas.width };
      const input = source || { image: await pad.toDataURLAsync(), preprocess: true };
      const [answer, map] = await Promise.all([
        predictClient.predict({ ...input, layers: "all" }, { signal }),
        method ? postJSON("/api/saliency", { ...input, method }, { signal }) : null,
      ]);
      return { answer, input, saliency: map, drawing };
    },
    onResult: showAnswer,
    onError: (error) => {
      clearAnswer(); // nothing on screen may describe an input the server refused
      confidence.textContent = "No answer";
      say(error.message, true);
    },
    onBusy: (busy) => doc.body.classList.toggle("busy", busy),
  });

  const pad = new DrawPad(byId("draw-canvas"), {
    onChange: ({ ending, setAside = false }) => {
      drawingChanged();
      if (pad.isEmpty()) return reset();
      source = pad.picture ? pictureSource : null;
      if (setAside) {
        say("A new drawing: the loaded digit is set aside. Undo (Ctrl+Z) brings it back.", false, "sticky");
      } else if (!ending && status.textContent && status.dataset.note !== "sticky" && !pad.replaying) say("");
      predictor.schedule({ now: ending });
    },
  });

  /** The pad shows something new: the map over the old drawing no longer fits it. */
  function drawingChanged() {
    drawingVersion += 1;
    saliency.clearDrawing();
  }

  function showAnswer(result) {
    last = result;
    const { answer } = result;
    if (status.classList.contains("error") || status.dataset.note === "transient") say("");
    const said = verdict(answer, model.class_names);
    prediction.textContent = said.headline;
    confidence.textContent = said.detail;
    prediction.dataset.kind = said.kind;
    probabilities.show(answer.probabilities, answer.prediction);
    drawHeatmap(input28, answer.input, pictureScale());
    overview.show(answer);
    if (overview.detailShown()) network.show(answer);
    zoom.refresh();
    dense.refresh();
    saliency.show(result.saliency, result.drawing.version === drawingVersion ? result.drawing : null);
    doc.body.classList.add("has-answer");
    lab.refresh();
    if (panel.isOpen() && panel.target()) pickUnit(panel.target(), { animate: false });
  }

  function reset() {
    predictor.cancel();
    source = null;
    clearAnswer();
    confidence.textContent = "Draw a digit";
    say("");
  }

  /** Take the prediction, bars, preview, saliency, maps and explanation off the page. */
  function clearAnswer() {
    explainCall?.abort();
    last = null;
    prediction.textContent = "?";
    probabilities.reset();
    input28.fillStyle = "#fff";
    input28.fillRect(0, 0, input28.canvas.width, input28.canvas.height);
    saliency.clear();
    network.clear();
    overview.clear();
    zoom.refresh();
    dense.close();
    lab.clear();
    doc.body.classList.remove("has-answer");
    panel.close();
  }

  async function pickUnit(target, { animate = true, keyboard = false } = {}) {
    if (!last) {
      say("Draw a digit first: then click any unit to see how it was computed.");
      return;
    }
    const layer = model.layers.find((l) => l.name === target.layer);
    const index = model.layers.indexOf(layer);
    const explained = layer.kind === "relu" ? model.layers[index - 1].name : layer.name;
    const explainedKind = model.layers.find((l) => l.name === explained).kind;
    dense.close();
    if (animate) topPatches.show(explainedKind === "conv2d" ? explained : null, target.channel);
    explainCall?.abort();
    const call = new AbortController();
    explainCall = call;
    if (animate) {
      panel.loading(target);
      keepAboveSheet(network.views.get(target.layer)?.maps?.[target.channel]?.canvas);
    }
    try {
      const body = { ...last.input, layer: explained, channel: target.channel, row: target.row, col: target.col };
      const answer = await postJSON("/api/explain", body, { signal: call.signal });
      if (explainCall === call) panel.show(answer, target, { animate, focus: keyboard });
    } catch (error) {
      if (error.name !== "AbortError") panel.fail(error.message);
    }
  }

  /** On a phone the panel is a sheet over the bottom of the page: scroll the map above it. */
  function keepAboveSheet(canvas) {
    const sheet = byId("explain-panel").getBoundingClientRect();
    if (!canvas || sheet.left > 0) return; // a side panel: nothing to avoid
    const box = canvas.getBoundingClientRect();
    if (box.top < 0 || box.bottom > sheet.top - 8) doc.defaultView.scrollBy({ top: box.bottom - (sheet.top - 16) });
  }

  byId("clear").addEventListener("click", () => pad.clear());
  byId("undo").addEventListener("click", () => pad.undo());
  doc.addEventListener("keydown", (e) => {
    if (e.target.closest?.("input, select, textarea, [contenteditable]")) return;
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "z") {
      e.preventDefault();
      pad.undo();
    } else if (e.key === "Delete" && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      pad.clear();
    }
  });
  byId("example").addEventListener("click", async () => {
    try {
      const strokes = await loadExampleStrokes();
      const digit = nextExampleDigit();
      say(`Drawing the example ${digit}…`);
      source = null;
      if (await pad.replay(strokes[digit])) say("");
    } catch (error) {
      say(error.message, true);
    }
  });
  /** Load the MNIST test digit(s) `query` selects and show the first, as a picture on the pad. */
  async function loadSample(query) {
    try {
      const { samples } = await getJSON(`/api/samples?${query}`);
      const sample = samples[0];
      if (!sample) return say("There is no MNIST test digit with that number.", true);
      source = pictureSource = { pixels: sample.pixels, preprocess: false };
      drawingChanged();
      pad.showPicture(pixelsToPicture(sample.pixels));
      say(`MNIST test digit #${sample.index}, labelled ${sample.label}.`);
      predictor.schedule({ now: true });
    } catch (error) {
      if (error.status === 503) {
        say("The MNIST test digits are not available on this server. The example drawings work without them.");
        status.title = error.message;
      } else say(`Could not load an MNIST digit: ${error.message}`, true);
    }
  }
  byId("mnist").addEventListener("click", () => {
    const digit = Math.floor(Math.random() * model.class_names.length);
    const offset = Math.floor(Math.random() * 100);
    loadSample(`digit=${digit}&count=1&offset=${offset}`);
  });
  byId("upload").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (!file) return;
    try {
      const { picture, dataURL } = await readImageFile(file);
      source = pictureSource = { image: dataURL, preprocess: true };
      drawingChanged();
      pad.showPicture(picture);
      say(`Reading ${file.name}…`, false, "transient");
      predictor.schedule({ now: true });
    } catch (error) {
      pad.clear(); // the old drawing and everything computed from it make way for the failed file
      say(`Could not read ${file.name}: ${error.message}`, true);
    }
  });
  reset();
  const tour = createTour(doc, { model, lastRequest: () => last, drawExample: () => byId("example").click() });
  if (new URLSearchParams(doc.defaultView.location.search).has("tour")) tour.open();
  const sample = new URLSearchParams(doc.defaultView.location.search).get("sample");
  if (sample !== null) {
    if (/^\d+$/.test(sample)) loadSample(`offset=${sample}&count=1`);
    else say(`?sample= wants the number of an MNIST test digit (0–9999), not "${sample}".`, true);
  }
}
