// "What this filter looks for": the 9 MNIST test patches that excite one conv kernel most.

import { byPart } from "../shared/dom.js";
import { WINDOW_COLOUR, pictureScale } from "../shared/colour.js";
import { drawHeatmap } from "../shared/paint-grid.js";
import { formatValue } from "../shared/format.js";
import { getJSONWhenReady } from "../shared/api.js";

const PIXELS = pictureScale(0, 255); // the source digits, 0-255, as ink on paper
const ZOOM = 4; // canvas pixels per digit pixel, so that the window's outline is crisp

/**
 * Fill `root` (a section with data-part patches-title, patches-what, patches) for a conv kernel.
 * The server computes its filter atlas on first need: meanwhile it answers 202 and this waits.
 */
export function createTopPatches(root) {
  const part = byPart(root);
  const title = part("patches-title");
  const what = part("patches-what");
  const grid = part("patches");
  const cache = new Map(); // "conv1/3" -> answer
  let shown = null; // key of the kernel on display
  let call = null;

  /** Show kernel `kernel` of conv layer `conv`; hide for null (e.g. a pooling unit). */
  async function show(conv, kernel) {
    if (!conv) {
      root.hidden = true;
      shown = null;
      return;
    }
    const key = `${conv}/${kernel}`;
    root.hidden = false;
    if (key === shown) return;
    shown = key;
    title.textContent = `What ${conv} kernel ${kernel} looks for`;
    root.classList.remove("missing");
    call?.abort();
    const controller = new AbortController();
    call = controller;
    try {
      if (!cache.has(key)) {
        what.textContent = "Loading…";
        grid.replaceChildren();
        const url = `/api/model/layers/${conv}/top-patches/${kernel}`;
        const onWait = () => {
          what.textContent =
            "Computing: the nine MNIST test patches that excite each filter most come from a " +
            "one-off pass over the test set on the server (a few seconds)…";
        };
        cache.set(key, await getJSONWhenReady(url, { signal: controller.signal, onWait }));
      }
      if (shown === key) draw(cache.get(key));
    } catch (error) {
      if (error.name === "AbortError" || shown !== key) return;
      root.classList.add("missing");
      what.textContent = error.message;
    }
  }

  function draw(answer) {
    const [h, w] = answer.receptive_field.size;
    what.textContent =
      `The ${answer.patches.length} MNIST test digits on which this kernel answers most strongly, ` +
      `strongest first, each with the ${h} × ${w} window one unit of ${answer.layer} reads ` +
      "outlined; a patch too like a stronger one is skipped, so each shows another shape. " +
      "The number is the kernel's output there, before the ReLU.";
    grid.replaceChildren(
      ...answer.patches.map((_, i) => {
        const figure = document.createElement("figure");
        const canvas = document.createElement("canvas");
        const digit = answer.digits[i];
        canvas.width = digit[0].length * ZOOM;
        canvas.height = digit.length * ZOOM;
        canvas.className = "heatmap patch";
        canvas.dataset.testid = `top-patch-${i}`;
        const value = formatValue(answer.activations[i]);
        const [row, col] = answer.windows[i];
        canvas.title =
          `MNIST test digit #${answer.indices[i]}, rows ${row}–${row + h - 1}, ` +
          `cols ${col}–${col + w - 1}: ${answer.layer}[${answer.kernel}] = ${value}`;
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", canvas.title);
        const ctx = canvas.getContext("2d");
        drawHeatmap(ctx, digit, PIXELS);
        ctx.lineWidth = 3;
        ctx.strokeStyle = WINDOW_COLOUR;
        ctx.strokeRect(col * ZOOM + 1.5, row * ZOOM + 1.5, w * ZOOM - 3, h * ZOOM - 3);
        const caption = document.createElement("figcaption");
        caption.textContent = value;
        figure.append(canvas, caption);
        return figure;
      }),
    );
  }

  return { show };
}
