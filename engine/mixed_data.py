"""MNIST mixed with synthetic drawn digits and non-digits: the training extra, and the calibration
(validation) set. Non-digits carry the label NO_CLASS (engine/losses.py): trained towards equal
probabilities, so that the network's largest logit is low on what is no digit.

The validation split is MNIST's held-out part (engine/train.py) plus CALIBRATION_PER_DIGIT drawings
per digit from the training writers' stream, after the ones trained on: never seen in training,
never from the evaluation or tuning seeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.strokes.training_set import synthetic_digits, synthetic_non_digits, training_seed
from engine.train import TrainConfig, to_input

CALIBRATION_PER_DIGIT = 100


def validation_split(n: int, config: TrainConfig) -> np.ndarray:
    """Indices of the n training images that engine/train.py holds out for validation."""
    order = np.random.default_rng(config.seed).permutation(n)
    return order[: min(config.validation, n // 5)]


def synthetic_training_extra(
    config: TrainConfig, data_dir: str | Path | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """(N, 1, 28, 28) float32 drawn digits and non-digits (label NO_CLASS) and (N,) int64 labels
    to train on, or None when none asked."""
    seed = training_seed(config.seed)
    parts = []
    if config.synthetic_per_digit > 0:
        parts.append(synthetic_digits(seed, config.synthetic_per_digit, 0, data_dir))
    if config.non_digits_per_kind > 0:
        parts.append(synthetic_non_digits(seed, config.non_digits_per_kind, data_dir))
    if not parts:
        return None
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1].astype(np.int64) for p in parts])
    return to_input(images), labels


def calibration_set(
    train_images: np.ndarray,
    train_labels: np.ndarray,
    config: TrainConfig,
    data_dir: str | Path | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's validation split (+ held-out training-writer drawings when the run used drawings)
    -> (N, 1, 28, 28) float32 images, (N,) int64 labels."""
    val = validation_split(len(train_images), config)
    x, y = to_input(train_images[val]), train_labels[val].astype(np.int64)
    if config.synthetic_per_digit <= 0:
        return x, y
    drawn_x, drawn_y = synthetic_digits(
        training_seed(config.seed), CALIBRATION_PER_DIGIT, config.synthetic_per_digit, data_dir
    )
    return np.concatenate([x, to_input(drawn_x)]), np.concatenate([y, drawn_y.astype(np.int64)])
