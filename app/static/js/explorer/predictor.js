// Live requests while drawing (the prediction and its saliency map travel together):
// throttled, one request in flight, stale answers dropped.

/**
 * request(signal) -> Promise of an answer (any value; it reaches onResult as is). schedule() asks for a fresh answer soon;
 * cancel() aborts the request in flight and drops any answer still on its way.
 */
export function createPredictor({ request, onResult, onError, onBusy = () => {}, interval = 120 }) {
  let timer = null;
  let current = null; // AbortController of the request in flight
  let dirty = false;
  let generation = 0;
  let lastStart = 0;

  function schedule({ now = false } = {}) {
    dirty = true;
    if (current || timer) {
      if (now && timer) {
        clearTimeout(timer);
        timer = null;
        fire();
      }
      return;
    }
    const wait = now ? 0 : Math.max(0, interval - (performance.now() - lastStart));
    timer = setTimeout(fire, wait);
  }

  function fire() {
    timer = null;
    if (current || !dirty) return;
    dirty = false;
    const controller = new AbortController();
    const mine = ++generation;
    current = controller;
    lastStart = performance.now();
    onBusy(true);
    request(controller.signal)
      .then((answer) => {
        if (mine === generation) onResult(answer);
      })
      .catch((error) => {
        if (error.name !== "AbortError" && mine === generation) onError(error);
      })
      .finally(() => {
        if (current === controller) current = null;
        if (dirty) schedule();
        else if (!current) onBusy(false);
      });
  }

  function cancel() {
    generation += 1;
    dirty = false;
    if (timer) clearTimeout(timer);
    timer = null;
    if (current) current.abort();
    current = null;
    onBusy(false);
  }

  return { schedule, cancel };
}
