// The overview's columns: one per layer, sized so the whole network fits one desktop screen.
// Pure data: no drawing. Every shape and window comes from GET /api/model.

const BODY = 470; // CSS px the tallest column may use
const GAP = 4; // CSS px between maps
const MAX_SIDE = 96; // the largest map side, CSS px
const MAX_WIDTH = 130; // the widest a column of maps may be, CSS px

/**
 * model (GET /api/model) -> columns in network order, input first, softmax last. Each column:
 * {layer, previous, type: "maps" | "vector" | "classes", ...geometry}.
 * maps: channels, h, w, cols (maps side by side), side (CSS px of a map's width).
 * vector: n, rows, cols, unit (filled column by column: unit k sits at row k % rows).
 * classes: n (one labelled row per class).
 */
export function overviewColumns(model) {
  const classes = model.class_names.length;
  const input = { name: "input", kind: "input", output_shape: model.input_shape, receptive_fields: null };
  const layers = [input, ...model.layers];
  if (!layers.some((l) => l.kind === "softmax")) {
    layers.push({ name: "softmax", kind: "softmax", output_shape: [classes], receptive_fields: null });
  }
  return layers.map((layer, index) => {
    const base = { layer, previous: layers[index - 1] ?? null, index };
    const shape = layer.output_shape;
    if (shape.length === 3) {
      const [channels, h, w] = shape;
      const cols = channels > 4 ? 2 : 1;
      const rows = Math.ceil(channels / cols);
      const fit = Math.min(MAX_SIDE, (BODY - (rows - 1) * GAP) / rows, (MAX_WIDTH - (cols - 1) * GAP) / cols);
      const side = Math.max(w, Math.floor((fit * w) / Math.max(h, w)));
      return { ...base, type: "maps", channels, h, w, cols, side };
    }
    const n = shape[0];
    if (n === classes) return { ...base, type: "classes", n };
    const unit = Math.min(12, Math.max(4, Math.floor(BODY / n)));
    const cols = Math.ceil(n / Math.floor(BODY / unit));
    return { ...base, type: "vector", n, rows: Math.ceil(n / cols), cols, unit };
  });
}

/** Unit k of a vector column -> [row, col] of its cell (column by column). */
export function vectorCell(column, k) {
  return [k % column.rows, Math.floor(k / column.rows)];
}

/** The cell [row, col] of a vector column -> its unit index (null past the end). */
export function vectorIndex(column, row, col) {
  const k = col * column.rows + row;
  return k < column.n ? k : null;
}

/**
 * What unit (i, j) of a layer reads on an earlier layer, from the API's receptive field
 * {size, jump, offset}: {row, col, height, width}, which may reach into the zero padding.
 */
export function windowOf(rf, i, j) {
  return {
    row: rf.offset[0] + i * rf.jump[0],
    col: rf.offset[1] + j * rf.jump[1],
    height: rf.size[0],
    width: rf.size[1],
  };
}

/** Whether a layer between column `from` (excluded) and `to` (included) mixes channels. */
export function mixesChannels(columns, from, to) {
  return columns.slice(from.index + 1, to.index + 1).some((c) => c.layer.kind === "conv2d");
}
