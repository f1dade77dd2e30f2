// The network layer by layer, in order: every map of every layer, strips and bars for vectors.

import { RANGE_MODES, colourScales } from "./colour-range.js";
import { shapeText } from "../shared/format.js";
import { setLegend } from "./legend.js";
import { FeatureMap } from "./feature-map.js";
import { kindTag, layerNote } from "./layer-notes.js";
import { createBars, createStrip } from "./vector-view.js";

const MAP_KINDS = new Set(["conv2d", "relu", "maxpool2d", "avgpool2d", "input"]);

/**
 * Build one card per layer inside `container`. onPick({layer, channel, row, col}) fires when a
 * unit of a conv, ReLU-after-conv or pooling map is chosen.
 */
export function createNetworkView(container, model, { onPick, tooltip }) {
  const input = { name: "input", kind: "input", input_shape: model.input_shape, output_shape: model.input_shape };
  const layers = [input, ...model.layers];
  const classes = model.class_names.length;
  if (!layers.some((l) => l.kind === "softmax")) {
    layers.push({ name: "softmax", kind: "softmax", input_shape: [classes], output_shape: [classes] });
  }
  const views = new Map(); // name -> {layer, maps?, vector?, legendSlot}
  container.replaceChildren(rangeToggle());
  let shown = null; // the answer on screen, redrawn when the range mode changes
  let mode = "layer";
  layers.forEach((layer, index) => {
    const previous = layers[index - 1];
    const card = document.createElement("section");
    card.className = `layer-card kind-${layer.kind}`;
    card.setAttribute("data-testid", `layer-${layer.name}`);
    card.setAttribute("aria-labelledby", `title-${layer.name}`);
    const head = document.createElement("div");
    head.className = "layer-head";
    const title = document.createElement("h3");
    title.id = `title-${layer.name}`;
    title.textContent = `${layer.name} · ${shapeText(layer.output_shape)}`;
    const tag = document.createElement("span");
    tag.className = `kind-tag tag-${layer.kind}`;
    tag.textContent = kindTag(layer.kind);
    const legendSlot = document.createElement("div");
    legendSlot.className = "legend-slot";
    head.append(title, tag, legendSlot);
    const note = document.createElement("p");
    note.className = "explainer";
    note.textContent = layerNote(layer, classes);
    card.append(head, note);
    const view = { layer, legendSlot, card };
    const shape = layer.output_shape;
    if (MAP_KINDS.has(layer.kind) && shape.length === 3) {
      const grid = document.createElement("div");
      grid.className = shape[0] > 8 ? "map-grid many" : "map-grid";
      const pickable =
        layer.kind === "conv2d" ||
        layer.kind.endsWith("pool2d") ||
        (layer.kind === "relu" && previous && previous.kind === "conv2d");
      view.maps = [];
      for (let ch = 0; ch < shape[0]; ch += 1) {
        const label = `${layer.name} map ${ch}`;
        const map = new FeatureMap({
          label,
          height: shape[1],
          width: shape[2],
          tooltip,
          onPick: pickable ? (row, col, how) => onPick({ layer: layer.name, channel: ch, row, col }, how) : null,
        });
        map.canvas.setAttribute("data-testid", `map-${layer.name}-${ch}`);
        const figure = document.createElement("figure");
        figure.className = "map-cell";
        const caption = document.createElement("figcaption");
        caption.textContent = layer.kind === "input" ? "image" : `#${ch}`;
        figure.append(map.canvas, caption);
        grid.append(figure);
        view.maps.push(map);
      }
      card.append(grid);
      if (layer.kind === "conv2d") {
        view.kernelSlot = document.createElement("div");
        view.kernelSlot.className = "kernel-slot";
        card.append(view.kernelSlot);
      }
    } else if (layer.kind === "softmax" || shape[0] === classes) {
      view.vector = createBars(model.class_names);
      card.append(view.vector.element);
    } else {
      view.vector = createStrip(layer.name, shape[0], tooltip);
      card.append(view.vector.element);
    }
    container.append(card);
    views.set(layer.name, view);
  });

  function show(answer) {
    shown = answer;
    const entries = [{ name: "input", activations: [answer.input], min: 0, max: 1 }, ...answer.layers];
    const scales = colourScales(entries, mode);
    for (const entry of entries) {
      const view = views.get(entry.name);
      if (!view) continue;
      const { scale, maps } = scales.get(entry.name);
      const label = maps ? "per map, layer" : scale.signed ? "signed" : "range";
      setLegend(view.legendSlot, scale, label);
      if (view.maps) view.maps.forEach((map, ch) => map.setData(entry.activations[ch], maps?.[ch] || scale));
      else view.vector.show(entry.activations, scale);
    }
  }

  /** Radio buttons for the colour range: per map, per layer, whole network. */
  function rangeToggle() {
    const box = document.createElement("fieldset");
    box.className = "range-toggle";
    box.setAttribute("data-testid", "colour-range");
    const legend = document.createElement("legend");
    legend.textContent = "Colour range";
    box.append(legend);
    for (const [value, text] of Object.entries(RANGE_MODES)) {
      const label = document.createElement("label");
      const radio = Object.assign(document.createElement("input"), { type: "radio", name: "colour-range", value });
      radio.checked = value === "layer";
      radio.addEventListener("change", () => {
        mode = value;
        if (shown) show(shown);
      });
      label.append(radio, ` ${text}`);
      box.append(label);
    }
    return box;
  }

  /** Mark the window read on `inputLayer` and the unit at (channel, row, col) of `layerNames`. */
  function mark({ inputLayer, inputChannels, window, layerNames, channel, row, col, lit }) {
    clearMarks();
    const source = views.get(inputLayer);
    if (source && source.maps) {
      for (const ch of inputChannels) source.maps[ch]?.mark({ window });
    }
    for (const name of layerNames) {
      views.get(name)?.maps?.[channel]?.mark({ unit: [row, col], lit });
    }
  }

  function clearMarks() {
    for (const view of views.values()) {
      if (view.maps) for (const map of view.maps) if (map.marks.window || map.marks.unit) map.mark({});
    }
  }

  /** Take every value off the maps and vectors (no answer fits what the pad shows). */
  function clear() {
    shown = null;
    for (const view of views.values()) {
      const text = view.legendSlot.querySelector(".legend-text");
      if (text) text.textContent = "no values";
      if (view.maps) view.maps.forEach((map) => map.setData(null, null));
      else view.vector.show(null, { min: 0, max: 1, signed: false });
    }
  }

  return { show, clear, mark, clearMarks, views, layers };
}
