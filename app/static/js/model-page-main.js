// The model page: fetch the model's record once, then hand each panel its part.
import { getJSON } from "./api.js";
import { renderSummary, renderParameters } from "./model-page-summary.js";
import { drawClassBars } from "./model-page-bars.js";
import { drawCurve } from "./model-page-curves.js";
import { renderConfusion } from "./model-page-confusion.js";
import { showCell } from "./model-page-digits.js";

const root = document.querySelector("[data-model-page]");
const $ = (id) => root.querySelector(`[data-testid="${id}"]`);

async function start() {
  const model = await getJSON("/api/model");
  const meta = model.metadata || {};
  renderSummary(root, model);
  renderParameters($("params-table"), $("params-total"), model.layers);
  if (meta.per_class_accuracy) {
    const floor = drawClassBars($("per-class-chart").getContext("2d"), meta.per_class_accuracy, model.class_names);
    $("per-class-floor").textContent = `${(100 * floor).toFixed(0)}%`;
  }
  const history = meta.history || {};
  drawCurve($("loss-chart").getContext("2d"), history.train_loss, history.val_loss, { title: "loss" });
  drawCurve($("accuracy-chart").getContext("2d"), history.train_accuracy, history.val_accuracy, {
    title: "accuracy",
    percent: true,
  });
  if (meta.confusion_matrix) {
    renderConfusion($("confusion-matrix"), meta.confusion_matrix, model.class_names, (t, p) =>
      showCell(root, t, p, model.class_names),
    );
  }
}

start().catch((error) => {
  const box = $("model-error");
  box.textContent = `Could not load the model: ${error.message}`;
  box.hidden = false;
});
