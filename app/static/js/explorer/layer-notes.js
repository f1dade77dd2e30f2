// Short plain-words explanations of each layer kind, with this network's own numbers.

/** One or two sentences about `layer` (an entry of GET /api/model, or the input). */
export function layerNote(layer) {
  const hp = layer.hyperparameters || {};
  const [c, h] = layer.input_shape || [];
  const out = layer.output_shape || [];
  switch (layer.kind) {
    case "input":
      return "The 28 × 28 image the network reads: your drawing cropped to the ink, scaled to fit 20 × 20 and centred, the way the MNIST digits were made.";
    case "conv2d": {
      const [kh, kw] = hp.kernel_size;
      const [p] = hp.padding;
      const [s] = hp.stride;
      const unpadded = Math.floor((h - kh) / s) + 1;
      return (
        `A kernel is a small ${kh} × ${kw} grid of learned weights (× ${c} input ` +
        `${c === 1 ? "map" : "maps"}). It slides over every position; at each one its weights ` +
        `multiply the values under it, the products are added up and a bias is added. ` +
        `One kernel makes one map: ${hp.out_channels} kernels, ${hp.out_channels} maps. ` +
        `Blue is negative, red positive: this is before ReLU. ` +
        `Without padding the kernel could not sit on the edge, so a ${h}-wide map would shrink ` +
        `to ${unpadded}; here a border of ${p} zero${p === 1 ? "" : "s"} is added around it, so it stays ${out[1]}. ` +
        `Click any unit to watch it being computed.`
      );
    }
    case "relu":
      return "ReLU keeps positive values and sets every negative one to 0: the maps above with the blue removed. Only what a kernel found is passed on.";
    case "maxpool2d":
    case "avgpool2d": {
      const [ph, pw] = hp.size;
      const what = layer.kind === "maxpool2d" ? "the largest value" : "the average";
      return (
        `Pooling keeps ${what} of each ${ph} × ${pw} block, so each map halves (${h} → ${out[1]}). ` +
        `It keeps whether a feature fired strongly nearby and forgets exactly where; ` +
        `the next layer sees a wider area for the same kernel size.`
      );
    }
    case "flatten":
      return `The ${c} maps of ${h} × ${h} laid end to end as one row of ${out[0]} numbers. Nothing is computed; only the shape changes, so a fully connected layer can read them.`;
    case "dense":
      return out[0] === 10
        ? `Ten units, one per digit. Each reads all ${layer.input_shape[0]} values before it, weighs them and adds a bias: these scores (logits) become probabilities next.`
        : `Fully connected: each of the ${out[0]} units reads all ${layer.input_shape[0]} numbers before it, multiplies each by its own weight and adds them up plus a bias. It combines features found anywhere in the image.`;
    case "softmax":
      return "Softmax turns the ten scores into probabilities that add up to 1: the bigger a score, the larger its share.";
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
