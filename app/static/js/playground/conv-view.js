// The convolution, step by step: padded input slices with the window, the kernel's slices,
// the products and their sums; the output maps filling in; the editable kernels.

import { scaleFor, scaleOf } from "../shared/colour.js";
import { el } from "../shared/dom.js";
import { formatTerm as term, formatValue } from "../shared/format.js";
import { createGrid, figure, fitCells, stepFiller } from "./grid.js";
import { channelNames } from "./state.js";


/** Build the views into `areas` {steps, outputs, kernels}; returns {update(done, live)}. */
export function createConvView(areas, state, conv, { onEditInput, onEditKernel }) {
  const names = channelNames(state.settings.channels);
  const pad = state.settings.padding;
  const inputScale = scaleOf(state.input, { withZero: true });
  const kRange = scaleOf(state.kernels, { withZero: true });
  const kMax = Math.max(-kRange.min, kRange.max) || 1;
  const kernelScale = scaleFor(-kMax, kMax, true);
  const side = state.settings.size + 2 * pad;

  // Kernels panel: every kernel, one editable slice per channel.
  const kernelCards = state.kernels.map((kernel, f) => {
    const card = el("div", "kernel-card");
    card.dataset.testid = `pg-kernel-${f}`;
    card.append(el("h3", "", `Kernel ${f + 1}`));
    const slices = el("div", "slices");
    kernel.forEach((slice, ch) => {
      const grid = createGrid(slice, kernelScale, {
        label: `kernel ${f + 1} ${names[ch]}`,
        onEdit: (r, c, v) => onEditKernel(f, ch, r, c, v),
      });
      grid.el.dataset.channel = String(ch);
      grid.el.style.setProperty("--cell", "38px");
      slices.append(figure(names.length > 1 ? names[ch] : "", grid.el));
    });
    card.append(slices);
    return card;
  });
  areas.kernels.replaceChildren(...kernelCards);

  // Step table: columns input | x | kernel | = | products | sums, one row per channel.
  const table = el("div", "step-table");
  const column = (title, testid, className = "") => {
    const col = el("div", `step-col ${className}`.trim());
    col.style.gridRow = `1 / span ${names.length + 1}`;
    if (testid) col.dataset.testid = testid;
    col.append(el("div", "step-head", title));
    table.append(col);
    return col;
  };
  const inputCol = column(`Input${pad ? `, padded by ${pad}` : ""}`, "pg-input");
  const timesCol = column("", "", "op-col");
  const kernelCol = column("Kernel", "pg-step-kernel");
  const equalsCol = column("", "", "op-col");
  const productsCol = column("Products", "pg-products");
  const sumsCol = column("Sum of products", "pg-channel-sums", "sums-col");

  const inputGrids = state.input.map((slice, ch) => {
    const grid = createGrid(slice, inputScale, {
      pad,
      label: `input ${names[ch]}`,
      onEdit: (r, c, v) => onEditInput(ch, r, c, v),
    });
    grid.el.dataset.channel = String(ch);
    fitCells(grid.el, side);
    inputCol.append(figure(names.length > 1 ? names[ch] : "", grid.el));
    timesCol.append(el("div", "op", "×"));
    equalsCol.append(el("div", "op", "="));
    return grid;
  });
  const kernelSlots = names.map(() => kernelCol.appendChild(el("div", "slot")));
  const productSlots = names.map(() => productsCol.appendChild(el("div", "slot")));
  const sumSlots = names.map(() => sumsCol.appendChild(el("div", "channel-sum")));
  const sumLine = el("p", "sum-line");
  sumLine.dataset.testid = "pg-sum";
  sumLine.setAttribute("aria-live", "polite");
  areas.steps.replaceChildren(table, sumLine);

  // Output maps, one per kernel, empty until their steps are done.
  const [F, Ho, Wo] = conv.output_shape;
  const outScale = scaleOf(conv.output, { withZero: true });
  const blank = Array.from({ length: Ho }, () => Array(Wo).fill(null));
  const outGrids = conv.output.map((_, f) => {
    const grid = createGrid(blank, outScale, { label: `output map ${f + 1}` });
    fitCells(grid.el, Math.max(Ho, Wo));
    const fig = figure(`Map ${f + 1}`, grid.el, "output-map");
    fig.dataset.testid = `pg-output-${f}`;
    return { grid, fig };
  });
  areas.outputs.replaceChildren(...outGrids.map((o) => o.fig));

  let shownKernel = -1;
  const showKernel = (f) => {
    if (f === shownKernel) return;
    shownKernel = f;
    state.kernels[f].forEach((slice, ch) => {
      const grid = createGrid(slice, kernelScale, { label: `kernel ${f + 1} ${names[ch]}` });
      grid.el.style.setProperty("--cell", "38px");
      kernelSlots[ch].replaceChildren(figure(names.length > 1 ? `${f + 1}: ${names[ch]}` : `kernel ${f + 1}`, grid.el));
    });
    kernelCards.forEach((card, i) => card.classList.toggle("active", i === f));
  };

  const fill = stepFiller(conv.steps, (s) => outGrids[s.channel].grid.cell(s.row, s.col), outScale);
  let current = null;
  return {
    /** Show the first `done` steps computed; `live` highlights the last one as the current step. */
    update(done, live) {
      const steps = conv.steps;
      fill(done);
      if (current) current.classList.remove("current");
      outGrids.forEach((o) => o.fig.classList.remove("active"));
      const step = live && done > 0 ? steps[done - 1] : null;
      showKernel(step ? step.channel : 0);
      if (!step) {
        inputGrids.forEach((g) => g.hideWindow());
        productSlots.forEach((slot) => slot.replaceChildren());
        sumSlots.forEach((slot) => slot.replaceChildren());
        sumLine.textContent = done === 0
          ? "Press Step or Play: the kernel slides over the input, one output number per position."
          : `Convolution done: ${F} map${F > 1 ? "s" : ""} of ${Ho}×${Wo}.`;
        current = null;
        return;
      }
      const w = step.window;
      inputGrids.forEach((g) => g.showWindow(w.padded_row, w.padded_col, w.height, w.width));
      const productScale = scaleOf(step.products, { withZero: true });
      step.products.forEach((slice, ch) => {
        const grid = createGrid(slice, productScale, { label: `products ${names[ch]}` });
        grid.el.style.setProperty("--cell", "38px");
        productSlots[ch].replaceChildren(figure(names.length > 1 ? names[ch] : "", grid.el));
        const text = el("span", "", `${slice.flat().map(term).join(" + ")} = `);
        sumSlots[ch].replaceChildren(text, el("strong", "", formatValue(step.channel_sums[ch])));
      });
      const parts = names.length > 1 ? `${step.channel_sums.map(term).join(" + ")} = ${formatValue(step.sum)}; ` : "";
      sumLine.textContent = `${parts}sum ${formatValue(step.sum)} + bias ${formatValue(step.bias)} = ${formatValue(step.result)} → map ${step.channel + 1}, row ${step.row + 1}, column ${step.col + 1}`;
      current = outGrids[step.channel].grid.cell(step.row, step.col);
      current.classList.add("current");
      outGrids[step.channel].fig.classList.add("active");
    },
  };
}
