// The colour language of every page: ONE diverging scale for signed values (blue - white - red)
// and ONE sequential scale for non-negative values (white - red, the diverging scale's positive
// half: a ReLU map is its conv map with the blue removed). value -> [red, green, blue].

/** The outline of a window (what one unit reads), on every map and grid that shows one. */
export const WINDOW_COLOUR = "#f2a900";

/** Diverging blue-white-red for signed values, t in [-1, 1]. */
export function divergingColour(t) {
  const c = Math.max(-1, Math.min(1, t));
  if (c >= 0) return [255 - 75 * c, 255 - 215 * c, 255 - 215 * c]; // white -> red (180, 40, 40)
  const a = -c;
  return [255 - 215 * a, 255 - 155 * a, 255 - 75 * a]; // white -> blue (40, 100, 180)
}

/** Sequential white-to-red for non-negative values, t in [0, 1]: divergingColour's red half. */
export function sequentialColour(t) {
  return divergingColour(Math.max(0, Math.min(1, t)));
}

/** Pictures (the digit itself, not a layer's values): white paper to dark ink, t in [0, 1]. */
export function inkColour(t) {
  const c = Math.max(0, Math.min(1, t));
  return [255 - 226 * c, 255 - 219 * c, 255 - 207 * c]; // white -> ink (29, 36, 48)
}

/** The scale of a picture with values in [min, max]: drawn as ink on paper. */
export function pictureScale(min = 0, max = 1) {
  return { min, max, signed: false, picture: true };
}

const TABLES = new Map(); // scale kind -> Uint8ClampedArray(256 * 3): the colour of each level

function table(kind, colourOf) {
  if (!TABLES.has(kind)) {
    const t = new Uint8ClampedArray(256 * 3);
    for (let i = 0; i < 256; i += 1) t.set(colourOf(i), 3 * i);
    TABLES.set(kind, t);
  }
  return TABLES.get(kind);
}

/**
 * The scale as 256 levels, for painting many cells without allocating: {table, level(v)},
 * the colour of v being table[3 * level(v) .. + 3] (the same colours as colourFor, quantised).
 */
export function colourLevels(scale) {
  if (scale.signed && !scale.picture) {
    const m = Math.max(Math.abs(scale.min), Math.abs(scale.max)) || 1;
    return {
      table: table("diverging", (i) => divergingColour(i / 127.5 - 1)),
      level: (v) => Math.round((Math.max(-1, Math.min(1, v / m)) + 1) * 127.5),
    };
  }
  const span = scale.max - scale.min || 1;
  const kind = scale.picture ? "picture" : "sequential";
  return {
    table: table(kind, (i) => (scale.picture ? inkColour : sequentialColour)(i / 255)),
    level: (v) => Math.round(Math.max(0, Math.min(1, (v - scale.min) / span)) * 255),
  };
}

/** Colour of one value under a scale {min, max, signed}. */
export function colourFor(value, scale) {
  if (scale.picture) return inkColour((value - scale.min) / (scale.max - scale.min || 1));
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
  const [min, max] = rangeOf(values, withZero ? [0, 0] : [Infinity, -Infinity]);
  return scaleFor(min, max, signed);
}

/** [min, max] of numbers nested in arrays or typed arrays, widening `start`. */
export function rangeOf(values, start = [Infinity, -Infinity]) {
  let [min, max] = start;
  const walk = (v) => {
    if (typeof v === "number") {
      if (v < min) min = v;
      if (v > max) max = v;
    } else for (const x of v) walk(x);
  };
  walk(values);
  return [min, max];
}

/** One scale for several grids read side by side (window, kernel, products): |values| <= m. */
export function sharedScale(...grids) {
  let m = 0;
  for (const g of grids) {
    const [lo, hi] = rangeOf(g, [0, 0]);
    m = Math.max(m, -lo, hi);
  }
  return scaleFor(-m, m, true);
}

/** Text colour that stays readable on a background of colour [r, g, b] (luma under `dark`). */
export function inkOn([r, g, b], dark = 150) {
  return 0.299 * r + 0.587 * g + 0.114 * b < dark ? "#ffffff" : "#1d2430";
}
