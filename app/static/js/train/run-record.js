// One run as the page knows it: its events gathered into curves and checkpoints (pure data),
// and the stream that feeds them (GET /api/runs/{id}/events, Server-Sent Events).

export const END_TYPES = new Set(["done", "stopped", "failed"]);

/** An empty record of run `id` (`total`: the images it will see, when known). */
export function createRecord(id, total = 0) {
  return { id, total, points: [], checkpoints: [], status: "queued", end: null, latest: null };
}

/** The first conv layer's kernels in a checkpoint event (F x C x kh x kw nested lists), or null. */
export function firstKernels(event) {
  const kernels = event.kernels;
  if (!kernels) return null;
  const name = Object.keys(kernels)[0];
  if (name === undefined) return null;
  const value = kernels[name];
  return { layer: name, weights: Array.isArray(value) ? value : value.weights };
}

/** Fold one event into the record; returns true when it changes what is drawn. */
export function applyEvent(record, event) {
  record.latest = event;
  if (event.total_images) record.total = event.total_images;
  if (Number.isFinite(event.loss) || Number.isFinite(event.accuracy)) {
    const last = record.points[record.points.length - 1];
    const point = { step: event.step, images_seen: event.images_seen, loss: event.loss, accuracy: event.accuracy };
    if (last && last.step === event.step) record.points[record.points.length - 1] = point;
    else record.points.push(point);
  }
  if (event.type === "checkpoint") {
    const validation = event.validation || {};
    const known = record.checkpoints.findIndex((c) => c.step === event.step);
    const checkpoint = {
      step: event.step,
      images_seen: event.images_seen,
      epoch: event.epoch,
      loss: event.loss,
      val_accuracy: event.validation_accuracy ?? validation.accuracy,
      kernels: firstKernels(event),
      probes: event.probes || null,
      confusion: event.confusion_matrix || null,
    };
    if (known >= 0) record.checkpoints[known] = checkpoint;
    else record.checkpoints.push(checkpoint);
  }
  if (event.type === "progress" || event.type === "checkpoint") record.status = event.status || "running";
  if (END_TYPES.has(event.type)) {
    record.status = event.type;
    record.end = event;
  }
  return true;
}

/**
 * Follow run `id`'s events: onEvent(event) for each (a client that connects late gets the whole
 * history first); onTrouble(text or null) when the connection drops and comes back (the browser
 * reconnects with Last-Event-ID). Returns {close()}; it closes itself after the end event.
 */
export function followEvents(id, { onEvent, onTrouble }) {
  const source = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
  let closed = false;
  source.onmessage = (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    onTrouble(null);
    onEvent(event);
    if (END_TYPES.has(event.type)) close();
  };
  source.onerror = () => {
    if (closed) return;
    if (source.readyState === EventSource.CLOSED) {
      onTrouble("The live connection to this run closed; reload the run from the list below.");
    } else onTrouble("The live connection dropped; reconnecting…");
  };
  function close() {
    closed = true;
    source.close();
  }
  return { close };
}
