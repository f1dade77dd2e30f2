// One feature map on a canvas: crisp heatmap, marks for a window and a unit, a keyboard cursor.

import { WINDOW_COLOUR } from "../shared/colour.js";
import { drawHeatmap } from "../shared/paint-grid.js";
import { formatValue } from "../shared/format.js";
import { cellAt } from "../shared/pointer.js";
import { requestDraw, watchVisibility } from "./draw-queue.js";

const DISPLAY = 84; // CSS pixels of a map's side

/**
 * A map canvas for an H x W grid; `onPick(row, col, {keyboard})` when a unit is clicked or
 * chosen by keyboard (Enter or Space).
 */
export class FeatureMap {
  constructor({ label, height, width, onPick = null, tooltip = null }) {
    this.h = height;
    this.w = width;
    this.cell = Math.max(1, Math.ceil(DISPLAY / Math.max(height, width)));
    this.grid = null;
    this.scale = null;
    this.marks = { window: null, unit: null, lit: false };
    this.cursor = [Math.floor(height / 2), Math.floor(width / 2)];
    this.label = label;
    const canvas = document.createElement("canvas");
    canvas.width = width * this.cell;
    canvas.height = height * this.cell;
    canvas.className = "heatmap map";
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    if (onPick) {
      canvas.tabIndex = 0;
      canvas.setAttribute("role", "button");
      canvas.classList.add("pickable");
      canvas.addEventListener("click", (e) => {
        const [r, c] = cellAt(e, canvas, height, width);
        this.cursor = [r, c];
        onPick(r, c);
      });
      canvas.addEventListener("keydown", (e) => this.#key(e, onPick));
      canvas.addEventListener("focus", () => this.draw());
      canvas.addEventListener("blur", () => this.draw());
    }
    if (tooltip) {
      canvas.addEventListener("pointermove", (e) => {
        if (!this.grid) return;
        const [r, c] = cellAt(e, canvas, height, width);
        tooltip.show(e, `${label} [${r}, ${c}] = ${formatValue(this.grid[r][c])}`);
      });
      canvas.addEventListener("pointerleave", () => tooltip.hide());
    }
    this.#describe();
    watchVisibility(this);
  }

  /** New values (H x W rows) under `scale`: drawn at the next frame while on screen. */
  setData(grid, scale) {
    this.grid = grid;
    this.scale = scale;
    requestDraw(this);
  }

  /** window: {row, col, height, width} in this map's coordinates (may reach into padding). */
  mark({ window = null, unit = null, lit = false } = {}) {
    this.marks = { window, unit, lit };
    this.draw();
  }

  draw() {
    const { ctx, cell } = this;
    if (this.grid) drawHeatmap(ctx, this.grid, this.scale);
    else {
      ctx.fillStyle = "#eef1f5";
      ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    }
    const { window, unit, lit } = this.marks;
    if (window) {
      ctx.lineWidth = Math.max(2, cell / 3);
      ctx.strokeStyle = WINDOW_COLOUR;
      ctx.strokeRect(window.col * cell, window.row * cell, window.width * cell, window.height * cell);
    }
    if (unit) {
      ctx.lineWidth = Math.max(2, cell / 3);
      ctx.strokeStyle = lit ? "#00a86b" : "#1d2430";
      ctx.strokeRect(unit[1] * cell, unit[0] * cell, cell, cell);
      if (lit) {
        ctx.fillStyle = "rgba(0, 168, 107, 0.35)";
        ctx.fillRect(unit[1] * cell, unit[0] * cell, cell, cell);
      }
    }
    if (document.activeElement === this.canvas) this.#drawCursor();
  }

  /** The keyboard cursor: guides along its row and column and a two-tone box a cell wider. */
  #drawCursor() {
    const { ctx, cell } = this;
    const [r, c] = this.cursor;
    const { width, height } = this.canvas;
    ctx.fillStyle = "rgba(36, 99, 199, 0.22)";
    ctx.fillRect(0, r * cell, width, cell);
    ctx.fillRect(c * cell, 0, cell, height);
    const pad = Math.max(2, cell);
    const box = [c * cell - pad, r * cell - pad, cell + 2 * pad, cell + 2 * pad];
    ctx.lineWidth = 4;
    ctx.strokeStyle = "#ffffff";
    ctx.strokeRect(...box);
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#2463c7";
    ctx.strokeRect(...box);
  }

  #key(e, onPick) {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[e.key]) {
      e.preventDefault();
      const [dr, dc] = moves[e.key];
      this.cursor = [
        Math.min(this.h - 1, Math.max(0, this.cursor[0] + dr)),
        Math.min(this.w - 1, Math.max(0, this.cursor[1] + dc)),
      ];
      this.#describe();
      this.draw();
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      onPick(this.cursor[0], this.cursor[1], { keyboard: true });
    }
  }

  #describe() {
    const [r, c] = this.cursor;
    const value = this.grid ? `, value ${formatValue(this.grid[r][c])}` : "";
    this.canvas.setAttribute(
      "aria-label",
      `${this.label}, unit row ${r} column ${c}${value}. Arrow keys move, Enter explains.`,
    );
  }
}
