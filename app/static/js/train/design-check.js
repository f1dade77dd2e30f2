// Ask the engine (through the API) what the design builds to: shapes, formulas, parameters, time.

import { postJSON } from "../shared/api.js";
import { byTestId } from "../shared/dom.js";
import { markShapesStale, renderShapes, summaryText } from "./shapes-table.js";
import { architectureOf, layerOwners } from "./spec.js";

export const PREVIEW_URL = "/api/runs/validate";
const WAIT_MS = 150; // edits closer together than this are checked once

/**
 * The design check under `root`: check(design, training) asks the API soon (the newest design
 * wins); settled() resolves once the newest check has its answer; ok() says whether the last
 * answer passed; refused(error) shows a 422 (from here or from POST /api/runs) and marks the
 * block it names. onChecked() after every answer.
 */
export function checkDesign(root, { onChecked }) {
  const $ = byTestId(root);
  const table = $("train-shapes");
  const problem = $("train-spec-problem");
  const summary = $("train-spec-summary");
  let passed = false;
  let call = null;
  let timer = null;
  let design = null;
  let settle = null; // resolves the promise settled() hands out, once the newest check answers
  let pending = Promise.resolve();

  function unmark() {
    root.querySelectorAll(".block.bad, .flatten-note.bad").forEach((b) => b.classList.remove("bad"));
  }

  function refused(error) {
    passed = false;
    markShapesStale(table);
    problem.textContent = `This network cannot be built: ${error.message}`;
    problem.hidden = false;
    summary.textContent = "";
    unmark();
    const index = error.answer?.layer;
    const owner = Number.isInteger(index) && design ? layerOwners(design)[index] : null;
    if (owner) root.querySelector(`[data-testid="${owner}"]`)?.classList.add("bad");
  }

  async function run(training) {
    const architecture = architectureOf(design);
    call?.abort();
    const mine = new AbortController();
    call = mine;
    try {
      const body = training ? { architecture, training } : { architecture };
      const answer = await postJSON(PREVIEW_URL, body, { signal: mine.signal });
      if (call !== mine) return;
      passed = true;
      unmark();
      renderShapes(table, answer.layers);
      problem.hidden = true;
      summary.textContent = summaryText(answer.parameter_count, answer.estimated_seconds);
    } catch (error) {
      if (error.name === "AbortError" || call !== mine) return;
      passed = false;
      if (error.status === 422) refused(error);
      else {
        markShapesStale(table);
        problem.textContent = `Could not check the network: ${error.message}`;
        problem.hidden = false;
      }
    }
    settle?.();
    onChecked();
  }

  return {
    check(next, training) {
      design = structuredClone(next);
      markShapesStale(table);
      clearTimeout(timer);
      if (!settle) pending = new Promise((resolve) => { settle = () => { settle = null; resolve(); }; });
      timer = setTimeout(() => run(training), WAIT_MS);
    },
    settled: () => pending,
    ok: () => passed,
    refused,
  };
}
