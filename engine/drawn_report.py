"""`convlens evaluate --drawn`: the drawn set's accuracy per digit and style beside MNIST's,
calibration error on both, and how often non-digits and digits are flagged as no digit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from engine.calibration import expected_calibration_error, softmax_t
from engine.data import DataError, load_mnist
from engine.drawn_eval import digit_report, flag_report, read_drawings
from engine.model import Sequential
from engine.ood import DigitTest
from engine.strokes.sets import (
    EVALUATION_PER_DIGIT,
    EVALUATION_PER_KIND,
    EVALUATION_SEED,
    evaluation_digits,
    evaluation_non_digits,
)
from engine.train import to_input


def model_logits(model: Sequential, images: np.ndarray, batch: int = 1000) -> np.ndarray:
    """(N, 28, 28) uint8 -> (N, K) float64 logits."""
    x = to_input(images)
    return np.concatenate(
        [model.forward(x[i : i + batch]) for i in range(0, len(x), batch)]
    ).astype(np.float64)


def mnist_test_readings(
    model: Sequential, data: str | Path | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """(logits, labels) on MNIST test when it is on disk (never downloads), else None."""
    try:
        images, labels = load_mnist("test", data, download=False)
    except DataError:
        return None
    return model_logits(model, images), labels.astype(np.int64)


def _pct(x: float) -> str:
    return f"{100 * x:5.1f} %"


def _read_as(row: dict) -> str:
    return ", ".join(f"{d} x{n}" for d, n in row["read_as"].items())


def print_drawn_evaluation(
    model: Sequential,
    data: str | Path | None,
    per_digit: int = EVALUATION_PER_DIGIT,
    per_kind: int = EVALUATION_PER_KIND,
    threshold: float | None = None,
    temperature: float | None = None,
    out: Callable[[str], None] = print,
) -> dict:
    """Print the drawn-set report (MNIST beside it when available); return its figures.
    The temperature and the is-digit test default to the model's own (see load_model)."""
    if per_digit < 1 or per_kind < 1:
        raise ValueError("read at least one drawing per digit and per non-digit kind")
    test = model.digit_test or DigitTest()
    threshold = test.threshold if threshold is None else threshold
    temperature = model.temperature if temperature is None else temperature
    digits = read_drawings(model, evaluation_digits(per_digit))
    non_digits = read_drawings(model, evaluation_non_digits(per_kind))
    drawn = digit_report(digits, temperature)
    flags = flag_report(digits, non_digits, threshold, test)
    mnist = mnist_test_readings(model, data)
    mnist_acc = mnist_ece = None
    mnist_per_digit: list[float | None] = [None] * 10
    if mnist is not None:
        logits, labels = mnist
        p = softmax_t(logits, temperature)
        right = p.argmax(axis=1) == labels
        mnist_acc = float(right.mean())
        mnist_ece = expected_calibration_error(p, labels)
        mnist_per_digit = [float(right[labels == d].mean()) for d in range(10)]
    out(f"drawn digits: {drawn['n']} (seed {EVALUATION_SEED}), temperature {temperature:g}")
    out("accuracy per digit      MNIST test     drawn")
    for d in range(10):
        row = drawn["per_digit"].get(str(d), {"accuracy": float("nan"), "read_as": {}})
        m = "      -" if mnist_per_digit[d] is None else _pct(mnist_per_digit[d])
        out(f"  {d}                     {m}   {_pct(row['accuracy'])}   {_read_as(row)}")
    m = "      -" if mnist_acc is None else _pct(mnist_acc)
    out(f"  all                   {m}   {_pct(drawn['accuracy'])}")
    out("accuracy per style (drawn)")
    for style, row in drawn["per_style"].items():
        out(f"  {style:<16} {row['n']:>4}  {_pct(row['accuracy'])}   {_read_as(row)}")
    out("accuracy per way of drawing (drawn)")
    for tag, row in drawn["per_tag"].items():
        out(f"  {tag:<16} {row['n']:>4}  {_pct(row['accuracy'])}   {_read_as(row)}")
    m = "      -" if mnist_ece is None else _pct(mnist_ece)
    out(f"expected calibration error (15 bins): MNIST test {m}, drawn {_pct(drawn['ece'])}")
    out(f"drawn mistakes made with > 99 % confidence: {_pct(drawn['mistakes_above_99'])}")
    out(
        f"no digit (digit_score < {threshold:.3f}): non-digits flagged "
        f"{_pct(flags['non_digits_flagged'])} of {len(non_digits.labels)}, "
        f"drawn digits flagged {_pct(flags['digits_flagged'])}"
    )
    for kind, rate in flags["non_digits_per_kind"].items():
        out(f"  {kind:<20} {_pct(rate)}")
    if mnist is None:
        out("MNIST test: not on disk (run `convlens download` to add it to the table)")
    return {"drawn": drawn, "flags": flags, "mnist_accuracy": mnist_acc, "mnist_ece": mnist_ece}
