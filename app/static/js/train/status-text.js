// A run's state and the API's refusals, in words.

import { formatValue, percent } from "../shared/format.js";

/** One line about where run `record` stands (`detail`: its GET /api/runs/{id} answer, or null). */
export function runStatusText(record, detail) {
  const latest = record.latest || {};
  const step = latest.step ?? detail?.step ?? 0;
  const total = latest.total_steps ?? detail?.total_steps;
  const stepText = `step ${step}${total ? ` of ${total}` : ""}`;
  const metrics = [];
  if (Number.isFinite(latest.loss)) metrics.push(`loss ${formatValue(latest.loss)}`);
  if (Number.isFinite(latest.accuracy)) metrics.push(`accuracy ${percent(latest.accuracy)}`);
  const lastCheckpoint = record.checkpoints[record.checkpoints.length - 1];
  const val = lastCheckpoint?.val_accuracy ?? detail?.metrics?.validation_accuracy;
  switch (record.status) {
    case "queued": {
      const position = detail?.queue_position;
      return `queued: ${position ? `number ${position} in the queue` : "waiting for a free trainer"}. It starts when a slot frees up.`;
    }
    case "running":
      return `running · ${[stepText, ...metrics].join(" · ")}`;
    case "paused":
      return `paused at ${stepText}. Resume to go on.`;
    case "done":
      return `done · ${stepText}${Number.isFinite(val) ? ` · validation accuracy ${percent(val)}` : ""}`;
    case "stopped":
      return `stopped at ${stepText}; its checkpoints are kept.`;
    case "failed":
      return `failed: ${record.end?.error || detail?.error || "the trainer ended without saying why"}`;
    default:
      return record.status;
  }
}

/** A refused or failed request as advice: what went wrong and what to do. */
export function failureText(error, doing) {
  if (error.name === "TypeError") return `Could not reach the server to ${doing}: check the connection and try again.`;
  switch (error.status) {
    case 422:
      return `The server refused this network: ${error.message}`;
    case 429:
      return `Too many runs are waiting already. Try again in ${error.retryAfter || "a few"} seconds. (${error.message})`;
    case 503:
      return `Training is not available on this server: ${error.message}`;
    case 404:
      return `That run no longer exists (${error.message}).`;
    default:
      return `Could not ${doing}: ${error.message}`;
  }
}
