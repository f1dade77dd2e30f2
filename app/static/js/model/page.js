// The model page: fetch the model's record once, then hand each panel its part.
import { getJSON } from "../shared/api.js";
import { byTestId } from "../shared/dom.js";
import { percent } from "../shared/format.js";
import { renderSummary, renderParameters } from "./summary.js";
import { drawClassBars } from "./bars.js";
import { drawCurve } from "./curves.js";
import { renderConfusion } from "./confusion.js";
import { showCell } from "./digits.js";
import { startModelPicker } from "../explorer/model-picker.js";
import { renderDrawn } from "./drawn.js";
import { renderCalibration } from "./calibration.js";

/** Start the model page inside root (the element with data-model-page). */
export function startModelPage(root) {
  startModelPicker(root.ownerDocument); // ?model=<run id>: that network's report
  const $ = byTestId(root);
  show(root, $).catch((error) => {
    const box = $("model-error");
    box.textContent = `Could not load the model: ${error.message}`;
    box.hidden = false;
  });
}

async function show(root, $) {
  const model = await getJSON("/api/model");
  const meta = model.metadata || {};
  renderSummary(root, model);
  renderParameters($("params-table"), $("params-total"), model.layers);
  if (meta.per_class_accuracy) {
    const floor = drawClassBars($("per-class-chart").getContext("2d"), meta.per_class_accuracy, model.class_names);
    $("per-class-floor").textContent = percent(floor, 0);
  }
  const history = meta.history || {};
  drawCurve($("loss-chart").getContext("2d"), history.train_loss, history.val_loss, { title: "loss" });
  drawCurve($("accuracy-chart").getContext("2d"), history.train_accuracy, history.val_accuracy, {
    title: "accuracy",
    percent: true,
  });
  $("drawn-panel").hidden = !renderDrawn($("drawn"), meta, model.class_names);
  $("calibration-panel").hidden = !renderCalibration(
    { mnistCanvas: $("calibration-mnist"), drawnCanvas: $("calibration-drawn"), text: $("calibration-text") },
    meta,
  );
  if (meta.confusion_matrix) {
    renderConfusion($("confusion-matrix"), meta.confusion_matrix, model.class_names, (t, p) =>
      showCell(root, t, p, model.class_names),
    );
  }
}
