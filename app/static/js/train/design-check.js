// Ask the engine (through the API) what the design builds to: shapes, formulas, parameters, time.

import { postJSON } from "../shared/api.js";
import { byTestId } from "../shared/dom.js";
import { markShapesStale, renderShapes, summaryText } from "./shapes-table.js";

export const PREVIEW_URL = "/api/runs/preview";
const WAIT_MS = 150; // edits closer together than this are checked once

/**
 * The design check under `root`: check(architecture, training) asks the API soon (the newest
 * design wins); ok() says whether the last check passed; refused(message) shows a refusal
 * from POST /api/runs. onChecked() after every answer.
 */
export function checkDesign(root, { onChecked }) {
  const $ = byTestId(root);
  const table = $("train-shapes");
  const problem = $("train-spec-problem");
  const summary = $("train-spec-summary");
  let passed = false;
  let call = null;
  let timer = null;

  function refused(message) {
    passed = false;
    markShapesStale(table);
    problem.textContent = `This network cannot be built: ${message}`;
    problem.hidden = false;
    summary.textContent = "";
  }

  async function run(architecture, training) {
    call?.abort();
    const mine = new AbortController();
    call = mine;
    try {
      const body = training ? { architecture, training } : { architecture };
      const answer = await postJSON(PREVIEW_URL, body, { signal: mine.signal });
      if (call !== mine) return;
      passed = true;
      renderShapes(table, answer.layers);
      problem.hidden = true;
      summary.textContent = summaryText(answer.parameter_count, answer.estimated_seconds);
    } catch (error) {
      if (error.name === "AbortError" || call !== mine) return;
      if (error.status === 422) refused(error.message);
      else {
        passed = false;
        markShapesStale(table);
        problem.textContent = `Could not check the network: ${error.message}`;
        problem.hidden = false;
      }
    }
    onChecked();
  }

  return {
    check(architecture, training) {
      passed = false;
      markShapesStale(table);
      clearTimeout(timer);
      timer = setTimeout(() => run(architecture, training), WAIT_MS);
      onChecked();
    },
    ok: () => passed,
    refused,
  };
}
