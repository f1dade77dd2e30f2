// The "f16" activations encoding of POST /api/predict: base64 float16 -> Float32Array, and
// nested row views so that a layer reads as values[channel][row][col] like the nested lists.

let table = null; // Float32Array(65536): the value of every float16 bit pattern

function halfTable() {
  if (table) return table;
  table = new Float32Array(65536);
  for (let h = 0; h < 65536; h += 1) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    let v;
    if (exponent === 0) v = fraction * 2 ** -24; // subnormal
    else if (exponent === 31) v = fraction ? NaN : Infinity;
    else v = (1 + fraction / 1024) * 2 ** (exponent - 15);
    table[h] = sign * v;
  }
  return table;
}

/** {shape, dtype: "float16", data: base64 little-endian} -> Float32Array of prod(shape) values. */
export function decodeFloat16(packed) {
  if (packed.dtype !== "float16") throw new Error(`cannot decode dtype ${packed.dtype}`);
  const bytes = atob(packed.data);
  const n = bytes.length >> 1;
  const out = new Float32Array(n);
  const lut = halfTable();
  for (let i = 0; i < n; i += 1) out[i] = lut[bytes.charCodeAt(2 * i) | (bytes.charCodeAt(2 * i + 1) << 8)];
  return out;
}

/**
 * An "f16" answer's `layers`, in order: each packed `activations` becomes a Float32Array, in place.
 * A layer sent as {relu_of: name} gets max(0, that earlier layer's values). Returns the buffers.
 */
export function decodeLayers(layers) {
  const byName = new Map();
  for (const layer of layers) {
    const packed = layer.activations;
    if (!packed || Array.isArray(packed)) continue;
    let values;
    if (packed.relu_of !== undefined) {
      const source = byName.get(packed.relu_of);
      if (!source) throw new Error(`relu_of names ${packed.relu_of}, which no earlier layer is`);
      values = new Float32Array(source.length);
      for (let i = 0; i < source.length; i += 1) values[i] = source[i] > 0 ? source[i] : 0;
    } else {
      values = decodeFloat16(packed);
    }
    byName.set(layer.name, values);
    layer.activations = values;
  }
  return [...byName.values()].map((values) => values.buffer);
}

/**
 * A flat Float32Array of `shape` as nested arrays whose rows are Float32Array views (no copy):
 * values[c][r][c] and row.forEach read like the JSON lists; flat() stops at the rows.
 */
export function nestViews(flat, shape) {
  if (shape.length <= 1) return flat;
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  const out = [];
  for (let i = 0; i < shape[0]; i += 1) out.push(nestViews(flat.subarray(i * inner, (i + 1) * inner), shape.slice(1)));
  return out;
}
