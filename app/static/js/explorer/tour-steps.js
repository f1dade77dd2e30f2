// The guided tour's story: pure data built from GET /api/model (and the live answer when
// there is one). Each step names the real element it highlights by test id.

const n = (v) => v.toLocaleString("en-US");

/**
 * model (GET /api/model), answer (the newest /api/predict answer or null) -> steps
 * [{id, title, text, target, demo?: preset name, link?: preset name, unitLink?: true}].
 */
export function tourSteps(model, answer) {
  const layer = (kind, nth = 0) => model.layers.filter((l) => l.kind === kind)[nth];
  const [c, h, w] = model.input_shape;
  const pixels = c * h * w;
  const conv1 = layer("conv2d", 0);
  const conv2 = layer("conv2d", 1);
  const pool1 = layer("maxpool2d", 0) ?? layer("avgpool2d", 0);
  const fc1 = layer("dense", 0);
  const fcLast = model.layers.filter((l) => l.kind === "dense").at(-1);
  const flatten = layer("flatten");
  const relu1 = model.layers[model.layers.indexOf(conv1) + 1];
  const neurons = fc1.output_shape[0];
  const convParams = model.layers.filter((l) => l.kind === "conv2d").reduce((s, l) => s + l.parameter_count, 0);
  const [kh, kw] = conv1.hyperparameters.kernel_size;
  const steps = [
    {
      id: "why-conv",
      title: "Why not connect every pixel?",
      target: "ov-col-input",
      text:
        `The network reads ${h} × ${w} = ${n(pixels)} pixels (a colour image would be ${n(pixels * 3)} numbers: × 3 for red, green and blue). ` +
        `A plain fully connected layer gives every neuron its own weight for every pixel: ${neurons} neurons on these pixels would need ` +
        `${n(pixels)} × ${neurons} + ${neurons} = ${n(pixels * neurons + neurons)} numbers (${n(pixels * 3 * neurons + neurons)} in colour), ` +
        `and each weight would learn about one pixel only. ${conv1.name} instead slides ${conv1.hyperparameters.out_channels} shared ${kh} × ${kw} kernels ` +
        `over the image: ${n(conv1.parameter_count)} numbers in all, the same weights at every position. Both conv layers together hold ` +
        `${n(convParams)} of this network's ${n(model.parameter_count)} parameters; ${fc1.name} alone holds ${n(fc1.parameter_count)}.`,
    },
    {
      id: "slide",
      title: "A kernel slides over the input",
      target: `ov-col-${conv1.name}`,
      demo: "5x5-2x2",
      link: "5x5-2x2",
      unitLink: true,
      text:
        "Below, a 2 × 2 kernel slides over a 5 × 5 input (the playground's own example, computed by the API): at each position the " +
        "four values under it are multiplied by the four weights and added up. It fits 4 times across and 4 down, so the map is 4 × 4. " +
        `${conv1.name} does the same with ${kh} × ${kw} kernels on your drawing: one map per kernel.`,
    },
    {
      id: "stride-padding",
      title: "Stride and padding",
      target: `ov-col-${conv1.name}`,
      demo: "stride2-padding1",
      link: "stride2-padding1",
      text:
        "Padding adds a ring of zeros so the window can sit on the edge; stride is how far it jumps. Output size = " +
        `floor((size − kernel + 2 × padding) / stride) + 1. Here: ${conv1.name}: ${conv1.formula}: padding ${conv1.hyperparameters.padding[0]} ` +
        `keeps the maps ${conv1.output_shape[1]} × ${conv1.output_shape[2]}. Below: stride 2 and padding 1 on a 5 × 5 input.`,
    },
    {
      id: "channels",
      title: "Many channels in, many maps out",
      target: `ov-col-${conv2.name}`,
      demo: "rgb-10",
      link: "rgb-10",
      text:
        "A 5 × 5 colour input has 3 channels, so each kernel is 3 × 3 × 3; its three slice sums add up to one number. Ten kernels " +
        `give ten 3 × 3 maps (below, from the API). ${conv2.name} here reads ${conv2.input_shape[0]} maps with ` +
        `${conv2.hyperparameters.out_channels} kernels of ${conv2.input_shape[0]} × ${kh} × ${kw}: ${conv2.hyperparameters.out_channels} maps, ` +
        `${n(conv2.parameter_count)} parameters.`,
    },
    {
      id: "relu",
      title: "ReLU: negatives become zero",
      target: `ov-col-${relu1.name}`,
      text: `${relu1.name} keeps every positive value and turns every negative one into 0: max(0, x). ${negatives(answer, conv1.name)}`,
    },
    {
      id: "pool",
      title: "2 × 2 max pooling",
      target: `ov-col-${pool1.name}`,
      link: "maxpool",
      text:
        `${pool1.name} keeps the largest value of each ${pool1.hyperparameters.size.join(" × ")} block: ` +
        `${pool1.input_shape[1]} × ${pool1.input_shape[2]} becomes ${pool1.output_shape[1]} × ${pool1.output_shape[2]} (${pool1.formula}). ` +
        "Whether a feature fired nearby survives; exactly where is forgotten.",
    },
    {
      id: "dense",
      title: "Flatten, then dense",
      target: `ov-col-${fc1.name}`,
      text:
        `${flatten.name} lays the ${flatten.input_shape[0]} maps of ${flatten.input_shape[1]} × ${flatten.input_shape[2]} end to end: ` +
        `${n(flatten.output_shape[0])} numbers. Each of ${fc1.name}'s ${neurons} neurons multiplies every one by its own weight and adds a bias ` +
        `(${n(fc1.parameter_count)} parameters). Click a unit of ${fc1.name} to see its largest contributions.`,
    },
    {
      id: "softmax",
      title: "Softmax: scores become probabilities",
      target: "ov-col-softmax",
      text:
        `${fcLast.name} gives one score z per digit. Softmax turns them into probabilities: exp(z) / Σ exp(z), all positive, adding up to 1. ` +
        `${verdict(answer, model.class_names)}Click a probability to see every exp and the sum.`,
    },
  ];
  return steps;
}

function negatives(answer, name) {
  const entry = answer?.layers.find((l) => l.name === name);
  if (!entry) return "";
  const values = entry.activations.flatMap((map) => map.flatMap((row) => Array.from(row))); // rows may be typed
  const below = values.filter((v) => v < 0).length;
  return `In your drawing ${below.toLocaleString("en-US")} of ${name}'s ${values.length.toLocaleString("en-US")} values were negative: here they are 0 (white).`;
}

function verdict(answer, names) {
  if (!answer) return "";
  const p = answer.probabilities[answer.prediction];
  return `For your drawing: P(${names[answer.prediction]}) = ${(100 * p).toFixed(1)}%. `;
}
