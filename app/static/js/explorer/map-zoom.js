// One map up close: large (>= 10 px a unit, 24 on touch screens) beside the map it reads,
// the window tracked under the pointer, the receptive field on the 28 x 28 input; Enter or a
// click runs the step-by-step explanation of the unit (the explain panel, beside it).

import { WINDOW_COLOUR, scaleFor } from "../shared/colour.js";
import { el } from "../shared/dom.js";
import { drawHeatmap } from "../shared/paint-grid.js";
import { cellAt } from "../shared/pointer.js";
import { unitFormula } from "./overview-formula.js";
import { windowOf } from "./overview-layout.js";

const SIDE = 336; // CSS px a zoomed map aims for
const MIN_UNIT = 10; // CSS px per unit, at least
const TOUCH_UNIT = 24; // CSS px per unit on a touch screen: a finger can pick it
const EXPLAINED = new Set(["conv2d", "maxpool2d", "avgpool2d"]);

/**
 * A dialog appended to `doc.body`. entryOf(name) -> {activations, min, max} of the newest answer
 * (undefined before one); columns: the overview's; onExplain({layer, channel, row, col}); onClose().
 */
export function createMapZoom(doc, { columns, entryOf, onExplain, onClose }) {
  const root = el("section", "map-zoom");
  root.hidden = true;
  root.setAttribute("data-testid", "map-zoom");
  root.setAttribute("role", "dialog");
  root.setAttribute("aria-labelledby", "map-zoom-title");
  const head = el("div", "zoom-head");
  const title = el("h2", "", "");
  title.id = "map-zoom-title";
  const close = el("button", "", "✕");
  close.type = "button";
  close.setAttribute("aria-label", "Close the map");
  close.setAttribute("data-testid", "map-zoom-close");
  head.append(title, close);
  const hint = el("p", "explainer", "");
  const figures = el("div", "zoom-figures");
  const channels = el("div", "zoom-channels");
  channels.setAttribute("role", "group");
  channels.setAttribute("aria-label", "Input map shown");
  const readout = el("p", "ov-formula zoom-readout");
  readout.setAttribute("data-testid", "map-zoom-readout");
  root.append(head, hint, channels, figures, readout);
  doc.body.append(root);

  const sourceFig = figure("map-zoom-source");
  const mapFig = figure("map-zoom-map");
  const inputFig = figure("map-zoom-input");
  figures.append(sourceFig.node, el("span", "zoom-arrow", "→"), mapFig.node, inputFig.node);
  mapFig.canvas.tabIndex = 0;
  mapFig.canvas.setAttribute("role", "application");

  let state = null; // {column, source, channel, row, col, sourceChannel, opener}

  function figure(testId) {
    const node = el("figure", "zoom-figure");
    const scroller = el("div", "zoom-scroll");
    const canvas = el("canvas", "heatmap zoom-canvas");
    canvas.setAttribute("data-testid", testId);
    const caption = el("figcaption", "", "");
    scroller.append(canvas);
    node.append(scroller, caption);
    return { node, canvas, caption };
  }

  const unitPx = (column) => {
    const touch = doc.defaultView.matchMedia("(pointer: coarse)").matches;
    return Math.max(touch ? TOUCH_UNIT : MIN_UNIT, Math.floor(SIDE / Math.max(column.h, column.w)));
  };

  function size(fig, column, unit) {
    fig.canvas.width = column.w * unit;
    fig.canvas.height = column.h * unit;
    fig.canvas.style.width = `${column.w * unit}px`;
    fig.canvas.style.height = `${column.h * unit}px`;
  }

  /** Open `target` {column, channel, row, col} of the overview; focus returns to `opener` on close. */
  function open(target, opener) {
    const { column } = target;
    const source = columns[column.index - 1] ?? null;
    const sourceChannel = source && (column.layer.kind === "conv2d" ? 0 : target.channel);
    state = { column, source, channel: target.channel, row: target.row, col: target.col, sourceChannel, opener };
    const unit = unitPx(column);
    size(mapFig, column, unit);
    mapFig.canvas.dataset.unitPx = String(unit);
    sourceFig.node.hidden = !source;
    if (source) size(sourceFig, source, Math.max(unitPx(source), Math.floor((unit * column.w) / source.w)));
    const input = columns[0];
    inputFig.node.hidden = !column.layer.receptive_fields?.input || source === input;
    size(inputFig, input, 6);
    title.textContent = `${column.layer.name} · map ${target.channel} up close`;
    hint.textContent = EXPLAINED.has(kindExplained(column))
      ? "Move over the units (or use the arrow keys): the window follows. Click or press Enter to watch the unit being computed; Escape closes."
      : "Move over the units (or use the arrow keys); Escape closes.";
    buildChannels();
    root.hidden = false;
    doc.body.classList.add("zooming");
    mapFig.canvas.focus({ preventScroll: true });
    draw();
  }

  function kindExplained(column) {
    if (column.layer.kind !== "relu") return column.layer.kind;
    return column.previous?.kind === "conv2d" ? "conv2d" : "relu";
  }

  function buildChannels() {
    channels.replaceChildren();
    const { column, source } = state;
    channels.hidden = !source || column.layer.kind !== "conv2d" || source.channels < 2;
    if (channels.hidden) return;
    channels.append(el("span", "muted", `reads all ${source.channels} maps of ${source.layer.name}; showing:`));
    for (let ch = 0; ch < source.channels; ch += 1) {
      const b = el("button", "", String(ch));
      b.type = "button";
      b.setAttribute("aria-pressed", String(ch === state.sourceChannel));
      b.addEventListener("click", () => {
        state.sourceChannel = ch;
        channels.querySelectorAll("button").forEach((x, i) => x.setAttribute("aria-pressed", String(i === ch)));
        draw();
      });
      channels.append(b);
    }
  }

  /** Paint the three views with the newest answer and mark the window and the unit. */
  function draw() {
    if (!state) return;
    const { column, source, channel, row, col, sourceChannel } = state;
    const fields = column.layer.receptive_fields;
    paint(mapFig.canvas, column, channel, [{ row, col, height: 1, width: 1 }], "#1d2430");
    mapFig.caption.textContent = `${column.layer.name} map ${channel} · unit (${row}, ${col})`;
    if (source) {
      const w = fields?.[source.layer.name] ? windowOf(fields[source.layer.name], row, col) : { row, col, height: 1, width: 1 };
      paint(sourceFig.canvas, source, sourceChannel, [w], WINDOW_COLOUR);
      sourceFig.caption.textContent = `${source.layer.name}${source.channels > 1 ? ` map ${sourceChannel}` : ""}: the window it reads`;
    }
    if (!inputFig.node.hidden) {
      const w = windowOf(fields.input, row, col);
      paint(inputFig.canvas, columns[0], 0, [w], WINDOW_COLOUR);
      inputFig.caption.textContent = `the input: ${w.height} × ${w.width} pixels it sees`;
      inputFig.canvas.dataset.window = `${w.row},${w.col},${w.height},${w.width}`;
    }
    mapFig.canvas.setAttribute(
      "aria-label",
      `${column.layer.name} map ${channel}, unit row ${row} column ${col}. Arrow keys move, Enter explains, Escape closes.`,
    );
    const [line, context] = unitFormula({ column, channel, row, col }, (name) => entryOf(name)?.activations);
    readout.replaceChildren(el("code", "", line), el("span", "muted", context));
  }

  function paint(canvas, column, ch, boxes, colour) {
    const ctx = canvas.getContext("2d");
    const entry = entryOf(column.layer.name);
    if (entry) drawHeatmap(ctx, entry.activations[ch], scaleFor(entry.min, entry.max));
    else {
      ctx.fillStyle = "#eef1f5";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
    }
    const ux = canvas.width / column.w;
    const uy = canvas.height / column.h;
    ctx.lineWidth = Math.max(2, Math.min(4, ux / 4));
    ctx.strokeStyle = colour;
    for (const b of boxes) {
      const top = Math.max(0, b.row);
      const left = Math.max(0, b.col);
      const bottom = Math.min(column.h, b.row + b.height);
      const right = Math.min(column.w, b.col + b.width);
      ctx.strokeRect(left * ux + 1, top * uy + 1, (right - left) * ux - 2, (bottom - top) * uy - 2);
    }
  }

  function moveTo(row, col) {
    const { column } = state;
    state.row = Math.min(column.h - 1, Math.max(0, row));
    state.col = Math.min(column.w - 1, Math.max(0, col));
    draw();
  }

  function explain() {
    if (!EXPLAINED.has(kindExplained(state.column))) return;
    onExplain({ layer: state.column.layer.name, channel: state.channel, row: state.row, col: state.col });
  }

  mapFig.canvas.addEventListener("pointermove", (e) => {
    if (!state) return;
    const [r, c] = cellAt(e, mapFig.canvas, state.column.h, state.column.w);
    if (r !== state.row || c !== state.col) moveTo(r, c);
  });
  mapFig.canvas.addEventListener("click", (e) => {
    const [r, c] = cellAt(e, mapFig.canvas, state.column.h, state.column.w);
    moveTo(r, c);
    explain();
  });
  mapFig.canvas.addEventListener("keydown", (e) => {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[e.key]) {
      e.preventDefault();
      moveTo(state.row + moves[e.key][0], state.col + moves[e.key][1]);
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      explain();
    }
  });
  root.addEventListener("keydown", (e) => {
    if (e.key === "Escape") hide();
  });
  close.addEventListener("click", hide);

  function hide() {
    if (!state) return;
    const { opener } = state;
    state = null;
    root.hidden = true;
    doc.body.classList.remove("zooming");
    onClose();
    opener?.focus({ preventScroll: true });
  }

  return { open, close: hide, refresh: draw, isOpen: () => state !== null };
}
