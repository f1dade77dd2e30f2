// Play, pause, step, back, run to the end, restart and speed over a timeline of `total` steps.
// The position is how many steps are done: 0 (nothing yet) ... total (all computed).

import { byTestId } from "../shared/dom.js";

/** Wire the stepper buttons inside root; onChange(position, total) runs after every move. */
export function createStepper(root, onChange) {
  const $ = byTestId(root);
  const play = $("pg-play");
  const speed = $("pg-speed");
  let position = 0;
  let total = 0;
  let timer = null;

  const render = () => {
    $("pg-back").disabled = position === 0;
    $("pg-restart").disabled = position === 0;
    $("pg-step").disabled = position === total;
    $("pg-end").disabled = position === total;
    play.disabled = total === 0;
    onChange(position, total);
  };
  const go = (p) => {
    position = Math.max(0, Math.min(total, p));
    if (position === total) pause();
    render();
  };
  const delay = () => 1000 / Number(speed.value);
  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.textContent = "▶ Play";
    play.setAttribute("aria-pressed", "false");
  }
  function start() {
    if (position === total) position = 0;
    pause();
    timer = setInterval(() => go(position + 1), delay());
    play.textContent = "❚❚ Pause";
    play.setAttribute("aria-pressed", "true");
    render();
  }

  play.addEventListener("click", () => (timer === null ? start() : pause()));
  $("pg-step").addEventListener("click", () => go(position + 1));
  $("pg-back").addEventListener("click", () => go(position - 1));
  $("pg-end").addEventListener("click", () => go(total));
  $("pg-restart").addEventListener("click", () => go(0));
  speed.addEventListener("input", () => {
    $("pg-speed-value").textContent = `${speed.value} / s`;
    if (timer !== null) start();
  });

  return {
    /** A new timeline of n steps; keep the position (clamped) or go back to 0. */
    reset(n, keep = false) {
      total = n;
      if (!keep) pause();
      go(keep ? position : 0);
    },
    get position() {
      return position;
    },
  };
}
