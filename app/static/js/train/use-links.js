// "Use it": a finished run opens on the Network and Model pages, and its weights download.

import { byTestId } from "../shared/dom.js";
import { percent } from "../shared/format.js";

export const weightsURL = (id) => `/api/runs/${encodeURIComponent(id)}/weights`;

/** Point the links under `root` at `run` (a finished run's record), or hide them (null). */
export function showUseLinks(root, run) {
  const $ = byTestId(root);
  const links = $("train-use-links");
  const text = $("train-use");
  if (!run) {
    links.hidden = true;
    text.textContent = "When a run is done, it is a network like the bundled one.";
    return;
  }
  const id = encodeURIComponent(run.id);
  $("train-open-network").href = `/?model=${id}`;
  $("train-open-model").href = `/model?model=${id}`;
  $("train-download").href = weightsURL(run.id);
  $("train-download-json").href = `/api/runs/${id}/architecture`;
  const accuracy = Number.isFinite(run.test_accuracy) ? ` It reads ${percent(run.test_accuracy)} of the 10,000 test digits right.` : "";
  text.textContent = `Run ${run.id} is done: open it on the other pages like the bundled network.${accuracy}`;
  links.hidden = false;
}
