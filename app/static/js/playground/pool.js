// Max-pooling of the convolution maps, window by window, the maximum highlighted.

import { scaleOf } from "../shared/colour.js";
import { formatValue } from "../shared/format.js";
import { createGrid, figure, fitCells, stepFiller } from "./grid.js";

/**
 * Build the pooling view into `area` for the /api/convolve answer `conv` (its output maps are
 * the pooling input) and the /api/pool answer. A map cell stays empty until the convolution
 * step that computes it has run.
 */
export function createPoolView(area, conv, pool) {
  const maps = conv.output;
  const scale = scaleOf(maps, { withZero: true });
  const [, Hp, Wp] = pool.output_shape;
  const blank = Array.from({ length: Hp }, () => Array(Wp).fill(null));
  const pairs = maps.map((map, f) => {
    const empty = map.map((row) => row.map(() => null)); // filled as the convolution computes it
    const source = createGrid(empty, scale, { label: `map ${f + 1}` });
    fitCells(source.el, map[0].length);
    const pooled = createGrid(blank, scale, { label: `pooled map ${f + 1}` });
    fitCells(pooled.el, map[0].length);
    const pair = document.createElement("div");
    pair.className = "pool-pair";
    const arrow = document.createElement("span");
    arrow.className = "op";
    arrow.textContent = "→";
    const out = figure(`Pooled ${f + 1}`, pooled.el, "output-map");
    out.dataset.testid = `pg-pool-${f}`;
    pair.append(figure(`Map ${f + 1}`, source.el), arrow, out);
    return { source, pooled, pair, out };
  });
  const line = document.createElement("p");
  line.className = "sum-line";
  line.dataset.testid = "pg-pool-step";
  line.setAttribute("aria-live", "polite");
  const wrap = document.createElement("div");
  wrap.className = "pool-maps";
  wrap.append(...pairs.map((p) => p.pair));
  area.replaceChildren(wrap, line);

  const fill = stepFiller(pool.steps, (s) => pairs[s.channel].pooled.cell(s.row, s.col), scale);
  const fillSource = stepFiller(conv.steps, (s) => pairs[s.channel].source.cell(s.row, s.col), scale);
  let marked = null;
  return {
    /** Show the first `convDone` conv results as input, the first `done` pooling steps; `live` highlights the last. */
    update(done, live, convDone = conv.steps.length) {
      const steps = pool.steps;
      fillSource(convDone);
      fill(done);
      if (marked) marked.forEach((c) => c.classList.remove("argmax", "current"));
      marked = null;
      pairs.forEach((p) => p.source.hideWindow());
      const step = live && done > 0 ? steps[done - 1] : null;
      if (!step) {
        line.textContent = done === 0
          ? `Pooling starts when the convolution is done: ${steps.length} window${steps.length > 1 ? "s" : ""}.`
          : "Pooling done: every window has given its largest value.";
        return;
      }
      const w = step.window;
      const p = pairs[step.channel];
      p.source.showWindow(w.row, w.col, w.height, w.width);
      const best = p.source.cell(w.row + step.argmax[0], w.col + step.argmax[1]);
      const target = p.pooled.cell(step.row, step.col);
      best.classList.add("argmax");
      target.classList.add("current");
      marked = [best, target];
      const values = step.values.flat().map(formatValue).join(", ");
      line.textContent = `max(${values}) = ${formatValue(step.result)} → pooled map ${step.channel + 1}, row ${step.row + 1}, column ${step.col + 1}`;
    },
  };
}
