// A grid of number cells, coloured with the shared heatmap scale; padding rings, a window
// outline and click-to-edit cells. Cells carry data-row, data-col and data-value.

import { colourFor, inkOn } from "../shared/colour.js";
import { formatValue } from "../shared/format.js";

/**
 * The output cells of `steps`, filled step by step: fill(done) moves from the steps shown so
 * far to the first `done` (either direction); later ones are cleared. cellOf(step) is the
 * step's output cell.
 */
export function stepFiller(steps, cellOf, scale) {
  let filled = 0;
  return (done) => {
    for (let i = Math.min(filled, done); i < Math.max(filled, done); i += 1) {
      paintCell(cellOf(steps[i]), i < done ? steps[i].result : null, scale);
    }
    filled = done;
  };
}

/** Show value v in cell, coloured under scale; null clears the cell (not computed yet). */
export function paintCell(cell, v, scale) {
  if (v === null || v === undefined) {
    cell.textContent = "";
    cell.removeAttribute("data-value");
    cell.classList.add("pending");
    cell.style.background = "";
    cell.style.color = "";
    return;
  }
  const rgb = colourFor(v, scale);
  const text = formatValue(v);
  cell.textContent = text;
  cell.dataset.value = String(v);
  cell.classList.remove("pending");
  cell.classList.toggle("long", text.length === 3);
  cell.classList.toggle("longer", text.length > 3);
  cell.style.background = `rgb(${rgb.join(",")})`;
  cell.style.color = inkOn(rgb);
}

function place(el, row, col, height = 1, width = 1) {
  el.style.gridRow = `${row + 1} / span ${height}`;
  el.style.gridColumn = `${col + 1} / span ${width}`;
}

function startEdit(grid, cell, r, c, onEdit) {
  const box = document.createElement("input");
  box.type = "number";
  box.step = "any";
  box.className = "cell-editor";
  box.value = cell.dataset.value ?? "0";
  box.setAttribute("aria-label", `${cell.getAttribute("aria-label")}: new value`);
  place(box, Number(cell.style.gridRowStart) - 1, Number(cell.style.gridColumnStart) - 1);
  let done = false;
  const finish = (commit) => {
    if (done) return;
    done = true;
    const v = Number(box.value);
    box.remove();
    cell.focus();
    if (commit && box.value.trim() !== "" && Number.isFinite(v) && Math.abs(v) <= 1e6) {
      onEdit(r, c, v);
    }
  };
  box.addEventListener("keydown", (e) => {
    if (e.key === "Enter") finish(true);
    if (e.key === "Escape") finish(false);
  });
  box.addEventListener("blur", () => finish(true));
  grid.append(box);
  box.focus();
  box.select();
}

/**
 * Build a grid for `values` (rows of numbers, or null for "not yet") under `scale`.
 * Options: pad (rings of zero padding drawn hatched), onEdit(r, c, value) makes cells editable,
 * label (accessible name), testid. Returns {el, cell(r, c), showWindow, hideWindow}; cell and
 * window coordinates are in the padded grid.
 */
export function createGrid(values, scale, { pad = 0, onEdit = null, label = "", testid = "" } = {}) {
  const rows = values.length;
  const cols = rows ? values[0].length : 0;
  const el = document.createElement("div");
  el.className = "grid";
  el.style.setProperty("--cols", String(cols + 2 * pad));
  if (label) el.setAttribute("aria-label", label);
  if (testid) el.dataset.testid = testid;
  const cells = [];
  for (let pr = 0; pr < rows + 2 * pad; pr += 1) {
    const line = [];
    for (let pc = 0; pc < cols + 2 * pad; pc += 1) {
      const r = pr - pad;
      const c = pc - pad;
      const cell = document.createElement("div");
      cell.className = "cell";
      place(cell, pr, pc);
      if (r < 0 || r >= rows || c < 0 || c >= cols) {
        cell.classList.add("pad");
        cell.textContent = "0";
        cell.dataset.pad = "";
      } else {
        cell.dataset.row = String(r);
        cell.dataset.col = String(c);
        paintCell(cell, values[r][c], scale);
        if (onEdit) {
          cell.classList.add("editable");
          cell.tabIndex = 0;
          cell.setAttribute("role", "button");
          cell.setAttribute("aria-label", `${label} row ${r + 1} column ${c + 1}`);
          cell.title = "Click to edit";
          const edit = () => startEdit(el, cell, r, c, onEdit);
          cell.addEventListener("click", edit);
          cell.addEventListener("keydown", (e) => {
            if (e.key === "Enter" || e.key === " ") {
              e.preventDefault();
              edit();
            }
          });
        }
      }
      el.append(cell);
      line.push(cell);
    }
    cells.push(line);
  }
  const frame = document.createElement("div");
  frame.className = "window";
  frame.hidden = true;
  el.append(frame);
  return {
    el,
    cell: (r, c) => cells[r][c],
    showWindow(row, col, height, width) {
      place(frame, row, col, height, width);
      frame.hidden = false;
    },
    hideWindow() {
      frame.hidden = true;
    },
  };
}

/** Size the cells of a grid n cells wide; wide grids shrink further on phones (CSS). */
export function fitCells(gridEl, n) {
  const side = n <= 6 ? 38 : n <= 9 ? 32 : n <= 12 ? 27 : 23;
  gridEl.style.setProperty("--cell", `${side}px`);
  gridEl.classList.toggle("wide", n > 9);
}

/** A titled figure around a grid element. */
export function figure(title, child, className = "") {
  const fig = document.createElement("figure");
  fig.className = `grid-figure ${className}`.trim();
  if (title) {
    const cap = document.createElement("figcaption");
    cap.textContent = title;
    fig.append(cap);
  }
  fig.append(child);
  return fig;
}
