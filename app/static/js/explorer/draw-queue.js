// Drawing batched per animation frame: maps on screen are drawn at the next frames (a few ms
// of drawing per frame), maps off
// screen when the browser is idle (or as soon as they scroll into view), each at most once.

const pending = new Set(); // items {canvas, draw()} whose data changed since they were drawn
const visible = new Set(); // canvases intersecting the viewport (with a margin)
let frame = 0;
let idle = 0;
let observer = null;

function watcher() {
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) (e.isIntersecting ? visible.add(e.target) : visible.delete(e.target));
      if (pending.size) schedule();
    },
    { rootMargin: "150px" },
  );
  return observer;
}

/** Start tracking whether `item.canvas` is on screen. */
export function watchVisibility(item) {
  watcher().observe(item.canvas);
}

/** Draw `item` soon: at the next frame when it is on screen, in idle time when not. */
export function requestDraw(item) {
  pending.add(item);
  schedule();
}

function schedule() {
  frame ||= requestAnimationFrame(drawVisible);
  idle ||= requestIdleCallback(drawHidden, { timeout: 2000 });
}

const FRAME_BUDGET = 8; // ms of drawing per frame; the rest waits for the next frame
const FRAME_MAPS = 4; // canvases changed per frame: each one costs the browser's paint too

function drawVisible() {
  frame = 0;
  const start = performance.now();
  let drawn = 0;
  for (const item of pending) {
    if (!visible.has(item.canvas)) continue;
    if (drawn >= FRAME_MAPS || performance.now() - start > FRAME_BUDGET) {
      frame = requestAnimationFrame(drawVisible);
      return;
    }
    pending.delete(item);
    item.draw();
    drawn += 1;
  }
}

function drawHidden(deadline) {
  idle = 0;
  let drawn = 0;
  const start = performance.now();
  for (const item of pending) {
    // a few per idle slice, never a long task: at most FRAME_BUDGET ms, less when the slice ends
    if (drawn >= 1 && (deadline.timeRemaining() < 3 || performance.now() - start > FRAME_BUDGET)) break;
    pending.delete(item);
    item.draw();
    drawn += 1;
  }
  if (pending.size) schedule();
}
