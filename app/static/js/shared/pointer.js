// Where a pointer event falls on a canvas, whatever size CSS draws the canvas at.

/** The point of `event` in canvas pixels: [x, y], not clamped. */
export function canvasPoint(event, canvas) {
  const rect = canvas.getBoundingClientRect();
  return [
    ((event.clientX - rect.left) * canvas.width) / rect.width,
    ((event.clientY - rect.top) * canvas.height) / rect.height,
  ];
}

/** The cell [row, col] of a rows x cols grid drawn over the whole canvas under `event`. */
export function cellAt(event, canvas, rows, cols) {
  const rect = canvas.getBoundingClientRect();
  const r = Math.floor(((event.clientY - rect.top) / rect.height) * rows);
  const c = Math.floor(((event.clientX - rect.left) / rect.width) * cols);
  return [Math.min(rows - 1, Math.max(0, r)), Math.min(cols - 1, Math.max(0, c))];
}
