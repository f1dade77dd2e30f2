// A module worker: asks POST /api/predict for the compact "f16" activations and decodes them
// here, off the page's main thread. Messages in: {id, body} or {id, cancel: true}.
// Out: {id, answer} (each layer's activations a Float32Array, its buffer transferred) or {id, error}.

import { postJSON } from "../shared/api.js";
import { decodeLayers } from "../shared/float16.js";

const calls = new Map(); // id -> AbortController

self.addEventListener("message", async ({ data }) => {
  if (data.cancel) {
    calls.get(data.id)?.abort();
    return;
  }
  const controller = new AbortController();
  calls.set(data.id, controller);
  try {
    const answer = await postJSON("/api/predict", { ...data.body, encoding: "f16" }, { signal: controller.signal });
    const buffers = decodeLayers(answer.layers);
    self.postMessage({ id: data.id, answer }, buffers);
  } catch (error) {
    self.postMessage({ id: data.id, error: { name: error.name, message: error.message, status: error.status } });
  } finally {
    calls.delete(data.id);
  }
});
