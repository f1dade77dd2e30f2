// The network editor: conv blocks and hidden dense layers as rows of form controls.

import { el } from "../shared/dom.js";
import { LIMITS, paddingChoices } from "./spec.js";

const range = ([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => String(lo + i));

function select(name, values, value, label, format = (v) => v) {
  const box = el("select");
  box.name = name;
  box.setAttribute("aria-label", label);
  for (const v of values) box.append(new Option(format(v), v, false, String(value) === v));
  return box;
}

function number(name, value, [lo, hi], label) {
  const box = el("input");
  Object.assign(box, { type: "number", name, min: lo, max: hi, step: 1, value: String(value) });
  box.setAttribute("aria-label", label);
  box.inputMode = "numeric";
  return box;
}

function field(text, control) {
  const label = el("label", "field");
  label.append(text, control);
  return label;
}

function removeButton(label, onClick) {
  const button = el("button", "remove", "✕");
  button.type = "button";
  button.setAttribute("aria-label", label);
  button.addEventListener("click", onClick);
  return button;
}

/** Render `design` into `root`; onChange(design) after every edit (the design is edited in place). */
export function createBuilder(root, onChange) {
  let design = { convs: [], hidden: [] };

  function convRow(c, i) {
    const row = el("fieldset", "block conv-block");
    row.dataset.testid = `train-conv-${i}`;
    const legend = el("legend", "", `Conv block ${i + 1}`);
    const what = `conv block ${i + 1}`;
    const kernels = number("kernels", c.kernels, LIMITS.kernels, `kernels in ${what}`);
    const size = select("size", range(LIMITS.size), c.size, `kernel size in ${what}`, (v) => `${v}×${v}`);
    const stride = select("stride", range(LIMITS.stride), c.stride, `stride in ${what}`);
    const padding = select("padding", paddingChoices(c.size), c.padding, `padding in ${what}`);
    const pool = select("pool", ["none", "max", "avg"], c.pool, `pooling after ${what}`);
    const poolSize = select("poolSize", range([1, LIMITS.poolSize[1]]), c.poolSize, `pool size in ${what}`, (v) => `${v}×${v}`);
    poolSize.disabled = c.pool === "none";
    row.append(
      legend,
      field("kernels", kernels),
      field("size", size),
      field("stride", stride),
      field("padding", padding),
      field("pool", pool),
      field("pool size", poolSize),
      removeButton(`Remove ${what}`, () => {
        design.convs.splice(i, 1);
        changed(true);
      }),
    );
    row.addEventListener("change", (e) => {
      const t = e.target;
      if (t.name === "kernels") c.kernels = Math.round(Number(t.value));
      if (t.name === "size") {
        c.size = Number(t.value);
        if (!paddingChoices(c.size).includes(String(c.padding))) c.padding = 0;
      }
      if (t.name === "stride") c.stride = Number(t.value);
      if (t.name === "padding") c.padding = t.value === "same" ? "same" : Number(t.value);
      if (t.name === "pool") c.pool = t.value;
      if (t.name === "poolSize") c.poolSize = Number(t.value);
      changed(t.name === "size" || t.name === "pool");
    });
    return row;
  }

  function denseRow(units, i) {
    const row = el("fieldset", "block dense-block");
    row.dataset.testid = `train-dense-${i}`;
    const what = `hidden dense layer ${i + 1}`;
    row.append(
      el("legend", "", `Dense ${i + 1} (hidden)`),
      field("units", number("units", units, LIMITS.units, `units in ${what}`)),
      removeButton(`Remove ${what}`, () => {
        design.hidden.splice(i, 1);
        changed(true);
      }),
    );
    row.addEventListener("change", (e) => {
      design.hidden[i] = Math.round(Number(e.target.value));
      changed(false);
    });
    return row;
  }

  const rows = el("div", "blocks");
  const addConv = el("button", "", "+ conv block");
  const addDense = el("button", "", "+ dense layer");
  for (const b of [addConv, addDense]) b.type = "button";
  addConv.dataset.testid = "train-add-conv";
  addDense.dataset.testid = "train-add-dense";
  addConv.addEventListener("click", () => {
    design.convs.push({ kernels: 8, size: 3, stride: 1, padding: 1, pool: "max", poolSize: 2 });
    changed(true);
  });
  addDense.addEventListener("click", () => {
    design.hidden.push(64);
    changed(true);
  });
  const actions = el("div", "toolbar");
  actions.append(addConv, addDense);
  root.replaceChildren(rows, actions);

  function render() {
    const output = el("fieldset", "block output-block");
    output.dataset.testid = "train-output";
    output.append(el("legend", "", "Output"), el("span", "muted", "dense, 10 units: one score per digit"));
    const flat = el("p", "muted flatten-note", "flatten: the maps become one long vector");
    flat.dataset.testid = "train-flatten";
    rows.replaceChildren(...design.convs.map(convRow), flat, ...design.hidden.map(denseRow), output);
    addConv.disabled = design.convs.length >= LIMITS.convBlocks;
    addDense.disabled = design.hidden.length >= LIMITS.hiddenDense;
  }

  function changed(rerender) {
    if (rerender) render();
    onChange(design);
  }

  return {
    /** Show `next` (a design) and report it. */
    set(next) {
      design = next;
      changed(true);
    },
    design: () => design,
  };
}
