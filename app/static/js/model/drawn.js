// The drawn-digit set on the model page: accuracy per digit beside MNIST's, per style and way of
// drawing, and how often drawings that are no digit are caught (metadata.drawn, written by
// `convlens evaluate --drawn --record`).
import { percent } from "../shared/format.js";

const readAs = (row) =>
  Object.entries(row.read_as || {})
    .map(([d, n]) => `${d} ×${n}`)
    .join(", ");

function table(head, rows, testid) {
  const t = document.createElement("table");
  t.className = "params drawn-table";
  t.dataset.testid = testid;
  const tr = (cells, tag) => {
    const r = document.createElement("tr");
    for (const c of cells) {
      const cell = document.createElement(tag);
      cell.textContent = c;
      if (tag === "td" && /%$/.test(c)) cell.className = "num";
      r.append(cell);
    }
    return r;
  };
  const thead = document.createElement("thead");
  thead.append(tr(head, "th"));
  const tbody = document.createElement("tbody");
  for (const row of rows) tbody.append(tr(row, "td"));
  t.append(thead, tbody);
  return t;
}

/** Fill `root` from the model's metadata; returns false (and leaves it empty) without a drawn set. */
export function renderDrawn(root, meta, classNames) {
  const drawn = meta.drawn;
  if (!drawn) return false;
  const mnist = meta.per_class_accuracy || [];
  const summary = document.createElement("p");
  summary.className = "explainer";
  summary.dataset.testid = "drawn-summary";
  const flags = drawn.not_a_digit || {};
  summary.textContent =
    `${percent(drawn.accuracy)} of ${drawn.n} drawn digits read correctly ` +
    `(pen strokes written in the project, rendered like the page's canvas, seed ${drawn.seed}). ` +
    `Drawings that are no digit (dashes, dots, scribbles, letters, several digits, shapes): ` +
    `${percent(flags.non_digits_flagged ?? 0, 0)} caught, while ${percent(flags.digits_flagged ?? 0)} ` +
    `of the drawn digits are wrongly called no digit.`;
  const perDigit = classNames.map((name) => {
    const row = drawn.per_digit[name] || { accuracy: NaN };
    const m = mnist[Number(name)];
    return [name, m === undefined ? "–" : percent(m), percent(row.accuracy), readAs(row)];
  });
  const perStyle = Object.entries({ ...drawn.per_style, ...drawn.per_tag }).map(([key, row]) => [
    key,
    String(row.n),
    percent(row.accuracy),
    readAs(row),
  ]);
  root.replaceChildren(
    summary,
    table(["Digit", "MNIST test", "Drawn", "Drawn ones read as"], perDigit, "drawn-per-digit"),
    table(["Style or way of drawing", "Drawings", "Accuracy", "Read as"], perStyle, "drawn-per-style"),
  );
  return true;
}
