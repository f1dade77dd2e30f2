// The colour scales: value -> [red, green, blue], and the scale that fits a set of values.

/** The outline of a window (what one unit reads), on every map and grid that shows one. */
export const WINDOW_COLOUR = "#f2a900";

/** Diverging blue-white-red for signed values, t in [-1, 1]. */
export function divergingColour(t) {
  const c = Math.max(-1, Math.min(1, t));
  if (c >= 0) return [255 - 75 * c, 255 - 215 * c, 255 - 215 * c]; // white -> red (180, 40, 40)
  const a = -c;
  return [255 - 215 * a, 255 - 155 * a, 255 - 75 * a]; // white -> blue (40, 100, 180)
}

/** Sequential white-to-ink for non-negative values, t in [0, 1]. */
export function sequentialColour(t) {
  const c = Math.max(0, Math.min(1, t));
  return [255 - 235 * c, 255 - 215 * c, 255 - 155 * c]; // white -> dark navy (20, 40, 100)
}

/** Heat colour for t in [0, 1]: dark red -> orange -> yellow (saliency). */
export function heatColour(t) {
  const c = Math.max(0, Math.min(1, t));
  return [200 + 55 * c, 30 + 200 * c, 20 + 40 * c];
}

/** Colour of one value under a scale {min, max, signed}. */
export function colourFor(value, scale) {
  if (scale.signed) {
    const m = Math.max(Math.abs(scale.min), Math.abs(scale.max)) || 1;
    return divergingColour(value / m);
  }
  const span = scale.max - scale.min || 1;
  return sequentialColour((value - scale.min) / span);
}

/** The scale to use for values in [min, max]: diverging when they change sign. */
export function scaleFor(min, max, forceSigned = false) {
  return { min, max, signed: forceSigned || (min < 0 && max > 0) || min < 0 };
}

/**
 * The scale that fits `values` (a number array nested to any depth). signed forces the
 * diverging scale; withZero widens the range to include 0.
 */
export function scaleOf(values, { signed = false, withZero = false } = {}) {
  let min = withZero ? 0 : Infinity;
  let max = withZero ? 0 : -Infinity;
  for (const v of values.flat(Infinity)) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return scaleFor(min, max, signed);
}

/** Text colour that stays readable on a background of colour [r, g, b] (luma under `dark`). */
export function inkOn([r, g, b], dark = 150) {
  return 0.299 * r + 0.587 * g + 0.114 * b < dark ? "#ffffff" : "#1d2430";
}
