// The test digits of one confusion-matrix cell, each linking to the network explorer.
import { getJSON } from "../shared/api.js";
import { byTestId } from "../shared/dom.js";
import { pictureScale } from "../shared/colour.js";
import { drawHeatmap } from "../shared/paint-grid.js";
import { modelInAddress } from "../explorer/model-picker.js";

const INK = pictureScale(0, 255);
const SHOWN = 32;
let latest = 0; // only the answer to the most recent click is drawn

function card(sample, names) {
  const figure = document.createElement("figure");
  figure.className = "digit";
  figure.dataset.testid = `digit-${sample.index}`;
  const canvas = document.createElement("canvas");
  canvas.width = 84;
  canvas.height = 84;
  canvas.className = "heatmap";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `test digit ${sample.index}, a ${names[sample.label]}`);
  drawHeatmap(canvas.getContext("2d"), sample.pixels, INK);
  const caption = document.createElement("figcaption");
  const link = document.createElement("a");
  const model = modelInAddress(window); // a trained run's report links to that run's explorer
  link.href = `/?sample=${sample.index}${model ? `&model=${encodeURIComponent(model)}` : ""}`;
  link.textContent = "open in explorer";
  link.dataset.testid = `open-${sample.index}`;
  caption.append(`#${sample.index} · said ${names[sample.prediction]}`, document.createElement("br"), link);
  figure.append(canvas, caption);
  return figure;
}

/** Fetch and show the digits whose true class is t and prediction p. */
export async function showCell(root, t, p, names) {
  const $ = byTestId(root);
  const request = ++latest;
  const kind = t === p ? "correctly read" : `read as ${names[p]}`;
  $("digits-title").textContent = `True ${names[t]}, ${kind}`;
  $("digits-hint").textContent = "Loading… (the first time, the model reads all 10,000 test digits: a few seconds)";
  $("digits").replaceChildren();
  let answer;
  try {
    answer = await getJSON(`/api/model/misclassified?true=${t}&predicted=${p}&count=${SHOWN}`);
  } catch (error) {
    if (request !== latest) return;
    $("digits-hint").textContent =
      error.status === 503 ? `${error.message} (the MNIST test set is needed to show digits).` : error.message;
    $("digits-hint").classList.add("error");
    return;
  }
  if (request !== latest) return;
  $("digits-hint").classList.remove("error");
  const shown = answer.samples.length;
  $("digits-hint").textContent = answer.total
    ? `${answer.total} test digit${answer.total === 1 ? "" : "s"}${shown < answer.total ? `; the first ${shown} shown` : ""}.`
    : "No test digit falls in this cell.";
  $("digits").replaceChildren(...answer.samples.map((s) => card(s, names)));
}
