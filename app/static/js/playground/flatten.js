// The flatten view: the maps laid out as one vector, the input of a fully connected layer.

import { scaleOf } from "../shared/colour.js";
import { paintCell } from "./grid.js";

/** Build the vector of maps (C x H x W, flattened channel by channel) into `area`. */
export function createFlattenView(area, maps) {
  const flat = maps.flat(2);
  const scale = scaleOf(flat, { withZero: true });
  const [C, H, W] = [maps.length, maps[0].length, maps[0][0].length];
  const row = document.createElement("ol");
  row.className = "vector";
  row.dataset.testid = "pg-flatten";
  const cells = flat.map((_, i) => {
    const item = document.createElement("li");
    const cell = document.createElement("div");
    cell.className = "cell";
    cell.dataset.index = String(i);
    const c = Math.floor(i / (H * W));
    const r = Math.floor((i % (H * W)) / W);
    item.title = `map ${c + 1}, row ${r + 1}, column ${(i % W) + 1}`;
    const index = document.createElement("span");
    index.className = "index";
    index.textContent = String(i);
    item.append(cell, index);
    row.append(item);
    return cell;
  });
  const note = document.createElement("p");
  note.className = "explainer";
  note.textContent = `${C} map${C > 1 ? "s" : ""} of ${H}×${W} read row by row, map after map: a vector of ${flat.length} number${flat.length > 1 ? "s" : ""}. A fully connected layer multiplies it by one weight per number for each of its outputs.`;
  area.replaceChildren(note, row);
  return {
    /** Fill the first `done` entries. */
    update(done) {
      cells.forEach((cell, i) => paintCell(cell, i < done ? flat[i] : null, scale));
    },
  };
}
