// Numbers and shapes as text, the same way on every page: one format wherever a learner reads
// a number (cells, sums, bias, tooltips, legends), never scientific notation.

/**
 * A value as plain decimals: up to 3 decimals, trailing zeros dropped (0.5, -0.122, 12.346, 3);
 * below 0.001 two significant digits (0.00044, -0.000016); below 1e-9 it is 0.
 */
export function formatValue(v) {
  const a = Math.abs(v);
  if (!Number.isFinite(v)) return String(v);
  if (a < 1e-9) return "0";
  const decimals = a >= 0.001 ? 3 : Math.min(20, 1 - Math.floor(Math.log10(a)));
  const text = v.toFixed(decimals);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** A value as a term of a sum: negative ones in brackets, "+ (-0.122)". */
export function formatTerm(v) {
  const text = formatValue(v);
  return text.startsWith("-") ? `(${text})` : text;
}

/** A share in [0, 1] as a percentage: percent(0.9876) === "98.8%". */
export function percent(x, digits = 1) {
  return `${(100 * x).toFixed(digits)}%`;
}

/** A probability as a percentage that never rounds up to a certainty: "> 99.9%", "< 0.1%". */
export function surePercent(p) {
  if (p > 0.999) return "> 99.9%";
  if (p > 0 && p < 0.001) return "< 0.1%";
  return `${(100 * p).toFixed(p >= 0.99 ? 1 : 0)}%`;
}

/** surePercent for a column of ten: "0%" below 0.1 %, ">99.9%" above 99.9 %. */
export function compactPercent(p) {
  return p < 0.001 ? "0%" : surePercent(p).replace("> ", ">");
}

/** A shape as text: [8, 28, 28] -> "8 × 28 × 28". */
export function shapeText(shape) {
  return shape.join(" × ");
}
