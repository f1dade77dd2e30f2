// The predicted digit and a bar chart of the ten probabilities.

import { compactPercent } from "../shared/format.js";

/** Build ten empty rows (label, bar, percentage) inside `container`. */
export function createProbabilities(container, classNames) {
  container.replaceChildren();
  const rows = classNames.map((name) => {
    const row = document.createElement("div");
    row.className = "prob-row";
    const label = document.createElement("span");
    label.className = "prob-label";
    label.textContent = name;
    const track = document.createElement("span");
    track.className = "prob-track";
    const bar = document.createElement("span");
    bar.className = "prob-bar";
    track.append(bar);
    const value = document.createElement("span");
    value.className = "prob-value";
    value.textContent = "–";
    row.append(label, track, value);
    container.append(row);
    return { row, bar, value };
  });
  return {
    show(probabilities, prediction) {
      probabilities.forEach((p, i) => {
        rows[i].bar.style.width = `${(100 * p).toFixed(1)}%`;
        rows[i].value.textContent = compactPercent(p);
        rows[i].row.classList.toggle("top", i === prediction);
      });
    },
    reset() {
      for (const r of rows) {
        r.bar.style.width = "0%";
        r.value.textContent = "–";
        r.row.classList.remove("top");
      }
    },
  };
}
