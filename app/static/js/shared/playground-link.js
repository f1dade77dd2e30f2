// Links into the playground: a preset by name, or your own numbers (a unit's patch and kernel).
// One home for the URL format: the pages that link build it here, the playground reads it here.

const MAX_SIDE = 12; // the playground's largest input side
const MAX_KERNEL = 5; // and kernel side
const MAX_KERNELS = 10;

/** /playground?preset=name, or ?input=C×H×W&kernels=F×C×k×k (JSON, numbers rounded to 2 decimals). */
export function playgroundLink({ preset = null, input = null, kernels = null } = {}) {
  const params = new URLSearchParams();
  if (preset) params.set("preset", preset);
  if (input && kernels) {
    const round = (v) => (Array.isArray(v) ? v.map(round) : Math.round(v * 100) / 100);
    params.set("input", JSON.stringify(round(input)));
    params.set("kernels", JSON.stringify(round(kernels)));
  }
  return `/playground?${params}`;
}

const isGrid = (g, h, w) =>
  Array.isArray(g) && g.length === h && g.every((row) => Array.isArray(row) && row.length === w && row.every(Number.isFinite));

/**
 * What a playground URL asks for: {preset} or {input, kernels, settings} (settings as the
 * controls hold them), null when it asks for nothing, {error} when its numbers do not fit.
 */
export function readPlaygroundLink(search) {
  const params = new URLSearchParams(search);
  if (params.has("preset")) return { preset: params.get("preset") };
  if (!params.has("input") && !params.has("kernels")) return null;
  let input;
  let kernels;
  try {
    input = JSON.parse(params.get("input"));
    kernels = JSON.parse(params.get("kernels"));
  } catch {
    return { error: "The link's input or kernels are not valid JSON." };
  }
  const c = input?.length;
  const size = input?.[0]?.length;
  const k = kernels?.[0]?.[0]?.length;
  const fits =
    (c === 1 || c === 3) &&
    size >= 3 && size <= MAX_SIDE &&
    input.every((plane) => isGrid(plane, size, size)) &&
    Array.isArray(kernels) && kernels.length >= 1 && kernels.length <= MAX_KERNELS &&
    k >= 1 && k <= Math.min(MAX_KERNEL, size) &&
    kernels.every((f) => Array.isArray(f) && f.length === c && f.every((plane) => isGrid(plane, k, k)));
  if (!fits) {
    return { error: `The link's numbers do not fit the playground: 1 or 3 channels of 3×3 to ${MAX_SIDE}×${MAX_SIDE}, up to ${MAX_KERNELS} kernels of up to ${MAX_KERNEL}×${MAX_KERNEL}.` };
  }
  return {
    input,
    kernels,
    settings: { size, channels: c, kernels: kernels.length, kernelSize: k, stride: 1, padding: 0 },
  };
}
