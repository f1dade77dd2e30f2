// Numbers and shapes as text, the same way on every page.

/** Short, readable number: 3 significant digits, no noise. */
export function formatValue(v) {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.001) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}

/** A share in [0, 1] as a percentage: percent(0.9876) === "98.8%". */
export function percent(x, digits = 1) {
  return `${(100 * x).toFixed(digits)}%`;
}

/** A shape as text: [8, 28, 28] -> "8 × 28 × 28". */
export function shapeText(shape) {
  return shape.join(" × ");
}
