// The settings form and the preset buttons: fill the selects, read and write the settings.

import { byTestId } from "../shared/dom.js";
import { LIMITS } from "./state.js";

const NUMBER_FIELDS = ["size", "channels", "kernels", "kernelSize", "stride", "padding", "poolSize", "poolStride", "seed"];

/** Wire the form in root; handlers {onChange(settings, field), onPreset(name), onShuffle()}. */
export function createControls(root, { onChange, onPreset, onShuffle }) {
  const $ = byTestId(root);
  const form = $("pg-controls");
  for (const [name, [lo, hi]] of Object.entries(LIMITS)) {
    const select = form.elements[name];
    for (let v = lo; v <= hi; v += 1) select.append(new Option(String(v), String(v)));
  }
  const read = () => Object.fromEntries(
    NUMBER_FIELDS.map((name) => [name, Math.max(0, Math.floor(Number(form.elements[name].value) || 0))]),
  );
  form.addEventListener("change", (e) => onChange(read(), e.target.name));
  form.addEventListener("submit", (e) => e.preventDefault());
  $("pg-shuffle").addEventListener("click", onShuffle);
  root.querySelectorAll("[data-preset]").forEach((button) => {
    button.addEventListener("click", () => onPreset(button.dataset.preset));
  });
  return {
    /** Choose the preset called `name`, as its button does. */
    preset: (name) => onPreset(name),
    /** Put settings into the form without firing change events. */
    write(settings) {
      for (const name of NUMBER_FIELDS) form.elements[name].value = String(settings[name]);
    },
  };
}
