// Talking to the ConvLens JSON API: one place that turns error answers into readable messages.

/** POST JSON and return the parsed answer; throws Error(message) on 4xx/5xx. */
export async function postJSON(url, body, { signal } = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  return readAnswer(res);
}

/** GET JSON; throws Error(message) on 4xx/5xx. */
export async function getJSON(url, { signal } = {}) {
  return readAnswer(await fetch(url, { signal }));
}

/**
 * GET JSON that the server may still be computing: on 202 call onWait(detail) and ask again
 * after its Retry-After seconds (abort with `signal`); throws Error(message) on 4xx/5xx.
 */
export async function getJSONWhenReady(url, { signal, onWait } = {}) {
  for (;;) {
    const res = await fetch(url, { signal });
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
    throw error;
  }
  return payload;
}
