// The whole network on one screen, left to right: every map and vector small, links and
// receptive fields on hover, the unit's formula previewed; a layer-by-layer swiper on a phone.

import { colourFor, scaleFor } from "../shared/colour.js";
import { el } from "../shared/dom.js";
import { compactPercent, formatValue, shapeText } from "../shared/format.js";
import { drawHeatmap, paintGrid } from "../shared/paint-grid.js";
import { cellAt } from "../shared/pointer.js";
import { unitFormula } from "./overview-formula.js";
import { mixesChannels, overviewColumns, vectorCell, vectorIndex, windowOf } from "./overview-layout.js";
import { createLinkLayer } from "./overview-links.js";
import { requestDraw, watchVisibility } from "./draw-queue.js";

const CLASS_ROW = 22; // CSS px of one class row
const FAN = 12; // links drawn from a dense unit to its (many) inputs

/**
 * Build the overview inside `root` (the element with data-testid="overview").
 * onOpen(target, opener): a unit was clicked or chosen with Enter, target {column, channel, row, col}
 * for maps or {column, index} for vectors. onDetail(shown): the detailed view was toggled.
 */
export function createOverview(root, model, { onOpen, onDetail, detailPanel }) {
  const columns = overviewColumns(model);
  const acts = new Map(); // layer name -> activations of the newest answer
  let hovered = null;
  let marked = null; // a dense answer whose contributions are drawn while nothing is hovered

  root.replaceChildren();
  const head = el("div", "overview-head");
  const title = el("h2", "", "The whole network at a glance");
  title.id = "overview-title";
  const toggle = el("button", "detail-toggle");
  toggle.type = "button";
  toggle.setAttribute("data-testid", "detail-toggle");
  toggle.setAttribute("aria-controls", detailPanel.id);
  head.append(title, toggle);
  const note = el(
    "p",
    "explainer",
    "The 28 × 28 image on the left flows through every layer to the ten probabilities on the right. " +
      "Point at (or tap) any unit to see what it reads and its formula; click a map to open it up close, or a dense unit to see its largest contributions.",
  );
  const stage = el("div", "ov-stage");
  const strip = el("div", "ov-columns");
  stage.append(strip);
  const formula = el("p", "ov-formula");
  formula.setAttribute("data-testid", "overview-formula");
  formula.setAttribute("aria-live", "polite");
  const nav = el("div", "ov-nav");
  const back = el("button", "", "◀");
  const next = el("button", "", "▶");
  const where = el("span", "ov-where");
  back.type = next.type = "button";
  back.setAttribute("aria-label", "Previous layer");
  next.setAttribute("aria-label", "Next layer");
  nav.append(back, where, next);
  root.append(head, note, nav, stage, formula);

  const views = columns.map((column) => buildColumn(column));
  const links = createLinkLayer(strip);
  // Only what is on screen is painted: a column scrolled away (the page, or the phone's swiper)
  // keeps its newest values and is painted when it comes into view.
  const pending = new Map(); // view -> [values, scale] not painted yet
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const view = views.find((v) => v.box === entry.target);
      view.visible = entry.intersectionRatio > 0; // merely touching the edge is not on screen
      if (view.visible && pending.has(view)) {
        paint(view, ...pending.get(view));
        pending.delete(view);
      }
    }
  }, { threshold: [0, 0.05] });
  for (const view of views) {
    view.visible = true; // until the observer says otherwise
    observer.observe(view.box);
  }
  showFormula(null);

  function buildColumn(column) {
    const { layer } = column;
    const box = el("div", `ov-col ov-type-${column.type} kind-${layer.kind}`);
    box.setAttribute("data-testid", `ov-col-${layer.name}`);
    const label = el("div", "ov-label");
    label.append(el("strong", "", layer.name), el("span", "", shapeText(layer.output_shape)));
    const body = el("div", "ov-body");
    box.append(label, body);
    strip.append(box);
    const view = { column, box, canvases: [] };
    if (column.type === "maps") {
      const grid = el("div", "ov-maps");
      grid.style.gridTemplateColumns = `repeat(${column.cols}, auto)`;
      for (let ch = 0; ch < column.channels; ch += 1) {
        const canvas = el("canvas", "heatmap ov-map");
        canvas.width = column.w * Math.ceil(column.side / column.w);
        canvas.height = column.h * Math.ceil(column.side / column.w);
        canvas.style.setProperty("--side", `${column.side}px`);
        canvas.tabIndex = ch === 0 ? 0 : -1; // one Tab stop per layer; arrow keys move between maps
        canvas.setAttribute("role", "button");
        canvas.setAttribute("data-testid", `ov-map-${layer.name}-${ch}`);
        canvas.setAttribute(
          "aria-label",
          `${layer.name} map ${ch}: Enter opens it up close; arrow keys move to other maps and layers`,
        );
        const at = (e) => {
          const [row, col] = cellAt(e, canvas, column.h, column.w);
          return { column, channel: ch, row, col };
        };
        canvas.addEventListener("pointermove", (e) => hover(at(e)));
        canvas.addEventListener("click", (e) => onOpen(at(e), canvas));
        const centre = () => ({ column, channel: ch, row: column.h >> 1, col: column.w >> 1 });
        canvas.addEventListener("focus", () => hover(centre()));
        canvas.addEventListener("keydown", (e) => {
          const to = keyTarget(e.key, column.index, ch);
          if (to) {
            e.preventDefault();
            to.focus();
          } else if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            onOpen(centre(), canvas);
          }
        });
        grid.append(canvas);
        view.canvases.push(canvas);
      }
      body.append(grid);
    } else if (column.type === "vector") {
      const canvas = el("canvas", "heatmap ov-vector");
      canvas.width = column.cols * column.unit;
      canvas.height = column.rows * column.unit;
      canvas.style.setProperty("--w", `${canvas.width}px`);
      canvas.style.setProperty("--h", `${canvas.height}px`);
      canvas.setAttribute("data-testid", `ov-${layer.name}`);
      const at = (e) => {
        const [row, col] = cellAt(e, canvas, column.rows, column.cols);
        const index = vectorIndex(column, row, col);
        return index === null ? null : { column, index };
      };
      canvas.addEventListener("pointermove", (e) => hover(at(e)));
      canvas.addEventListener("click", (e) => at(e) && onOpen(at(e), canvas));
      body.append(canvas);
      view.canvases.push(canvas);
    } else {
      const list = el("div", "ov-classes");
      list.style.gridTemplateRows = `repeat(${column.n}, ${CLASS_ROW}px)`;
      const canvas = el("canvas", "heatmap ov-class-cells");
      canvas.width = CLASS_ROW;
      canvas.height = CLASS_ROW * column.n;
      canvas.setAttribute("data-testid", `ov-${layer.name}`);
      list.append(canvas);
      view.values = model.class_names.map((name, k) => {
        const row = el("button", "ov-class");
        row.type = "button";
        row.style.gridRow = String(k + 1);
        row.setAttribute("data-testid", `ov-${layer.name}-${k}`);
        row.append(el("span", "ov-class-name", name));
        const value = el("span", "ov-class-value", "–");
        row.append(value);
        const target = { column, index: k };
        row.addEventListener("pointermove", () => hover(target));
        row.addEventListener("focus", () => hover(target));
        row.addEventListener("click", () => onOpen(target, row));
        list.append(row);
        return value;
      });
      canvas.addEventListener("pointermove", (e) => hover({ column, index: cellAt(e, canvas, column.n, 1)[0] }));
      canvas.addEventListener("click", (e) => onOpen({ column, index: cellAt(e, canvas, column.n, 1)[0] }, canvas));
      body.append(list);
      view.canvases.push(canvas);
    }
    return view;
  }

  /** The map an arrow key moves to from map `ch` of column `index` (roving Tab stop), or null. */
  function keyTarget(key, index, ch) {
    const maps = views.filter((v) => v.column.type === "maps");
    const at = maps.findIndex((v) => v.column.index === index);
    const step = { ArrowDown: [0, 1], ArrowUp: [0, -1], ArrowRight: [1, 0], ArrowLeft: [-1, 0] }[key];
    if (!step) return null;
    const view = maps[at + step[0]];
    const target = view?.canvases[step[0] ? Math.min(ch, view.canvases.length - 1) : ch + step[1]];
    if (!target) return null;
    view.canvases.forEach((c) => (c.tabIndex = c === target ? 0 : -1));
    return target;
  }

  /**
   * Paint every column with a /api/predict answer (layers "all"), in the next animation frame:
   * a task of its own, apart from the rest of the page's update; only the newest answer of a frame.
   */
  let latest = null;
  function show(answer) {
    if (!latest) requestAnimationFrame(() => paintAnswer(latest));
    latest = answer;
  }

  function paintAnswer(answer) {
    latest = null;
    if (!answer) return;
    acts.set("input", [answer.input]);
    paintWhenSeen(views[0], [answer.input], scaleFor(0, 1));
    for (const entry of answer.layers) {
      const view = views.find((v) => v.column.layer.name === entry.name);
      if (!view) continue;
      acts.set(entry.name, entry.activations);
      paintWhenSeen(view, entry.activations, scaleFor(entry.min, entry.max));
    }
    root.classList.add("has-answer");
    if (hovered) showFormula(hovered);
  }

  function paintWhenSeen(view, values, scale) {
    if (view.visible) paint(view, values, scale);
    else pending.set(view, [values, scale]);
  }

  /** Paint a column at the next frame (through the draw queue: no long task per answer). */
  function paint(view, values, scale) {
    view.next = [values, scale];
    if (!view.item) {
      view.item = { canvas: view.canvases[0], draw: () => view.next && paintNow(view, ...view.next) };
      watchVisibility(view.item);
    }
    requestDraw(view.item);
  }

  function paintNow(view, values, scale) {
    const { column } = view;
    if (column.type === "maps") {
      view.canvases.forEach((canvas, ch) => drawHeatmap(canvas.getContext("2d"), values[ch], scale));
    } else if (column.type === "vector") {
      const ctx = view.canvases[0].getContext("2d");
      paintGrid(ctx, column.rows, column.cols, (r, c) => {
        const k = vectorIndex(column, r, c);
        return k === null ? [255, 255, 255, 0] : colourFor(values[k], scale);
      });
    } else {
      const isProbability = column.layer.kind === "softmax";
      const s = isProbability ? scaleFor(0, 1) : scale;
      paintGrid(view.canvases[0].getContext("2d"), column.n, 1, (r) => colourFor(values[r], s));
      view.values.forEach((node, k) => {
        node.textContent = isProbability ? compactPercent(values[k]) : formatValue(values[k]);
      });
    }
  }

  /** Forget the answer: blank maps, no numbers. */
  function clear() {
    acts.clear();
    pending.clear();
    latest = null;
    root.classList.remove("has-answer");
    for (const view of views) {
      view.next = null; // a paint still queued must not bring the old answer back
      for (const canvas of view.canvases) {
        const ctx = canvas.getContext("2d");
        ctx.fillStyle = "#eef1f5";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
      }
      view.values?.forEach((node) => (node.textContent = "–"));
    }
    if (hovered) showFormula(hovered);
  }

  /** Draw a dense unit's top contributions (POST /api/explain/vector) back on their sources. */
  function mark(answer) {
    marked = answer?.kind === "dense" ? answer : null;
    const column = marked && views.find((v) => v.column.layer.name === marked.layer)?.box;
    if (column && strip.scrollWidth > strip.clientWidth) {
      strip.scrollLeft = Math.max(0, column.offsetLeft + column.offsetWidth + 40 - strip.clientWidth);
    }
    if (!hovered) hover(null);
  }

  function drawMarked() {
    const view = views.find((v) => v.column.layer.name === marked.layer);
    const source = views.find((v) => v.column.layer.name === marked.source_layer);
    if (!view || !source) return;
    const unitRect = rectOf(view, { column: view.column, index: marked.unit });
    links.box(unitRect, "unit");
    for (const { position } of marked.top) {
      const [channel, row, col] = position;
      const target = position.length === 3 ? { channel, row, col } : { index: position[0] };
      const rect = rectOf(source, { column: source.column, ...target });
      links.box(rect, "window");
      links.link(rect, unitRect, { strong: true });
    }
  }

  function hover(target) {
    hovered = target;
    links.clear();
    showFormula(target);
    if (!target && marked) drawMarked();
    if (!target) return;
    const view = views[target.column.index];
    const unitRect = rectOf(view, target);
    links.box(unitRect, "unit");
    const previous = views[target.column.index - 1];
    if (!previous) return;
    for (const source of sourcesOf(target, previous)) links.link(source, unitRect, { strong: true });
    const fields = target.column.layer.receptive_fields;
    if (!fields) return;
    for (const [name, rf] of Object.entries(fields)) {
      const from = views.find((v) => v.column.layer.name === name);
      const w = windowOf(rf, target.row, target.col);
      const mixed = mixesChannels(columns, from.column, target.column);
      from.canvases.forEach((canvas, ch) => {
        if (mixed || ch === target.channel) links.box(clip(canvas, from.column, w), "window");
      });
    }
  }

  /** Rects on the previous column that feed the target (maps: the maps it reads). */
  function sourcesOf(target, previous) {
    const { column } = target;
    if (previous.column.type === "maps") {
      if (column.type === "maps") {
        const all = column.layer.kind === "conv2d";
        return previous.canvases.filter((_, ch) => all || ch === target.channel).map((c) => c.getBoundingClientRect());
      }
      const [, h, w] = column.layer.input_shape; // flatten: unit k comes from one map
      return [previous.canvases[Math.floor(target.index / (h * w))].getBoundingClientRect()];
    }
    if (column.layer.kind === "relu") return [rectOf(previous, target)];
    const n = previous.column.n;
    const picks = Array.from({ length: Math.min(FAN, n) }, (_, i) => Math.round((i * (n - 1)) / Math.max(1, Math.min(FAN, n) - 1)));
    return picks.map((index) => rectOf(previous, { column: previous.column, index }));
  }

  /** The client rect of one unit of a view. */
  function rectOf(view, target) {
    const { column } = view;
    if (column.type === "maps") {
      return clip(view.canvases[target.channel], column, { row: target.row, col: target.col, height: 1, width: 1 });
    }
    const canvas = view.canvases[0].getBoundingClientRect();
    if (column.type === "classes") {
      const h = canvas.height / column.n;
      return new DOMRect(canvas.left, canvas.top + target.index * h, canvas.width, h);
    }
    const [r, c] = vectorCell(column, target.index);
    const cw = canvas.width / column.cols;
    const ch = canvas.height / column.rows;
    return new DOMRect(canvas.left + c * cw, canvas.top + r * ch, cw, ch);
  }

  /** A window {row, col, height, width} on a map canvas, clipped to the map, as a client rect. */
  function clip(canvas, column, w) {
    const r = canvas.getBoundingClientRect();
    const sx = r.width / column.w;
    const sy = r.height / column.h;
    const top = Math.max(0, w.row);
    const left = Math.max(0, w.col);
    const bottom = Math.min(column.h, w.row + w.height);
    const right = Math.min(column.w, w.col + w.width);
    return new DOMRect(r.left + left * sx, r.top + top * sy, (right - left) * sx, (bottom - top) * sy);
  }

  function showFormula(target) {
    if (!target) {
      formula.replaceChildren(el("span", "muted", "Point at a unit to see what it reads and how it is computed."));
      return;
    }
    const [line, context] = unitFormula(target, (name) => acts.get(name));
    formula.replaceChildren(el("code", "", line), el("span", "muted", context));
  }

  strip.addEventListener("pointerleave", () => hover(null));
  strip.addEventListener("scroll", () => {
    const i = Math.round(strip.scrollLeft / Math.max(1, strip.clientWidth));
    where.textContent = `${Math.min(columns.length, i + 1)} / ${columns.length} · ${columns[Math.min(columns.length - 1, i)].layer.name}`;
  });
  const page = (step) => strip.scrollBy({ left: step * strip.clientWidth, behavior: "smooth" });
  back.addEventListener("click", () => page(-1));
  next.addEventListener("click", () => page(1));
  where.textContent = `1 / ${columns.length} · input`;

  let detailShown = true;
  const setDetail = (shown) => {
    detailShown = shown;
    detailPanel.hidden = !shown;
    toggle.setAttribute("aria-expanded", String(shown));
    toggle.textContent = shown ? "Hide the detailed view" : "Show the detailed view";
    onDetail(shown);
  };
  toggle.addEventListener("click", () => setDetail(!detailShown));
  setDetail(true);

  clear();
  return { show, clear, mark, columns, detailShown: () => detailShown };
}
