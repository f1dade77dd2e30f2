"""`convlens evaluate --drawn --record`: fit the is-digit test on the tuning drawings and store it,
with the drawn set's figures and both calibration plots, in the model's JSON (the Model page
reads them from GET /api/model). The weights file, and so the model version, is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from engine.calibration import expected_calibration_error, reliability, softmax_t
from engine.drawn_eval import digit_report, fit_digit_test, flag_report, read_drawings
from engine.drawn_report import mnist_test_readings
from engine.serialize import json_path_for, load_model
from engine.strokes.sets import (
    EVALUATION_PER_DIGIT,
    EVALUATION_PER_KIND,
    EVALUATION_SEED,
    TUNING_SEED,
    digit_drawings,
    evaluation_digits,
    evaluation_non_digits,
    non_digit_drawings,
)


def _calibration_entry(logits: np.ndarray, labels: np.ndarray, t: float) -> dict:
    """ECE before (T = 1) and after (T = t), and the reliability bins after."""
    return {
        "n": len(labels),
        "ece_before": expected_calibration_error(softmax_t(logits), labels),
        "ece_after": expected_calibration_error(softmax_t(logits, t), labels),
        "reliability_before": reliability(softmax_t(logits), labels),
        "reliability_after": reliability(softmax_t(logits, t), labels),
    }


def _compact(report: dict) -> dict:
    """A digit_report with the per-style rows as {n, accuracy, read_as}."""
    keep = ("n", "accuracy", "ece", "mistakes_above_99")
    return {
        **{k: report[k] for k in keep},
        **{k: report[k] for k in ("per_digit", "per_style", "per_tag")},
    }


def record_drawn(weights: Path, data: str | Path | None) -> dict:
    """Fit, measure and write; -> the entries added to the metadata."""
    model, _ = load_model(weights)
    t = model.temperature
    tune = read_drawings(model, digit_drawings(TUNING_SEED, EVALUATION_PER_DIGIT))
    tune_non = read_drawings(model, non_digit_drawings(TUNING_SEED, EVALUATION_PER_KIND))
    test = fit_digit_test(tune, tune_non)
    digits = read_drawings(model, evaluation_digits())
    non_digits = read_drawings(model, evaluation_non_digits())
    flags = flag_report(digits, non_digits, test.threshold, test)
    entries = {
        "digit_test": test.as_dict(),
        "drawn": {
            "seed": EVALUATION_SEED,
            "tuning_seed": TUNING_SEED,
            **_compact(digit_report(digits, t)),
            "calibration": _calibration_entry(digits.logits, digits.labels, t),
            "not_a_digit": {
                **flags,
                "tuning": flag_report(tune, tune_non, test.threshold, test),
            },
        },
    }
    mnist = mnist_test_readings(model, data)
    if mnist is not None:
        entries["mnist_calibration"] = _calibration_entry(*mnist, t)
    path = json_path_for(weights)
    doc = json.loads(path.read_text())
    doc["metadata"].update(entries)
    path.write_text(json.dumps(doc, indent=1))
    return entries
