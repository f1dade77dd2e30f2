// The runs on this server (GET /api/runs, newest first): open one, delete one, tick two to compare.

import { deleteJSON, getJSON } from "../shared/api.js";
import { el } from "../shared/dom.js";
import { percent } from "../shared/format.js";

/** One line about a run: status, its layers in short, its accuracy. */
export function runSummary(run) {
  const shape = run.summary || run.name || "";
  const accuracy = run.test_accuracy ?? run.metrics?.validation_accuracy;
  const parts = [run.status, shape];
  if (run.training?.train_images) parts.push(`${run.training.train_images.toLocaleString("en")} images`);
  if (Number.isFinite(accuracy)) parts.push(`accuracy ${percent(accuracy)}`);
  return parts.join(" · ");
}

/**
 * The list in `root`: refresh() re-reads it; handlers {onOpen(run), onCompare([runA, runB]),
 * onDeleted(id), say(text, isError)}; mark(id) highlights the open run.
 */
export function createRunsList(root, { onOpen, onCompare, onDeleted, say }) {
  let runs = [];
  let openId = null;
  const ticked = new Set();

  function item(run) {
    const li = el("li", run.id === openId ? "run open" : "run");
    li.dataset.testid = `train-run-${run.id}`;
    const open = el("button", "link-button", `Run ${run.id}`);
    open.type = "button";
    open.addEventListener("click", () => onOpen(run));
    const text = el("span", "run-summary", runSummary(run));
    const compare = el("label", "compare-tick");
    const box = el("input");
    box.type = "checkbox";
    box.checked = ticked.has(run.id);
    box.disabled = run.status !== "done";
    box.setAttribute("aria-label", `compare run ${run.id}`);
    box.addEventListener("change", () => {
      if (box.checked) ticked.add(run.id);
      else ticked.delete(run.id);
      if (ticked.size > 2) ticked.delete([...ticked][0]);
      render();
      if (ticked.size === 2) onCompare(runs.filter((r) => ticked.has(r.id)));
    });
    compare.append(box, " compare");
    const remove = el("button", "remove", "Delete");
    remove.type = "button";
    remove.setAttribute("aria-label", `delete run ${run.id}`);
    remove.addEventListener("click", async () => {
      try {
        await deleteJSON(`/api/runs/${encodeURIComponent(run.id)}`);
        ticked.delete(run.id);
        onDeleted(run.id);
        refresh();
      } catch (error) {
        say(`Could not delete run ${run.id}: ${error.message}`, true);
      }
    });
    li.append(open, text, compare, remove);
    return li;
  }

  function render() {
    root.replaceChildren(...(runs.length ? runs.map(item) : [el("li", "muted", "No runs yet.")]));
  }

  async function refresh() {
    try {
      const answer = await getJSON("/api/runs");
      runs = answer.runs || answer;
      render();
    } catch (error) {
      root.classList.add("stale");
      say(`Could not list the runs: ${error.message}`, true);
      return;
    }
    root.classList.remove("stale");
  }

  return {
    refresh,
    mark(id) {
      openId = id;
      render();
    },
  };
}
