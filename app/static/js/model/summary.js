// The headline numbers and the parameter-count table.

import { byTestId } from "../shared/dom.js";
import { percent, shapeText } from "../shared/format.js";

/** Test accuracy, mistakes and how the weights were trained. */
export function renderSummary(root, model) {
  const meta = model.metadata || {};
  const $ = byTestId(root);
  if (model.test_accuracy != null) $("test-accuracy").textContent = percent(model.test_accuracy, 2);
  const confusion = meta.confusion_matrix;
  if (confusion) {
    const wrong = confusion.reduce((sum, row, t) => sum + row.reduce((s, v, p) => s + (p === t ? 0 : v), 0), 0);
    $("test-errors").textContent = wrong.toLocaleString("en");
  }
  const t = meta.training || {};
  const parts = [`${model.parameter_count.toLocaleString("en")} parameters`];
  const rate = t.lr ?? t.learning_rate; // the bundled record says lr; a training run's, learning_rate
  if (t.epochs) parts.push(`${t.epochs} epochs, batch ${t.batch_size}${rate ? `, learning rate ${rate}` : ""}`);
  if (t.augment !== undefined) parts.push(t.augment ? "with shifted and rotated copies" : "plain images");
  if (t.seconds) parts.push(`${Math.round(t.seconds)} s of training in NumPy`);
  if (meta.test_loss != null) parts.push(`test loss ${meta.test_loss.toFixed(4)}`);
  $("training-summary").textContent = `${parts.join(" · ")}.`;
}

/** One table row per layer: name, kind, output shape, parameter count and its share. */
export function renderParameters(table, totalCell, layers) {
  const total = layers.reduce((s, l) => s + l.parameter_count, 0);
  const body = table.tBodies[0];
  body.replaceChildren(
    ...layers.map((layer) => {
      const row = document.createElement("tr");
      row.dataset.testid = `params-${layer.name}`;
      const cells = [layer.name, layer.kind, shapeText(layer.output_shape), layer.parameter_count.toLocaleString("en")];
      cells.forEach((text, k) => {
        const cell = document.createElement(k === 0 ? "th" : "td");
        if (k === 0) cell.scope = "row";
        if (k === 3) cell.className = "num";
        cell.textContent = text;
        row.append(cell);
      });
      const share = document.createElement("td");
      if (layer.parameter_count > 0) {
        const meter = document.createElement("meter");
        meter.min = 0;
        meter.max = 1;
        meter.value = layer.parameter_count / total;
        meter.title = `${((100 * layer.parameter_count) / total).toFixed(1)}% of all parameters`;
        share.append(meter, ` ${((100 * layer.parameter_count) / total).toFixed(1)}%`);
      }
      row.append(share);
      return row;
    }),
  );
  totalCell.textContent = total.toLocaleString("en");
}
