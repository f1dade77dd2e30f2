// Which network a page shows: ?model=<run id> (default: the bundled one) and a <select> of them all.

import { getJSON, useModel } from "../shared/api.js";
import { el } from "../shared/dom.js";

/** The model chosen by the page's address (?model=<id>), or null for the bundled one. */
export function modelInAddress(win) {
  const model = new URLSearchParams(win.location.search).get("model");
  return model && model !== "bundled" ? model : null;
}

/**
 * Send the address's model with every model request from now on, and put a picker listing
 * GET /api/models at the top of `doc`'s main element; choosing one reloads the page with it.
 */
export function startModelPicker(doc) {
  const win = doc.defaultView;
  const chosen = modelInAddress(win);
  useModel(chosen);
  const select = el("select");
  select.dataset.testid = "model-picker";
  select.id = "model-picker";
  const label = el("label", "", "Network: ");
  label.htmlFor = select.id;
  const note = el("span", "muted");
  const box = el("div", "model-picker");
  box.append(label, select, note);
  doc.querySelector("main").prepend(box);
  select.append(new Option(chosen ? `run ${chosen}` : "the bundled network", chosen || ""));
  select.addEventListener("change", () => {
    const url = new URL(win.location.href);
    if (select.value) url.searchParams.set("model", select.value);
    else url.searchParams.delete("model");
    win.location.assign(url.toString());
  });
  getJSON("/api/models")
    .then((answer) => fill(select, answer.models || answer, chosen))
    .catch((error) => {
      note.textContent = ` (could not list the trained networks: ${error.message})`;
    });
  return chosen;
}

function fill(select, models, chosen) {
  const options = models.map((m) => {
    const id = m.bundled || m.kind === "bundled" ? "" : m.id;
    const accuracy = typeof m.test_accuracy === "number" ? `, ${(100 * m.test_accuracy).toFixed(1)}%` : "";
    const name = id ? `run ${id} · ${m.summary || m.name}` : "the bundled network";
    return new Option(`${name}${accuracy}`, id, false, id === (chosen || ""));
  });
  if (chosen && !options.some((o) => o.value === chosen)) {
    options.push(new Option(`run ${chosen} (not in the list)`, chosen, false, true));
  }
  select.replaceChildren(...options);
}
