// "Where the network looks": the off / gradient / Grad-CAM toggle and the overlays it draws
// (on the 28 x 28 input, and the same map mapped back onto the drawing).

import { byPart, byTestId } from "../shared/dom.js";
import { drawSaliencyOnDrawing, drawSaliencyOverlay } from "./saliency-overlay.js";
import { makeLegend } from "./legend.js";

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
  const part = byPart(root);
  const $ = byTestId(root);
  const buttons = [...$("saliency-toggle").querySelectorAll("button")];
  const figure = part("saliency-figure");
  const caption = part("saliency-caption");
  const note = part("saliency-note");
  const padCaption = part("pad-caption");
  const ctx = $("saliency-map").getContext("2d");
  const onDrawing = $("saliency-on-drawing").getContext("2d");
  let method = "";
  const legend = makeLegend({ min: 0, max: 1, signed: false }, "importance");
  legend.setAttribute("data-testid", "saliency-legend");

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

  /**
   * Draw an /api/saliency answer (or clear the overlays for null). `drawing` {frame, width}:
   * the pad's frame() and canvas width when the answer is for what the pad shows now;
   * null leaves the drawing without a map (it changed since the request).
   */
  function show(answer, drawing = null) {
    if (!answer || !method) return clear();
    drawSaliencyOverlay(ctx, answer.input, answer.saliency);
    setCaption(`Where it looks for a ${answer.class}`, answer.method === "gradcam" ? `Grad-CAM, ${answer.layer}` : "gradient");
    if (!drawing) return clearDrawing();
    const k = onDrawing.canvas.width / drawing.width;
    const { x, y, scale } = drawing.frame;
    drawSaliencyOnDrawing(onDrawing, answer.saliency, answer.placement, { x: x * k, y: y * k, scale: scale * k });
    padCaption.replaceChildren(
      "Your drawing",
      document.createElement("br"),
      Object.assign(document.createElement("span"), {
        className: "muted",
        textContent: "with the same map as the 28 × 28 one, mapped back onto it",
      }),
    );
  }

  function clear() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    setCaption("Where it looks", "");
    clearDrawing();
  }

  /** Take the map off the drawing (until the next answer). */
  function clearDrawing() {
    onDrawing.clearRect(0, 0, onDrawing.canvas.width, onDrawing.canvas.height);
    padCaption.textContent = "Your drawing";
  }

  function setCaption(text, detail) {
    const small = document.createElement("span");
    small.className = "muted";
    small.textContent = detail;
    caption.replaceChildren(text, document.createElement("br"), small, legend);
  }

  return { show, clear, clearDrawing, method: () => method };
}
