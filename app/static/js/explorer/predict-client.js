// POST /api/predict through the decoding worker: the answer's activations arrive as typed
// arrays, nested as [channel][row] views, so the page reads them like the JSON lists.

import { withModelBody } from "../shared/api.js";
import { nestViews } from "../shared/float16.js";

/** predict(body, {signal}) -> Promise of the /api/predict answer; rejects like postJSON. */
export function createPredictClient() {
  const worker = new Worker(new URL("./predict-worker.js", import.meta.url), { type: "module" });
  const waiting = new Map(); // id -> {resolve, reject}
  let nextId = 0;
  worker.addEventListener("message", ({ data }) => {
    const call = waiting.get(data.id);
    if (!call) return;
    waiting.delete(data.id);
    if (data.error) {
      const error = data.error.name === "AbortError" ? new DOMException("aborted", "AbortError") : new Error(data.error.message);
      if (data.error.status) error.status = data.error.status;
      call.reject(error);
      return;
    }
    for (const layer of data.answer.layers) layer.activations = nestViews(layer.activations, layer.shape);
    call.resolve(data.answer);
  });

  function predict(body, { signal } = {}) {
    const id = (nextId += 1);
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, body: withModelBody("/api/predict", body) });
      signal?.addEventListener("abort", () => {
        worker.postMessage({ id, cancel: true });
        waiting.delete(id);
        reject(new DOMException("aborted", "AbortError"));
      });
    });
  }

  return { predict };
}
