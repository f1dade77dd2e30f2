// The steps of one unit's computation, from a /api/explain answer: pure data, no drawing.

/**
 * Conv: the window, one step per product (running sum), + bias, ReLU, done.
 * Pool: the window, one step per value (running max or mean), done.
 * Each step: {phase, channel, row, col, running, text}.
 */
export function buildSteps(answer) {
  return answer.kind === "conv2d" ? convSteps(answer) : poolSteps(answer);
}

function convSteps(a) {
  const steps = [{ phase: "window", channel: 0, row: null, col: null, running: 0 }];
  let running = 0;
  a.products.forEach((plane, ch) => {
    plane.forEach((line, r) => {
      line.forEach((p, c) => {
        running += p;
        steps.push({
          phase: "product",
          channel: ch,
          row: r,
          col: c,
          running,
          term: { x: a.patch[ch][r][c], w: a.kernel[ch][r][c], p },
        });
      });
    });
  });
  const last = a.products.length - 1;
  steps.push({ phase: "bias", channel: last, row: null, col: null, running: a.result });
  if (a.activation) {
    steps.push({ phase: "activation", channel: last, row: null, col: null, running: a.activation.value });
  }
  steps.push({ phase: "done", channel: last, row: null, col: null, running: finalValue(a) });
  return steps;
}

function poolSteps(a) {
  const steps = [{ phase: "window", channel: 0, row: null, col: null, running: null }];
  const isMax = a.kind === "maxpool2d";
  let running = isMax ? -Infinity : 0;
  let count = 0;
  a.values.forEach((line, r) => {
    line.forEach((v, c) => {
      count += 1;
      running = isMax ? Math.max(running, v) : running + v;
      steps.push({ phase: "compare", channel: 0, row: r, col: c, running: isMax ? running : running / count, value: v });
    });
  });
  steps.push({ phase: "done", channel: 0, row: null, col: null, running: a.result });
  return steps;
}

/** The value the unit ends with: after the activation when there is one. */
export function finalValue(a) {
  return a.activation ? a.activation.value : a.result;
}
