"""Read drawn digits and non-digits with a model: accuracy per digit and style, calibration, flags."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from engine.calibration import expected_calibration_error, softmax_t
from engine.model import Sequential
from engine.ood import DigitTest, InkShape, digit_score, ink_shape
from engine.preprocess import preprocess
from engine.strokes.sets import Drawing

MAX_DIGIT_FLAG_RATE = 0.02  # the bound on drawn digits called "no digit"


@dataclass(frozen=True)
class Readings:
    """A model's reading of N drawings: inputs (N, 1, 28, 28), logits (N, K), labels (N,)
    (-1: no digit), styles, jitter tags and ink shapes."""

    inputs: np.ndarray
    logits: np.ndarray
    labels: np.ndarray
    styles: list[str]
    tags: list[tuple[str, ...]]
    shapes: list[InkShape]

    def subset(self, keep: np.ndarray) -> Readings:
        """The readings where the (N,) bool mask `keep` is true."""
        idx = np.nonzero(keep)[0]
        return Readings(
            self.inputs[idx],
            self.logits[idx],
            self.labels[idx],
            [self.styles[i] for i in idx],
            [self.tags[i] for i in idx],
            [self.shapes[i] for i in idx],
        )


def read_drawings(model: Sequential, drawings: Iterable[Drawing], batch: int = 256) -> Readings:
    """Render each drawing like the page, preprocess it as /api/predict does, run the model."""
    inputs, labels, styles, tags, shapes = [], [], [], [], []
    for drawing in drawings:
        x = preprocess(drawing.image())
        inputs.append(x)
        shapes.append(ink_shape(x))  # as /api/predict does: from the input the network sees
        labels.append(drawing.label)
        styles.append(drawing.style)
        tags.append(drawing.jitter.tags)
    x = np.stack(inputs)[:, None]  # (N, 1, 28, 28)
    logits = np.concatenate([model.forward(x[i : i + batch]) for i in range(0, len(x), batch)])
    return Readings(x, logits.astype(np.float64), np.array(labels), styles, tags, shapes)


def scores(readings: Readings, test: DigitTest | None = None) -> np.ndarray:
    """(N,) digit_score of every reading."""
    return np.array(
        [digit_score(z, s, test) for z, s in zip(readings.logits, readings.shapes, strict=True)]
    )


def fit_digit_test(
    digits: Readings, non_digits: Readings, max_flag_rate: float = MAX_DIGIT_FLAG_RATE / 2
) -> DigitTest:
    """The network factor's midpoint (largest logit) that flags the most non-digits while
    flagging at most max_flag_rate of the digits (half the issue's bound: a margin for new
    drawings), at the default scale and threshold; fit it on the tuning drawings only."""
    best, best_rate = DigitTest(), -1.0
    top = float(np.percentile(digits.logits.max(axis=1), 50))
    for mid in np.arange(0.0, top, 0.05):
        test = DigitTest(max_logit_mid=round(float(mid), 2))
        if np.mean(scores(digits, test) < test.threshold) > max_flag_rate:
            break
        rate = float(np.mean(scores(non_digits, test) < test.threshold))
        if rate >= best_rate:
            best, best_rate = test, rate
    return best


def choose_threshold(digit_scores: np.ndarray, max_flag_rate: float = MAX_DIGIT_FLAG_RATE) -> float:
    """The highest threshold that flags (score < threshold) at most max_flag_rate of these digits."""
    ordered = np.sort(np.asarray(digit_scores, dtype=np.float64))
    return float(ordered[int(np.floor(max_flag_rate * len(ordered)))])


def _accuracy_by(keys: list[str], labels: np.ndarray, predicted: np.ndarray) -> dict[str, dict]:
    """{key: {n, accuracy, read_as: {wrong digit: count}}} in the order keys first appear."""
    out: dict[str, dict] = {}
    for key in dict.fromkeys(keys):
        idx = [i for i, k in enumerate(keys) if k == key]
        wrong = Counter(int(predicted[i]) for i in idx if predicted[i] != labels[i])
        out[key] = {
            "n": len(idx),
            "accuracy": float(np.mean(predicted[idx] == labels[idx])),
            "read_as": dict(wrong.most_common(3)),
        }
    return out


def digit_report(readings: Readings, temperature: float = 1.0) -> dict:
    """Accuracy overall, per digit, per style and per jitter tag; ECE; confident mistakes."""
    p = softmax_t(readings.logits, temperature)
    predicted = p.argmax(axis=1)
    y = readings.labels
    wrong = predicted != y
    tag_keys, tag_rows = [], []
    for i, tags in enumerate(readings.tags):
        for tag in tags:
            tag_keys.append(tag)
            tag_rows.append(i)
    return {
        "n": len(y),
        "accuracy": float(np.mean(~wrong)),
        "per_digit": _accuracy_by([str(d) for d in y], y, predicted),
        "per_style": _accuracy_by(readings.styles, y, predicted),
        "per_tag": _accuracy_by(tag_keys, y[tag_rows], predicted[tag_rows]) if tag_rows else {},
        "ece": expected_calibration_error(p, y),
        "mistakes_above_99": float(np.mean(p.max(axis=1)[wrong] > 0.99)) if wrong.any() else 0.0,
    }


def flag_report(
    digits: Readings, non_digits: Readings, threshold: float, test: DigitTest | None = None
) -> dict:
    """Share of non-digits (overall and per kind) and of digits with digit_score < threshold."""
    nd_scores = scores(non_digits, test)
    flagged = nd_scores < threshold
    per_kind = {
        kind: float(
            np.mean([f for f, s in zip(flagged, non_digits.styles, strict=True) if s == kind])
        )
        for kind in dict.fromkeys(non_digits.styles)
    }
    return {
        "threshold": threshold,
        "non_digits_flagged": float(flagged.mean()),
        "non_digits_per_kind": per_kind,
        "digits_flagged": float(np.mean(scores(digits, test) < threshold)),
    }
