// Wires the playground: settings -> numbers -> /api/convolve and /api/pool -> the step views.

import { postJSON } from "../shared/api.js";
import { readPlaygroundLink } from "../shared/playground-link.js";
import { byTestId } from "../shared/dom.js";
import { createControls } from "./controls.js";
import { createConvView } from "./conv-view.js";
import { createFlattenView } from "./flatten.js";
import { createPoolView } from "./pool.js";
import {
  DEFAULTS,
  KERNEL_PATTERNS,
  kernelPattern,
  presetNamed,
  randomInput,
  randomKernels,
} from "./state.js";
import { createStepper } from "./stepper.js";

const INPUT_FIELDS = ["size", "channels", "seed"];
const KERNEL_FIELDS = ["kernels", "channels", "kernelSize", "seed"];

/** Plain words for an answer the API refused. */
function explain(error, what) {
  if (error.status === 400 && /does not fit/.test(error.message)) {
    return what === "pool"
      ? "The pooling window is larger than the map it should slide over, so there is no place to put it. Choose a smaller pool size (or a bigger convolution output)."
      : "The kernel is larger than the padded input: there is no position where the whole window fits, so this layer has no output at all. Use a smaller kernel, a bigger input or more padding.";
  }
  if (error.status === 413) return "That is more than the playground computes at once: use a smaller input, fewer kernels or a larger stride.";
  return "These settings cannot be computed.";
}

function showProblem(box, error, what) {
  box.replaceChildren();
  if (!error) {
    box.hidden = true;
    return;
  }
  const plain = document.createElement("p");
  plain.textContent = explain(error, what);
  const detail = document.createElement("p");
  detail.className = "detail";
  detail.textContent = `The API says: ${error.message}`;
  box.append(plain, detail);
  box.hidden = false;
}

