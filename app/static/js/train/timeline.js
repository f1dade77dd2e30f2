// The history slider: one stop per checkpoint; it follows the newest one until it is moved.

import { byTestId } from "../shared/dom.js";
import { percent } from "../shared/format.js";

/** Wire the slider under `root`; onPick(index) when the user moves it or goes back to live. */
export function createTimeline(root, onPick) {
  const $ = byTestId(root);
  const range = $("train-timeline");
  const label = $("train-timeline-label");
  const live = $("train-live");
  let following = true;

  range.addEventListener("input", () => {
    following = Number(range.value) === Number(range.max);
    live.disabled = following;
    onPick(Number(range.value));
  });
  live.addEventListener("click", () => {
    following = true;
    live.disabled = true;
    range.value = range.max;
    onPick(Number(range.max));
  });

  return {
    /** Whether the views follow the newest checkpoint. */
    following: () => following,
    /** The checkpoints changed: keep the slider's stop (or the newest when following). */
    update(checkpoints, index, { ended }) {
      range.max = String(Math.max(0, checkpoints.length - 1));
      range.disabled = checkpoints.length < 2;
      range.value = String(index);
      if (ended) live.dataset.ended = "1";
      else delete live.dataset.ended;
      live.textContent = ended ? "Go to the end" : "Follow live";
      live.disabled = ended ? index >= checkpoints.length - 1 : following;
      const c = checkpoints[index];
      if (!c) {
        label.textContent = "no checkpoints yet";
        range.setAttribute("aria-valuetext", label.textContent);
        return;
      }
      const accuracy = Number.isFinite(c.val_accuracy) ? ` · validation ${percent(c.val_accuracy)}` : "";
      label.textContent = `checkpoint ${index + 1} of ${checkpoints.length}: step ${c.step}, ${c.images_seen.toLocaleString("en")} images${accuracy}`;
      range.setAttribute("aria-valuetext", label.textContent);
    },
    reset() {
      following = true;
      this.update([], 0, { ended: false });
    },
  };
}
