"""engine/drawn_eval and `convlens evaluate --drawn` on a few drawings with the bundled model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.cli import main as engine_main
from engine.drawn_eval import (
    choose_threshold,
    digit_report,
    flag_report,
    read_drawings,
    scores,
)
from engine.ood import DIGIT_THRESHOLD
from engine.serialize import load_model
from engine.strokes import evaluation_digits, evaluation_non_digits


@pytest.fixture(scope="module")
def readings():
    model, _ = load_model()
    return read_drawings(model, evaluation_digits(2)), read_drawings(
        model, evaluation_non_digits(1)
    )


def test_readings_line_up(readings):
    digits, non_digits = readings
    assert digits.logits.shape == (20, 10) and digits.inputs.shape == (20, 1, 28, 28)
    assert list(digits.labels) == [k for k in range(10) for _ in range(2)]
    assert (non_digits.labels == -1).all()
    kept = digits.subset(digits.labels == 3)
    assert kept.styles == ["3/round", "3/flat-top"] and len(kept.shapes) == 2


def test_digit_report_counts(readings):
    digits, _ = readings
    report = digit_report(digits)
    predicted = digits.logits.argmax(1)
    assert report["accuracy"] == pytest.approx(np.mean(predicted == digits.labels))
    assert sum(row["n"] for row in report["per_digit"].values()) == 20
    assert sum(row["n"] for row in report["per_style"].values()) == 20
    for row in report["per_style"].values():
        assert sum(row["read_as"].values()) == round(row["n"] * (1 - row["accuracy"]))
    assert 0 <= report["ece"] <= 1


def test_threshold_flags_at_most_the_allowed_share(rng):
    scores = rng.random(600)
    t = choose_threshold(scores, 0.02)
    assert np.mean(scores < t) <= 0.02
    assert np.mean(scores <= t) > 0.02  # the highest such threshold
    assert choose_threshold(np.array([0.3, 0.9]), 0.0) == 0.3


def test_flag_report_bounds(readings):
    digits, non_digits = readings
    nothing = flag_report(digits, non_digits, 0.0)
    assert nothing["non_digits_flagged"] == 0 and nothing["digits_flagged"] == 0
    everything = flag_report(digits, non_digits, 1.01)
    assert everything["non_digits_flagged"] == 1 and everything["digits_flagged"] == 1


def test_cli_evaluate_drawn(capsys, tmp_path):
    assert engine_main(["evaluate", "--drawn", "--per-digit", "2", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "accuracy per style" in out and "7/crossbar" in out and "9/open" in out
    assert "expected calibration error (15 bins)" in out
    assert "non-digits flagged" in out and "digits-side-by-side" in out
    assert "MNIST test: not on disk" in out


def test_cli_evaluate_drawn_beside_mnist(capsys, mnist_dir):
    argv = ["evaluate", "--drawn", "--per-digit", "1", "--data", str(mnist_dir), "--json"]
    assert engine_main(argv) == 0
    out = capsys.readouterr().out
    assert "not on disk" not in out
    figures = json.loads(out.splitlines()[-1])
    assert figures["drawn"]["n"] == 10 and figures["mnist_accuracy"] > 0.99
    assert 0 <= figures["flags"]["non_digits_flagged"] <= 1
    all_row = next(line for line in out.splitlines() if line.strip().startswith("all"))
    mnist_accuracy = float(all_row.split()[1])
    assert mnist_accuracy > 99.0


def test_cli_rejects_no_drawings(capsys):
    assert engine_main(["evaluate", "--drawn", "--per-digit", "0"]) == 2
    assert "at least one" in capsys.readouterr().err


def test_dots_dashes_and_rows_are_flagged_with_the_bundled_model(readings):
    _, non_digits = readings
    flagged = dict(
        zip(non_digits.styles, (scores(non_digits) < DIGIT_THRESHOLD).tolist(), strict=True)
    )
    assert flagged["dot"] and flagged["dash"] and flagged["digits-side-by-side"]