/** Start the playground inside root (the element with data-playground). */
export function startPlayground(root) {
  const $ = byTestId(root);
  const area = (name) => root.querySelector(`[data-area="${name}"]`);
  const areas = { steps: area("steps"), outputs: area("outputs"), kernels: area("kernels") };
  const state = { settings: { ...DEFAULTS }, input: [], kernels: [] };
  let views = null;
  let pending = null;

  const status = (position, total) => {
    if (!views) return "";
    const n = views.conv.steps.length;
    const head = `Step ${position} of ${total}`;
    if (position === 0) return `${head}: ${n} convolution steps${views.pool ? `, then ${total - n} pooling steps` : ""}.`;
    if (position <= n) {
      const s = views.conv.steps[position - 1];
      return `${head} · convolution, kernel ${s.channel + 1}, output row ${s.row + 1}, column ${s.col + 1}`;
    }
    const s = views.pool.steps[position - n - 1];
    return `${head} · max-pool, map ${s.channel + 1}, window row ${s.row + 1}, column ${s.col + 1}`;
  };

  const show = (position, total) => {
    $("pg-status").textContent = status(position, total);
    if (!views) return;
    const n = views.conv.steps.length;
    views.convView.update(Math.min(position, n), position <= n);
    const pooled = Math.max(0, position - n);
    if (views.poolView) views.poolView.update(pooled, position > n, Math.min(position, n));
    views.flattenView.update(views.poolView ? pooled : (position >= n ? Infinity : 0));
  };
  const stepper = createStepper($("pg-stepper"), show);

  const fillTargets = () => {
    const select = $("pg-pattern-target");
    const keep = select.value;
    select.replaceChildren(new Option("all kernels", "all"));
    state.kernels.forEach((_, f) => select.append(new Option(`${f + 1}`, String(f))));
    if ([...select.options].some((o) => o.value === keep)) select.value = keep;
  };

  async function refresh(keep = false) {
    if (pending) pending.abort();
    const controller = new AbortController();
    pending = controller;
    root.dataset.state = "busy";
    const s = state.settings;
    const request = (url, body) => postJSON(url, body, { signal: controller.signal });
    let conv;
    let pool = null;
    let poolError = null;
    try {
      conv = await request("/api/convolve", {
        input: state.input, kernels: state.kernels, stride: s.stride, padding: s.padding,
      });
      try {
        pool = await request("/api/pool", {
          input: conv.output, size: s.poolSize, stride: s.poolStride, mode: "max",
        });
      } catch (error) {
        if (error.name === "AbortError") return;
        poolError = error;
      }
    } catch (error) {
      if (error.name === "AbortError") return;
      pending = null;
      views = null;
      $("pg-formula").textContent = "no output with these settings";
      forgetChoices();
      $("pg-pool-formula").textContent = "";
      showProblem($("pg-error"), error, "conv");
      showProblem($("pg-pool-error"), null);
      for (const name of ["steps", "outputs", "pool", "flatten"]) area(name).replaceChildren();
      stepper.reset(0);
      root.dataset.state = "error";
      return;
    }
    if (controller !== pending) return;
    pending = null;
    showProblem($("pg-error"), null);
    showProblem($("pg-pool-error"), poolError, "pool");
    $("pg-formula").textContent = conv.formula;
    $("pg-pool-formula").textContent = pool ? pool.formula : "";
    const edits = {
      onEditInput: (ch, r, c, v) => { state.input[ch][r][c] = v; refresh(true); },
      onEditKernel: (f, ch, r, c, v) => { state.kernels[f][ch][r][c] = v; refresh(true); },
    };
    views = {
      conv,
      pool,
      convView: createConvView(areas, state, conv, edits),
      poolView: pool ? createPoolView(area("pool"), conv, pool) : null,
      flattenView: createFlattenView(area("flatten"), pool ? pool.output : conv.output),
    };
    if (!pool) area("pool").replaceChildren();
    fillTargets();
    stepper.reset(conv.steps.length + (pool ? pool.steps.length : 0), keep);
    root.dataset.state = "ready";
  }

  /** No preset, kernel pattern or kernel number stays selected for settings they no longer describe. */
  function forgetChoices() {
    $("pg-preset-text").textContent = "";
    $("pg-pattern-text").textContent = "";
    root.querySelectorAll("[data-preset]").forEach((b) => b.setAttribute("aria-pressed", "false"));
    const select = $("pg-pattern-target");
    select.replaceChildren(new Option("all kernels", "all"));
  }

  const regenerate = (inputToo, kernelsToo) => {
    if (inputToo) state.input = randomInput(state.settings);
    if (kernelsToo) state.kernels = randomKernels(state.settings);
  };

  const controls = createControls(root, {
    onChange(settings, field) {
      state.settings = settings;
      forgetChoices();
      regenerate(INPUT_FIELDS.includes(field), KERNEL_FIELDS.includes(field));
      refresh(field === "poolSize" || field === "poolStride");
    },
    onPreset(name) {
      const preset = presetNamed(name);
      state.settings = { ...preset.settings };
      controls.write(state.settings);
      regenerate(true, true);
      if (preset.kernel) {
        const s = state.settings;
        state.kernels = state.kernels.map(() => kernelPattern(preset.kernel, s.kernelSize, s.channels));
      }
      $("pg-preset-text").textContent = preset.text;
      root.querySelectorAll("[data-preset]").forEach((b) => b.setAttribute("aria-pressed", String(b === $(`pg-preset-${name}`))));
      refresh();
    },
    onShuffle() {
      state.settings.seed += 1;
      controls.write(state.settings);
      regenerate(true, true);
      refresh();
    },
  });

  root.querySelectorAll("[data-pattern]").forEach((button) => {
    button.addEventListener("click", () => {
      const name = button.dataset.pattern;
      const target = $("pg-pattern-target").value;
      const s = state.settings;
      state.kernels = state.kernels.map((k, f) => (target === "all" || Number(target) === f ? kernelPattern(name, s.kernelSize, s.channels) : k));
      $("pg-pattern-text").textContent = KERNEL_PATTERNS[name];
      refresh(true);
    });
  });

  const linked = readPlaygroundLink(root.ownerDocument.defaultView.location.search);
  if (linked?.preset && presetNamed(linked.preset)) return controls.preset(linked.preset);
  if (linked?.input) state.settings = { ...state.settings, ...linked.settings };
  controls.write(state.settings);
  regenerate(true, true);
  if (linked?.input) [state.input, state.kernels] = [linked.input, linked.kernels];
  if (linked) $("pg-preset-text").textContent = linked.error ?? "The numbers of the unit you opened: its input around the unit and its kernel (the bias is left out).";
  refresh();
}
