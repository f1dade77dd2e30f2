// The confusion matrix as a grid of buttons: rows = true digit, columns = prediction.

/** Shade bucket of an off-diagonal count (0 = none), so colour needs no inline style. */
function level(count) {
  if (count === 0) return 0;
  if (count === 1) return 1;
  if (count <= 3) return 2;
  if (count <= 6) return 3;
  return 4;
}

function header(text, cls) {
  const el = document.createElement("span");
  el.className = cls;
  el.textContent = text;
  return el;
}

/** Fill `container` with the matrix; onSelect(true, predicted) runs when a cell is clicked. */
export function renderConfusion(container, matrix, names, onSelect) {
  const k = matrix.length;
  const cells = [header("true ↓ / predicted →", "corner"), ...names.map((n) => header(n, "col-head"))];
  matrix.forEach((row, t) => {
    cells.push(header(names[t], "row-head"));
    row.forEach((count, p) => {
      const cell = document.createElement("button");
      cell.type = "button";
      cell.className = t === p ? "cell diagonal" : `cell level-${level(count)}`;
      cell.dataset.testid = `confusion-${t}-${p}`;
      cell.textContent = count ? String(count) : "·";
      cell.setAttribute("aria-label", `true ${names[t]}, predicted ${names[p]}: ${count} digits`);
      cell.addEventListener("click", () => {
        container.querySelector(".cell.selected")?.classList.remove("selected");
        cell.classList.add("selected");
        onSelect(t, p);
      });
      cells.push(cell);
    });
  });
  container.classList.add(`size-${k}`);
  container.replaceChildren(...cells);
}
