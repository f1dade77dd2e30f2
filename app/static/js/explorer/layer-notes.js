// Short plain-words explanations of each layer kind, with this network's own numbers.
// Every size is read from the API (shapes, hyperparameters, formula): nothing is computed here.

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const same = ([a, b]) => a === b;

/** "H × W" of a C x H x W shape. */
function mapSize(shape) {
  return `${shape[1]} × ${shape[2]}`;
}

/** The API's output-size arithmetic for window layers, as a sentence ("" when there is none). */
function formulaSentence(layer) {
  return layer.formula ? ` Output size: ${layer.formula}.` : "";
}

function convNote(layer) {
  const hp = layer.hyperparameters;
  const [kh, kw] = hp.kernel_size;
  const [ph, pw] = hp.padding;
  const [sh, sw] = hp.stride;
  const c = layer.input_shape[0];
  const from = mapSize(layer.input_shape);
  const to = mapSize(layer.output_shape);
  const border = same(hp.padding) ? plural(ph, "zero") : `${plural(ph, "zero row")} and ${plural(pw, "zero column")}`;
  const step = sh === 1 && sw === 1 ? "" : `, moving ${same(hp.stride) ? sh : `${sh} rows and ${sw} columns`} at a time`;
  const size =
    ph || pw
      ? `A border of ${border} is added around each ${from} input map, so the kernel can sit on the edge too${step}: the maps are ${to}.`
      : `Without padding the kernel only sits where it fits entirely${step}: ${from} becomes ${to}.`;
  return (
    `A kernel is a small ${kh} × ${kw} grid of learned weights (× ${c} input ` +
    `${c === 1 ? "map" : "maps"}). It slides over every position; at each one its weights ` +
    `multiply the values under it, the products are added up and a bias is added. ` +
    `One kernel makes one map: ${hp.out_channels} kernels, ${hp.out_channels} maps. ` +
    `Blue is negative, red positive: this is before ReLU. ${size}${formulaSentence(layer)} ` +
    `Click any unit to watch it being computed.`
  );
}

function poolNote(layer) {
  const hp = layer.hyperparameters;
  const [ph, pw] = hp.size;
  const what = layer.kind === "maxpool2d" ? "the largest value" : "the average";
  const tiles = hp.stride[0] === ph && hp.stride[1] === pw;
  const window = tiles ? "block" : `window (stride ${hp.stride.join(" × ")})`;
  return (
    `Pooling keeps ${what} of each ${ph} × ${pw} ${window}, so each map shrinks ` +
    `(${mapSize(layer.input_shape)} → ${mapSize(layer.output_shape)}).${formulaSentence(layer)} ` +
    `It keeps whether a feature fired strongly nearby and forgets exactly where; ` +
    `the next layer sees a wider area for the same kernel size.`
  );
}

/**
 * One or two sentences about `layer` (an entry of GET /api/model, or the input);
 * `classes` is the number of classes the network tells apart.
 */
export function layerNote(layer, classes) {
  const out = layer.output_shape || [];
  switch (layer.kind) {
    case "input":
      return `The ${mapSize(out)} image the network reads: your drawing cropped to the ink, scaled to fit 20 × 20 and centred, the way the MNIST digits were made.`;
    case "conv2d":
      return convNote(layer);
    case "relu":
      return "ReLU keeps positive values and sets every negative one to 0: the maps above with the blue removed. Only what a kernel found is passed on.";
    case "maxpool2d":
    case "avgpool2d":
      return poolNote(layer);
    case "flatten":
      return `The ${layer.input_shape[0]} maps of ${mapSize(layer.input_shape)} laid end to end as one row of ${out[0]} numbers. Nothing is computed; only the shape changes, so a fully connected layer can read them.`;
    case "dense":
      return out[0] === classes
        ? `${out[0]} units, one per class. Each reads all ${layer.input_shape[0]} values before it, weighs them and adds a bias: these scores (logits) become probabilities next.`
        : `Fully connected: each of the ${out[0]} units reads all ${layer.input_shape[0]} numbers before it, multiplies each by its own weight and adds them up plus a bias. It combines features found anywhere in the image.`;
    case "softmax":
      return `Softmax turns the ${out[0]} scores into probabilities that add up to 1: the bigger a score, the larger its share.`;
    default:
      return "";
  }
}

/** A short tag for the kind: "conv2d · before ReLU". */
export function kindTag(kind) {
  const tags = {
    conv2d: "convolution · before ReLU",
    relu: "ReLU · after activation",
    maxpool2d: "max pooling",
    avgpool2d: "average pooling",
    flatten: "flatten",
    dense: "fully connected",
    softmax: "softmax",
    input: "input",
  };
  return tags[kind] || kind;
}
