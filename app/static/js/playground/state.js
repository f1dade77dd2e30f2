// Playground settings: their ranges, seeded random numbers, kernel patterns and the presets.

/** [min, max] of every setting; the controls offer exactly these. */
export const LIMITS = {
  size: [3, 12],
  kernels: [1, 10],
  kernelSize: [1, 5],
  stride: [1, 3],
  padding: [0, 2],
  poolSize: [1, 4],
  poolStride: [1, 4],
};

export const DEFAULTS = {
  size: 5,
  channels: 1,
  kernels: 1,
  kernelSize: 3,
  stride: 1,
  padding: 0,
  poolSize: 2,
  poolStride: 2,
  seed: 1,
};

/** Channel names: one grey slice, or R, G and B. */
export function channelNames(channels) {
  return channels === 3 ? ["R", "G", "B"] : ["input"];
}

/** A small deterministic generator (mulberry32): seed -> () => float in [0, 1). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomInts(random, lo, hi, shape) {
  if (shape.length === 0) return lo + Math.floor(random() * (hi - lo + 1));
  return Array.from({ length: shape[0] }, () => randomInts(random, lo, hi, shape.slice(1)));
}

/** C x H x W whole numbers 0..9 from the seed. */
export function randomInput(s) {
  return randomInts(seededRandom(s.seed * 2 + 1), 0, 9, [s.channels, s.size, s.size]);
}

/** F x C x k x k whole numbers -1..1 from the seed. */
export function randomKernels(s) {
  const shape = [s.kernels, s.channels, s.kernelSize, s.kernelSize];
  return randomInts(seededRandom(s.seed * 2 + 2), -1, 1, shape);
}

const CENTRE = (k) => Math.floor((k - 1) / 2);

/** One k x k slice of a named pattern: edge, blur or sharpen. */
function patternSlice(name, k, channels) {
  const c = CENTRE(k);
  const grid = Array.from({ length: k }, () => Array(k).fill(0));
  if (name === "blur") return grid.map((row) => row.map(() => 1 / (k * k * channels)));
  if (name === "edge") {
    if (k === 1) return [[1]];
    if (k === 2) return [[1, 0], [0, -1]];
    return grid.map((row, r) => row.map((_, col) => (r === c && col === c ? k * k - 1 : -1)));
  }
  // sharpen: the centre, minus its four neighbours, plus as much again of the centre
  const near = [[c - 1, c], [c + 1, c], [c, c - 1], [c, c + 1]].filter(
    ([r, col]) => r >= 0 && r < k && col >= 0 && col < k,
  );
  near.forEach(([r, col]) => { grid[r][col] = -1; });
  grid[c][c] = 1 + near.length;
  return grid;
}

export const KERNEL_PATTERNS = {
  edge: "Edge: the centre against its neighbours; flat regions give 0, edges stand out.",
  blur: "Blur: the average of the window (over every channel); the map is a softened input.",
  sharpen: "Sharpen: the centre counted extra, its four neighbours subtracted.",
};

/** C x k x k kernel following a named pattern, the same slice on every channel. */
export function kernelPattern(name, k, channels) {
  return Array.from({ length: channels }, () => patternSlice(name, k, channels));
}

/** The classic examples. Each sets every control; `kernel` names a pattern for all kernels. */
export const PRESETS = [
  {
    name: "5x5-2x2",
    label: "5×5 with a 2×2 kernel",
    settings: { size: 5, channels: 1, kernels: 1, kernelSize: 2, stride: 1, padding: 0, poolSize: 2, poolStride: 2, seed: 1 },
    text: "A 5×5 input and one 2×2 kernel: the window fits in 4 places across and 4 down, so the map is 4×4. A 2×2 max-pool with stride 2 then halves it to 2×2.",
  },
  {
    name: "rgb-10",
    label: "5×5×3 colour, ten 3×3×3 kernels",
    settings: { size: 5, channels: 3, kernels: 10, kernelSize: 3, stride: 1, padding: 0, poolSize: 3, poolStride: 3, seed: 2 },
    text: "A 5×5 colour input has three slices (R, G, B), so each kernel is 3×3×3: one 3×3 slice per channel. The three slice sums add up to one number, so each kernel makes one map, and ten kernels make ten 3×3 maps. Note 3×3, not 4×4: a 3×3 window fits in only 3 places along a side of 5 without padding. A 3×3 max-pool leaves one number per map: the flat vector has ten.",
  },
  {
    name: "maxpool",
    label: "2×2 max-pool halves 4×4",
    settings: { size: 6, channels: 1, kernels: 1, kernelSize: 3, stride: 1, padding: 0, poolSize: 2, poolStride: 2, seed: 3 },
    kernel: "edge",
    text: "A 6×6 input and a 3×3 edge kernel give a 4×4 map. A 2×2 max-pool with stride 2 keeps the largest of each four non-overlapping cells: the 4×4 map becomes 2×2.",
  },
  {
    name: "stride2",
    label: "Stride 2",
    settings: { size: 7, channels: 1, kernels: 1, kernelSize: 3, stride: 2, padding: 0, poolSize: 2, poolStride: 1, seed: 4 },
    text: "Stride 2: the window jumps two cells at a time, so a 3×3 kernel on a 7×7 input fits in 3 places along each side instead of 5. The map is 3×3.",
  },
  {
    name: "padding1",
    label: "Padding 1",
    settings: { size: 5, channels: 1, kernels: 1, kernelSize: 3, stride: 1, padding: 1, poolSize: 2, poolStride: 2, seed: 5 },
    kernel: "blur",
    text: "Padding 1 puts a ring of zeros (hatched) around the 5×5 input. A 3×3 window now fits in 5 places along each side: the map keeps the input's size (\"same\" padding).",
  },
  {
    name: "stride2-padding1",
    label: "Stride 2 and padding 1",
    settings: { size: 5, channels: 1, kernels: 1, kernelSize: 3, stride: 2, padding: 1, poolSize: 2, poolStride: 1, seed: 6 },
    text: "Padding 1 makes the 5×5 input 7×7 with its zero ring; stride 2 then visits every other position: 3 along each side, a 3×3 map.",
  },
];

/** The preset called `name`, or undefined. */
export function presetNamed(name) {
  return PRESETS.find((p) => p.name === name);
}
