// An SVG layer over the overview: curved links between layers and boxes on the maps.

import { WINDOW_COLOUR } from "../shared/colour.js";

const NS = "http://www.w3.org/2000/svg";

/** An <svg> covering `container` (position: relative); rects are client rects (getBoundingClientRect). */
export function createLinkLayer(container) {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("class", "ov-links");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("data-testid", "overview-links");
  container.append(svg);

  const local = (rect) => {
    const o = container.getBoundingClientRect();
    return {
      x: rect.left - o.left + container.scrollLeft,
      y: rect.top - o.top + container.scrollTop,
      width: rect.width,
      height: rect.height,
    };
  };
  const add = (tag, attributes) => {
    const node = document.createElementNS(NS, tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    svg.append(node);
    return node;
  };

  return {
    /** Remove every link and box, and fit the layer to the container's content. */
    clear() {
      svg.replaceChildren();
      svg.setAttribute("width", container.scrollWidth);
      svg.setAttribute("height", container.scrollHeight);
    },
    /** A curve from the right edge of `from` (at its middle, or at y) to the left edge of `to`. */
    link(from, to, { strong = false } = {}) {
      const a = local(from);
      const b = local(to);
      const x1 = a.x + a.width;
      const y1 = a.y + a.height / 2;
      const x2 = b.x;
      const y2 = b.y + b.height / 2;
      const mid = (x1 + x2) / 2;
      add("path", {
        d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`,
        class: strong ? "ov-link strong" : "ov-link",
      });
    },
    /** A box around `rect`: kind "window" (what a unit reads) or "unit" (the unit itself). */
    box(rect, kind = "window") {
      const r = local(rect);
      add("rect", {
        x: r.x - 1,
        y: r.y - 1,
        width: r.width + 2,
        height: r.height + 2,
        class: `ov-box ${kind}`,
        ...(kind === "window" ? { stroke: WINDOW_COLOUR } : {}),
      });
    },
  };
}
