// "Where the network looks": the off / gradient / Grad-CAM toggle and the overlay it draws.

import { drawSaliencyOverlay } from "./saliency-overlay.js";

const NOTES = {
  gradient:
    "Gradient: how much the score of the predicted digit would change if one pixel got a little " +
    "more or less ink. Sharp and speckled: it shows single pixels the score is sensitive to.",
  gradcam:
    "Grad-CAM: which regions of the last conv layer's maps push the predicted digit's score up, " +
    "weighted by how much the score depends on each map, then stretched to 28 × 28. Coarse " +
    "blobs: it shows parts of the digit rather than pixels.",
};

/**
 * Wire the toggle under `root` (buttons with data-method) to the overlay figure.
 * onChange(method) fires when the user picks a method ("" = off).
 */
export function createSaliencyView(root, { onChange }) {
  const part = (name) => root.querySelector(`[data-part="${name}"]`);
  const buttons = [...root.querySelectorAll("[data-testid=saliency-toggle] button")];
  const figure = part("saliency-figure");
  const caption = part("saliency-caption");
  const note = part("saliency-note");
  const ctx = root.querySelector("[data-testid=saliency-map]").getContext("2d");
  let method = "";

  for (const button of buttons) {
    button.addEventListener("click", () => {
      if (button.dataset.method === method) return;
      method = button.dataset.method;
      for (const b of buttons) b.setAttribute("aria-pressed", String(b === button));
      figure.hidden = !method;
      note.hidden = !method;
      note.textContent = NOTES[method] || "";
      clear();
      onChange(method);
    });
  }

  /** Draw an /api/saliency answer (or clear the overlay for null). */
  function show(answer) {
    if (!answer || !method) return clear();
    drawSaliencyOverlay(ctx, answer.input, answer.saliency);
    setCaption(`Where it looks for a ${answer.class}`, answer.method === "gradcam" ? `Grad-CAM, ${answer.layer}` : "gradient");
  }

  function clear() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    setCaption("Where it looks", "");
  }

  function setCaption(text, detail) {
    const small = document.createElement("span");
    small.className = "muted";
    small.textContent = detail;
    caption.replaceChildren(text, document.createElement("br"), small);
  }

  return { show, clear, method: () => method };
}
