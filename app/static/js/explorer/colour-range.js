// Which range each map is coloured on: per map, per layer (default) or one for the whole network.
// A layer of non-negative values after a signed one (ReLU after conv, pooling after ReLU) keeps
// that layer's range, so its colours are the same as the layer it came from, blue removed.
// The input is a picture: ink on paper.

import { pictureScale, rangeOf, scaleFor } from "../shared/colour.js";

export const RANGE_MODES = { map: "per map", layer: "per layer", network: "whole network" };

/**
 * entries [{name, activations, min, max}] in network order (the input first) and a mode ->
 * Map name -> {scale, maps: [scale per channel] | null}.
 */
export function colourScales(entries, mode = "layer") {
  const out = new Map();
  const magnitude = (lo, hi) => Math.max(-lo, hi) || 1;
  let whole = 0;
  for (const e of entries.slice(1)) if (e.name !== "softmax") whole = Math.max(whole, -e.min, e.max);
  let carry = null; // {m, maps: [m per channel]} of the layer before, for a layer that keeps it
  for (const [i, e] of entries.entries()) {
    if (i === 0 || e.name === "softmax") {
      out.set(e.name, { scale: i === 0 ? pictureScale(e.min, e.max) : scaleFor(e.min, e.max), maps: null });
      carry = null;
      continue;
    }
    const signed = e.min < 0;
    const keeps = !signed && carry;
    let m = mode === "network" ? whole : magnitude(e.min, e.max);
    if (keeps && mode !== "network") m = Math.max(m, carry.m);
    const scale = signed ? scaleFor(-m, m, true) : scaleFor(0, m);
    let maps = null;
    let mapMs = null;
    if (mode === "map" && isMaps(e.activations)) {
      mapMs = e.activations.map((grid, ch) => {
        const [lo, hi] = rangeOf(grid, [0, 0]);
        const own = magnitude(lo, hi);
        return keeps && carry.maps?.[ch] ? Math.max(own, carry.maps[ch]) : own;
      });
      maps = mapMs.map((mm) => (signed ? scaleFor(-mm, mm, true) : scaleFor(0, mm)));
    }
    out.set(e.name, { scale, maps });
    carry = { m, maps: mapMs };
  }
  return out;
}

function isMaps(activations) {
  return Array.isArray(activations) && activations.length && typeof activations[0] !== "number" && activations[0].length;
}
