// Talking to the ConvLens JSON API: one place that turns error answers into readable messages,
// and the one place that adds the chosen model to every model request.

const MODEL_POSTS = /^\/api\/(predict|explain|explain\/vector|saliency|robustness)(\?|$)/;
const MODEL_GETS = /^\/api\/model(\/|\?|$)/;
let chosen = {}; // {model, checkpoint} sent with every model request; {}: the bundled model

/** Send `model` (a run id; null: the bundled one) and an optional `checkpoint` step from now on. */
export function useModel(model = null, checkpoint = null) {
  chosen = {};
  if (model) chosen.model = model;
  if (model && checkpoint !== null && checkpoint !== undefined) chosen.checkpoint = checkpoint;
}

/** `url` with the chosen model as query parameters when it is a GET model endpoint. */
export function withModel(url) {
  if (!MODEL_GETS.test(url) || !chosen.model) return url;
  return `${url}${url.includes("?") ? "&" : "?"}${new URLSearchParams(chosen)}`;
}

/** `body` with the chosen model's fields when `url` is a POST that takes a model. */
export function withModelBody(url, body) {
  return MODEL_POSTS.test(url) ? { ...chosen, ...body } : body;
}

/** POST JSON and return the parsed answer; throws Error(message) on 4xx/5xx. */
export async function postJSON(url, body, { signal } = {}) {
  const sent = withModelBody(url, body);
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(sent),
    signal,
  });
  return readAnswer(res);
}

/** GET JSON; throws Error(message) on 4xx/5xx. */
export async function getJSON(url, { signal } = {}) {
  return readAnswer(await fetch(withModel(url), { signal }));
}

/** DELETE a resource; throws Error(message) on 4xx/5xx. */
export async function deleteJSON(url, { signal } = {}) {
  return readAnswer(await fetch(url, { method: "DELETE", signal }));
}

/**
 * GET JSON that the server may still be computing: on 202 call onWait(detail) and ask again
 * after its Retry-After seconds (abort with `signal`); throws Error(message) on 4xx/5xx.
 */
export async function getJSONWhenReady(url, { signal, onWait } = {}) {
  for (;;) {
    const res = await fetch(withModel(url), { signal });
    if (res.status !== 202) return readAnswer(res);
    const seconds = Number(res.headers.get("Retry-After")) || 2;
    onWait?.((await readAnswer(res))?.detail);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, seconds * 1000);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(new DOMException("aborted", "AbortError"));
      });
    });
  }
}

async function readAnswer(res) {
  let payload = null;
  try {
    payload = await res.json();
  } catch {
    payload = null;
  }
  if (!res.ok) {
    const detail = payload && payload.detail;
    const message = Array.isArray(detail)
      ? detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ")
      : detail || `${res.status} ${res.statusText}`;
    const error = new Error(message);
    error.status = res.status;
    error.retryAfter = Number(res.headers.get("Retry-After")) || null;
    error.answer = payload; // the whole error body (some carry more than `detail`)
    throw error;
  }
  return payload;
}
