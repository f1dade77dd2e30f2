// Your digit, read by the run's network at one checkpoint: probabilities and the first layer's maps.

import { postJSON } from "../shared/api.js";
import { scaleOf } from "../shared/colour.js";
import { byTestId } from "../shared/dom.js";
import { percent } from "../shared/format.js";
import { DrawPad } from "../explorer/draw-pad.js";
import { FeatureMap } from "../explorer/feature-map.js";
import { createPredictor } from "../explorer/predictor.js";
import { createProbabilities } from "../explorer/probabilities.js";
import { loadExampleStrokes, nextExampleDigit } from "../explorer/example-strokes.js";

const CLASSES = Array.from({ length: 10 }, (_, d) => String(d));

/**
 * The pad and its reading under `root`; say(text, isError) reports. read({model, checkpoint,
 * layer}) points it at a run's checkpoint (layer: the first conv layer, or null); it re-reads
 * the drawing at once. The drawing is re-read whenever it changes, too.
 */
export function createMyDigit(root, say) {
  const $ = byTestId(root);
  const prediction = $("train-prediction");
  const confidence = $("train-confidence");
  const mapsBox = $("train-maps");
  const mapsTitle = $("train-maps-title");
  const probabilities = createProbabilities($("train-probabilities"), CLASSES);
  let target = null; // {model, checkpoint, layer}
  let maps = [];

  const predictor = createPredictor({
    request: async (signal) => {
      const image = await pad.toDataURLAsync();
      const body = { image, preprocess: true, layers: target.layer ? [target.layer] : [] };
      return postJSON("/api/predict", { ...body, model: target.model, checkpoint: target.checkpoint }, { signal });
    },
    onResult: show,
    onError: (error) => {
      stale(true);
      say(`Could not read your digit at this checkpoint: ${error.message}`, true);
    },
  });

  const pad = new DrawPad($("train-draw"), {
    onChange: ({ ending }) => {
      if (pad.isEmpty()) return blank("Draw a digit");
      if (target) predictor.schedule({ now: ending });
      else confidence.textContent = "Start a run: it reads your digit at every checkpoint";
    },
  });

  function stale(on) {
    root.querySelector(".my-digit").classList.toggle("stale", on);
  }

  function blank(text) {
    predictor.cancel();
    prediction.textContent = "?";
    confidence.textContent = text;
    probabilities.reset();
    for (const map of maps) map.setData(null, null);
    stale(false);
  }

  function show(answer) {
    stale(false);
    prediction.textContent = answer.label;
    const p = answer.probabilities[answer.prediction];
    confidence.textContent = `${percent(p, 0)} sure, at step ${target.checkpoint}`;
    probabilities.show(answer.probabilities, answer.prediction);
    const layer = answer.layers[0];
    if (!layer) return;
    const [f, h, w] = layer.shape;
    if (maps.length !== f || maps[0].h !== h || maps[0].w !== w) {
      maps = Array.from({ length: f }, (_, i) => new FeatureMap({ label: `${layer.name} map ${i}`, height: h, width: w }));
      mapsBox.replaceChildren(...maps.map((m) => m.canvas));
    }
    const scale = scaleOf(layer.activations, { signed: true });
    maps.forEach((m, i) => m.setData(layer.activations[i], scale));
  }

  $("train-draw-clear").addEventListener("click", () => pad.clear());
  $("train-draw-example").addEventListener("click", async () => {
    try {
      await pad.replay((await loadExampleStrokes())[nextExampleDigit()]);
    } catch (error) {
      say(`Could not load the example: ${error.message}`, true);
    }
  });

  return {
    read(next) {
      const sameMaps = target && next && target.model === next.model && target.layer === next.layer;
      target = next;
      if (!sameMaps) {
        maps = [];
        mapsBox.replaceChildren();
        if (!next) mapsTitle.textContent = "The first layer's maps of your digit";
        else if (next.layer) mapsTitle.textContent = `The maps of ${next.layer}, the first layer, for your digit`;
        else mapsTitle.textContent = "This network has no conv layer: no maps to show";
      }
      if (!target) return blank(pad.isEmpty() ? "Draw a digit" : "Start a run: it reads your digit at every checkpoint");
      if (!pad.isEmpty()) predictor.schedule({ now: true });
    },
    /** Promise of the drawing as the request fields of /api/predict, or null when the pad is empty. */
    input: async () => (pad.isEmpty() ? null : { image: await pad.toDataURLAsync(), preprocess: true }),
    stale,
  };
}
