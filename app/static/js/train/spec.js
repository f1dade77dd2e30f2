// The network being designed: its editable blocks, the presets, and the spec POST /api/runs takes.

/** The ranges the editor offers (the API checks them again and names the layer if one is off). */
export const LIMITS = {
  convBlocks: 3,
  kernels: [1, 32],
  size: [1, 7],
  stride: [1, 3],
  poolSize: [1, 4],
  hiddenDense: 2,
  units: [4, 256],
};

/** Padding choices: a number of zeros on each side (at most half the kernel), or "same". */
export function paddingChoices(size) {
  const numbers = Array.from({ length: Math.floor(size / 2) + 1 }, (_, p) => String(p));
  return size % 2 === 1 ? [...numbers, "same"] : numbers;
}

const conv = (kernels, size, { stride = 1, padding = 0, pool = "max" } = {}) => ({
  kernels,
  size,
  stride,
  padding,
  pool,
  poolSize: 2,
});

/** The presets: name -> {label, text, design}; "bundled" is filled from GET /api/model. */
export const PRESETS = {
  bundled: {
    label: "The bundled network",
    text: "The network the other pages explain: two conv blocks and a hidden dense layer.",
    design: { convs: [conv(8, 3, { padding: 1 }), conv(16, 3, { padding: 1 })], hidden: [128] },
  },
  tiny: {
    label: "Tiny",
    text: "One conv layer of 4 kernels 5×5, a pool and the output: trains in seconds.",
    design: { convs: [conv(4, 5)], hidden: [] },
  },
  lenet: {
    label: "LeNet-like",
    text: "LeCun's shape: 6 then 16 kernels 5×5, each block pooled, then 120 and 84 units.",
    design: { convs: [conv(6, 5, { padding: 2 }), conv(16, 5)], hidden: [120, 84] },
  },
  ann: {
    label: "ANN (no conv)",
    text: "No convolution at all: every pixel wired to every hidden unit. Compare its parameters.",
    design: { convs: [], hidden: [64] },
  },
};

/** A fresh copy of preset `name`'s design. */
export function presetDesign(name) {
  return structuredClone(PRESETS[name].design);
}

/** A size given as a number or a [rows, cols] pair -> the rows (the editor keeps windows square). */
const side = (value, fallback) => (Array.isArray(value) ? value[0] : (value ?? fallback));

/** The editable design of a network described by GET /api/model's layers (conv/pool/dense). */
export function designOf(layers) {
  const convs = [];
  const hidden = [];
  for (const layer of layers) {
    const h = layer.hyperparameters || {};
    if (layer.kind === "conv2d") {
      const padding = h.padding === "valid" ? 0 : h.padding === "same" ? "same" : side(h.padding, 0);
      convs.push(conv(h.out_channels, side(h.kernel_size), { stride: side(h.stride, 1), padding, pool: "none" }));
    } else if ((layer.kind === "maxpool2d" || layer.kind === "avgpool2d") && convs.length) {
      convs[convs.length - 1].pool = layer.kind === "maxpool2d" ? "max" : "avg";
      convs[convs.length - 1].poolSize = side(h.size, 2);
    } else if (layer.kind === "dense") hidden.push(h.out_features);
  }
  hidden.pop(); // the output layer
  return { convs, hidden };
}

/** The design as the API's architecture: {layers: [{kind, hyperparameters}, ...]}. */
export function architectureOf(design) {
  return { layers: layersWithOwners(design).map(([layer]) => layer) };
}

/** For each layer of architectureOf(design), the test id of the editor block it comes from. */
export function layerOwners(design) {
  return layersWithOwners(design).map(([, owner]) => owner);
}

function layersWithOwners(design) {
  const layers = [];
  const owners = [];
  const add = (owner, ...added) => {
    layers.push(...added);
    owners.push(...added.map(() => owner));
  };
  design.convs.forEach((c, i) => {
    const owner = `train-conv-${i}`;
    const padding = c.padding === "same" ? "same" : [Number(c.padding), Number(c.padding)];
    const hyperparameters = { out_channels: c.kernels, kernel_size: [c.size, c.size], stride: [c.stride, c.stride], padding };
    add(owner, { kind: "conv2d", hyperparameters }, { kind: "relu" });
    if (c.pool !== "none") {
      const size = [c.poolSize, c.poolSize];
      add(owner, { kind: `${c.pool}pool2d`, hyperparameters: { size, stride: size } });
    }
  });
  add("train-flatten", { kind: "flatten" });
  design.hidden.forEach((units, i) => {
    add(`train-dense-${i}`, { kind: "dense", hyperparameters: { out_features: units } }, { kind: "relu" });
  });
  add("train-output", { kind: "dense", hyperparameters: { out_features: 10 } });
  return layers.map((layer, i) => [layer, owners[i]]);
}

/** The preset whose design equals `design`, or null (an edited network). */
export function presetMatching(design) {
  const key = JSON.stringify(design);
  return Object.keys(PRESETS).find((name) => JSON.stringify(PRESETS[name].design) === key) || null;
}
