"""The bundled model on the project's drawn digits and non-digits: accuracy per digit and style,
calibration before and after temperature scaling, and the "no digit" flag rates.

Run: python -m bench.drawn [--weights PATH] [--data DIR] [--per-digit 60]
The temperature is fitted twice: on MNIST's validation split (the 5,000 training images that
engine/train.py holds out with seed 0) and on the tuning drawings (TUNING_SEED). The is-digit
threshold is chosen on the tuning drawings (at most 2 % of digits flagged) and then applied to the
evaluation drawings (EVALUATION_SEED). Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from engine.calibration import expected_calibration_error, fit_temperature, nll, softmax_t
from engine.data import load_mnist
from engine.drawn_eval import choose_threshold, digit_report, flag_report, read_drawings, scores
from engine.drawn_report import model_logits
from engine.mixed_data import validation_split
from engine.ood import DigitTest
from engine.serialize import BUNDLED_WEIGHTS, load_model
from engine.strokes.sets import (
    EVALUATION_SEED,
    TUNING_SEED,
    digit_drawings,
    evaluation_digits,
    evaluation_non_digits,
    non_digit_drawings,
)
from engine.train import TrainConfig


def main(argv: list[str] | None = None) -> None:
    """Print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=str(BUNDLED_WEIGHTS))
    parser.add_argument("--data", help="MNIST folder (default: $CONVLENS_DATA)")
    parser.add_argument("--per-digit", type=int, default=60)
    args = parser.parse_args(argv)
    model, _ = load_model(Path(args.weights))
    started = time.perf_counter()
    per_kind = max(1, args.per_digit // 2)
    ev_d = read_drawings(model, evaluation_digits(args.per_digit))
    ev_n = read_drawings(model, evaluation_non_digits(per_kind))
    tu_d = read_drawings(model, digit_drawings(TUNING_SEED, args.per_digit))
    tu_n = read_drawings(model, non_digit_drawings(TUNING_SEED, per_kind))
    train_x, train_y = load_mnist("train", args.data)
    test_x, test_y = load_mnist("test", args.data)
    val = validation_split(len(train_x), TrainConfig())
    val_logits, val_y = model_logits(model, train_x[val]), train_y[val].astype(np.int64)
    test_logits, test_y = model_logits(model, test_x), test_y.astype(np.int64)
    print(
        f"read {len(ev_d.labels) + len(ev_n.labels) + len(tu_d.labels) + len(tu_n.labels)} "
        f"drawings and MNIST in {time.perf_counter() - started:.0f} s"
    )

    drawn = digit_report(ev_d)
    mnist_right = test_logits.argmax(1) == test_y
    print(f"\n## Accuracy (drawn: seed {EVALUATION_SEED}, {args.per_digit} per digit)\n")
    print("| digit | MNIST test | drawn | drawn read as |")
    print("| --- | --- | --- | --- |")
    for d in range(10):
        row = drawn["per_digit"][str(d)]
        wrong = ", ".join(f"{k} x{n}" for k, n in row["read_as"].items())
        print(f"| {d} | {mnist_right[test_y == d].mean():.3f} | {row['accuracy']:.3f} | {wrong} |")
    print(f"| all | {mnist_right.mean():.4f} | {drawn['accuracy']:.4f} | |")
    print("\n| style | n | drawn accuracy | read as |")
    print("| --- | --- | --- | --- |")
    for key, row in list(drawn["per_style"].items()) + list(drawn["per_tag"].items()):
        wrong = ", ".join(f"{k} x{n}" for k, n in row["read_as"].items())
        print(f"| {key} | {row['n']} | {row['accuracy']:.3f} | {wrong} |")
    print(f"\ndrawn mistakes made with > 99 % confidence: {drawn['mistakes_above_99']:.3f}")

    t_mnist = fit_temperature(val_logits, val_y)
    t_drawn = fit_temperature(tu_d.logits, tu_d.labels)
    print("\n## Calibration (ECE, 15 bins; NLL)\n")
    print("| temperature | fitted on | ECE MNIST test | ECE drawn | NLL MNIST test | NLL drawn |")
    print("| --- | --- | --- | --- | --- | --- |")
    for t, where in (
        (1.0, "none"),
        (t_mnist, "MNIST validation"),
        (t_drawn, f"drawn seed {TUNING_SEED}"),
    ):
        e_m = expected_calibration_error(softmax_t(test_logits, t), test_y)
        e_d = expected_calibration_error(softmax_t(ev_d.logits, t), ev_d.labels)
        print(
            f"| {t:.3f} | {where} | {e_m:.4f} | {e_d:.4f} | {nll(test_logits, test_y, t):.4f} "
            f"| {nll(ev_d.logits, ev_d.labels, t):.4f} |"
        )

    test = model.digit_test or DigitTest()
    tuned = choose_threshold(scores(tu_d, test))
    print("\n## No digit: digit_score < threshold\n")
    print("| threshold | chosen on | set | non-digits flagged | drawn digits flagged |")
    print("| --- | --- | --- | --- | --- |")
    for threshold, how in (
        (tuned, f"seed {TUNING_SEED}, <= 2 % digits"),
        (test.threshold, "the model's digit_test"),
    ):
        for name, d, n in (("tuning", tu_d, tu_n), ("evaluation", ev_d, ev_n)):
            f = flag_report(d, n, threshold, test)
            print(
                f"| {threshold:.3f} | {how} | {name} | {f['non_digits_flagged']:.3f} "
                f"| {f['digits_flagged']:.3f} |"
            )
    f = flag_report(ev_d, ev_n, test.threshold, test)
    print("\n| non-digit kind (evaluation) | flagged |")
    print("| --- | --- |")
    for kind, rate in f["non_digits_per_kind"].items():
        print(f"| {kind} | {rate:.3f} |")


if __name__ == "__main__":
    main()
