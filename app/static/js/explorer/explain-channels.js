// A multi-channel unit (conv2) at a glance: one chip per input map with its subtotal
// Σ_c = sum of that map's products, filled in only once the animation has added that map.

import { colourFor, inkOn } from "../shared/colour.js";
import { formatValue } from "../shared/format.js";

/**
 * Fill `root` with the channel overview of the conv `answer` at `step` (hidden for one input
 * map or a pooling unit); `scale` colours the subtotals; onPick(channel) jumps to a map.
 */
export function showChannels(root, answer, step, scale, onPick) {
  const planes = answer ? answer.products.length : 0;
  root.hidden = planes < 2;
  if (root.hidden) return root.replaceChildren();
  const kw = answer.products[0][0].length;
  const cells = answer.products[0].length * kw;
  const chips = answer.products.map((plane, c) => {
    const values = plane.flat();
    const finished = step.phase !== "window" && (step.channel > c || ["bias", "activation", "done"].includes(step.phase));
    const current = step.phase === "product" && step.channel === c;
    const added = finished ? cells : current ? step.row * kw + step.col + 1 : 0;
    const subtotal = values.slice(0, added).reduce((s, p) => s + p, 0);
    const chip = document.createElement("button");
    chip.type = "button";
    chip.className = `channel-chip${current ? " now" : ""}${added ? "" : " empty"}`;
    chip.setAttribute("data-testid", `explain-channel-${c}`);
    chip.setAttribute("aria-label", `input map ${c}: ${added ? `subtotal ${formatValue(subtotal)}` : "not added yet"}`);
    if (finished) {
      const rgb = colourFor(subtotal, scale);
      chip.style.background = `rgb(${rgb.join(", ")})`;
      chip.style.color = inkOn(rgb, 140);
    }
    chip.textContent = `map ${c}: ${added ? formatValue(subtotal) : "…"}${current && added < cells ? " so far" : ""}`;
    chip.addEventListener("click", () => onPick(c));
    return chip;
  });
  const title = document.createElement("span");
  title.className = "muted";
  title.textContent = "Σ per input map:";
  root.replaceChildren(title, ...chips);
}
