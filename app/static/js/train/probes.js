// The probe digits: fixed MNIST test digits, one per class, with the network's current reading.

import { getJSON } from "../shared/api.js";
import { el } from "../shared/dom.js";
import { drawHeatmap } from "../shared/paint-grid.js";
import { percent } from "../shared/format.js";

const INK = { min: 0, max: 255, signed: false };

/**
 * The probe row in `root`: one card per digit 0-9 (the first test image of each, as the trainer
 * picks them). show(readings) writes each card's answer; clear() blanks the answers.
 */
export function createProbes(root) {
  const cards = Array.from({ length: 10 }, (_, digit) => {
    const card = el("figure", "probe");
    card.dataset.testid = `train-probe-${digit}`;
    const canvas = el("canvas", "heatmap probe-image");
    canvas.width = 28;
    canvas.height = 28;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `test digit, a ${digit}`);
    const answer = el("figcaption", "probe-answer", "–");
    card.append(canvas, answer);
    return { card, canvas, answer, digit };
  });
  root.replaceChildren(...cards.map((c) => c.card));
  const loading = Promise.all(
    cards.map(({ canvas, digit }) =>
      getJSON(`/api/samples?digit=${digit}&count=1`).then(({ samples }) => {
        drawHeatmap(canvas.getContext("2d"), samples[0].pixels, INK);
      }),
    ),
  ).catch(() => {
    root.dataset.images = "missing"; // no MNIST test set here: the answers still show
  });

  return {
    loading,
    /** readings: {predictions: [10], probabilities: [10][10]} for the probes in digit order. */
    show(readings) {
      cards.forEach(({ card, answer, digit }) => {
        const said = readings.predictions[digit];
        const p = readings.probabilities?.[digit]?.[said];
        const right = said === digit;
        answer.textContent = `${right ? "✓" : "✗"} ${said}${p === undefined ? "" : ` · ${percent(p, 0)}`}`;
        card.classList.toggle("right", right);
        card.classList.toggle("wrong", !right);
        card.setAttribute("aria-label", `a ${digit}, read as ${said}: ${right ? "right" : "wrong"}`);
      });
      root.dataset.right = String(readings.predictions.filter((p, d) => p === d).length);
    },
    clear() {
      for (const { card, answer } of cards) {
        answer.textContent = "–";
        card.classList.remove("right", "wrong");
      }
      delete root.dataset.right;
    },
  };
}
