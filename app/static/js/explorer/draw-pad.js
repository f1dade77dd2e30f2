// The drawing pad: marker-like strokes from mouse, touch and pen (Pointer Events), undo, replay.

import { canvasPoint } from "../shared/pointer.js";
import { grayPNGDataURL } from "../shared/png.js";

const INK = "#111";
const PAPER = "#fff";

/**
 * A pad on `canvas` that calls onChange({ending, setAside}) after every change to the drawing;
 * setAside is true when a stroke starts over a loaded picture (undo brings the picture back).
 */
export class DrawPad {
  constructor(canvas, { onChange = () => {} } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.onChange = onChange;
    this.strokes = []; // each stroke: [[x, y], ...] in canvas pixels
    this.picture = null; // a loaded image shown instead of strokes, until the next stroke
    this.setAside = null; // the picture a new drawing replaced: undoing its first stroke restores it
    this.active = null;
    this.lineWidth = Math.round(canvas.width / 14);
    this.replaying = null;
    canvas.addEventListener("pointerdown", (e) => this.#down(e));
    canvas.addEventListener("pointermove", (e) => this.#move(e));
    canvas.addEventListener("pointerup", (e) => this.#up(e));
    canvas.addEventListener("pointercancel", (e) => this.#up(e));
    this.redraw();
  }

  isEmpty() {
    return this.strokes.length === 0 && !this.picture;
  }

  clear() {
    this.#stopReplay();
    this.strokes = [];
    this.picture = null;
    this.setAside = null;
    this.redraw();
    this.onChange({ ending: true });
  }

  undo() {
    this.#stopReplay();
    if (this.strokes.length) this.strokes.pop();
    else this.picture = null;
    if (!this.strokes.length && this.setAside) {
      this.picture = this.setAside;
      this.setAside = null;
    }
    this.redraw();
    this.onChange({ ending: true });
  }

  /** Show an image (a loaded digit) fitted on the paper; the next stroke starts a new drawing. */
  showPicture(source) {
    this.#stopReplay();
    this.strokes = [];
    this.picture = source;
    this.setAside = null;
    this.redraw();
  }

  /** Where a pixel (x, y) of the image sent lands on the canvas: (frame.x + x * scale, ...). */
  frame() {
    return this.picture ? fitFrame(this.canvas, this.picture) : { x: 0, y: 0, scale: 1 };
  }

  /** A PNG data URL of the pad (dark ink on white) as 8-bit gray, compressed off the main thread. */
  toDataURLAsync() {
    return grayPNGDataURL(this.canvas);
  }

  /** Draw `strokes` (points in 0..1) point by point, like a hand would; resolves when done. */
  replay(strokes, { pointsPerFrame = 1 } = {}) {
    this.#stopReplay();
    this.strokes = [];
    this.picture = null;
    this.setAside = null;
    this.redraw();
    const w = this.canvas.width;
    const h = this.canvas.height;
    const queue = strokes.map((s) => s.map(([x, y]) => [x * w, y * h]));
    return new Promise((resolve) => {
      let si = 0;
      let pi = 0;
      const frame = () => {
        if (this.replaying !== token) return resolve(false);
        for (let k = 0; k < pointsPerFrame && si < queue.length; k += 1) {
          if (pi === 0) this.strokes.push([]);
          this.#addPoint(this.strokes[this.strokes.length - 1], queue[si][pi]);
          pi += 1;
          if (pi === queue[si].length) {
            si += 1;
            pi = 0;
          }
        }
        const done = si >= queue.length;
        this.onChange({ ending: done });
        if (done) {
          this.replaying = null;
          return resolve(true);
        }
        requestAnimationFrame(frame);
      };
      const token = {};
      this.replaying = token;
      requestAnimationFrame(frame);
    });
  }

  redraw() {
    const { ctx, canvas } = this;
    ctx.fillStyle = PAPER;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (this.picture) drawFitted(ctx, this.picture);
    for (const stroke of this.strokes) this.#drawStroke(stroke, 0);
  }

  #stopReplay() {
    this.replaying = null;
  }

  #down(e) {
    if (e.button !== undefined && e.button > 0) return;
    e.preventDefault();
    this.#stopReplay();
    const setAside = Boolean(this.picture);
    if (setAside) {
      this.setAside = this.picture; // a new drawing starts; undo brings the picture back
      this.picture = null;
      this.redraw();
    }
    this.canvas.setPointerCapture?.(e.pointerId);
    this.active = e.pointerId;
    const stroke = [];
    this.strokes.push(stroke);
    this.#addPoint(stroke, canvasPoint(e, this.canvas));
    this.onChange({ ending: false, setAside });
  }

  #move(e) {
    if (this.active !== e.pointerId) return;
    e.preventDefault();
    const stroke = this.strokes[this.strokes.length - 1];
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e]) this.#addPoint(stroke, canvasPoint(ev, this.canvas));
    this.onChange({ ending: false });
  }

  #up(e) {
    if (this.active !== e.pointerId) return;
    this.active = null;
    this.onChange({ ending: true });
  }

  #addPoint(stroke, point) {
    stroke.push(point);
    this.#drawStroke(stroke, Math.max(0, stroke.length - 2));
  }

  /** Draw a stroke from point `from` on: round caps and joins, like a felt-tip marker. */
  #drawStroke(stroke, from) {
    const { ctx } = this;
    ctx.strokeStyle = INK;
    ctx.fillStyle = INK;
    ctx.lineWidth = this.lineWidth;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    if (stroke.length === 1) {
      ctx.beginPath();
      ctx.arc(stroke[0][0], stroke[0][1], this.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
      return;
    }
    ctx.beginPath();
    ctx.moveTo(stroke[from][0], stroke[from][1]);
    for (let i = from + 1; i < stroke.length; i += 1) ctx.lineTo(stroke[i][0], stroke[i][1]);
    ctx.stroke();
  }
}

/** The offset and scale that centre `source` and fit it inside `canvas`. */
function fitFrame(canvas, source) {
  const scale = Math.min(canvas.width / source.width, canvas.height / source.height);
  return {
    x: (canvas.width - source.width * scale) / 2,
    y: (canvas.height - source.height * scale) / 2,
    scale,
  };
}

/** Draw an image centred and fitted inside the canvas. */
function drawFitted(ctx, source) {
  const { x, y, scale } = fitFrame(ctx.canvas, source);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(source, x, y, source.width * scale, source.height * scale);
}
