"""Mini-batch training and evaluation of a Sequential model on image classification data."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm import tqdm

from engine.augment import augment_batch
from engine.confusion import confusion_matrix
from engine.data import unit_float32
from engine.losses import cross_entropy
from engine.model import Sequential
from engine.optim import SGD, Adam, Optimizer
from engine.shards import ShardedStep


def to_input(images: np.ndarray) -> np.ndarray:
    """(N, H, W) uint8 -> (N, 1, H, W) float32 in [0, 1]."""
    return unit_float32(images)[:, None]


@dataclass
class TrainConfig:
    """Everything that decides a training run."""

    epochs: int = 15
    batch_size: int = 64
    lr: float = 2e-3
    min_lr_fraction: float = 0.02
    seed: int = 0
    augment: bool = True
    validation: int = 5000  # held out of the images, unless train() is given a validation set
    optimizer: str = "adam"  # "adam" or "sgd" (with momentum)
    momentum: float = 0.9  # sgd only
    elastic: float = 0.0  # share of augmented images also elastically distorted
    synthetic_per_digit: int = 0  # drawn training digits per class mixed in (engine/mixed_data.py)
    non_digits_per_kind: int = 0  # drawn non-digits per kind, trained towards equal probabilities


@dataclass
class History:
    """Per-epoch curves."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    images_per_second: list[float] = field(default_factory=list)
    stopped: bool = False  # the callback raised StopTraining


SMOOTHING = 0.9  # weight of the past in the smoothed loss and accuracy a callback sees


@dataclass(frozen=True)
class TrainStep:
    """What a train() callback sees after each step (and once before the first, at step 0)."""

    step: int  # updates done so far
    total_steps: int
    epoch: int  # 1-based epoch the step belongs to
    images_seen: int
    loss: float | None  # smoothed training loss (bias-corrected moving average); None at step 0
    accuracy: float | None  # smoothed training accuracy; None at step 0
    learning_rate: float
    checkpoint: bool  # a step of checkpoint_steps(): `validation` is filled in
    epoch_end: bool
    validation: dict[str, Any] | None = None  # evaluate() on the validation set at checkpoints


class StopTraining(Exception):
    """Raised by a train() callback to end training after the current step."""


TrainCallback = Callable[[Sequential, TrainStep], None]


def checkpoint_steps(steps_per_epoch: int, epochs: int) -> list[int]:
    """Step 0, powers of two within the first epoch, every epoch end (the last is the end)."""
    early = [
        1 << k for k in range(max(steps_per_epoch, 1).bit_length()) if 1 << k < steps_per_epoch
    ]
    ends = [steps_per_epoch * e for e in range(1, epochs + 1)]
    return sorted({0, *early, *ends})


def training_subset(available: int, wanted: int, seed: int) -> np.ndarray:
    """(wanted,) sorted indices of a seeded random choice among `available` training images."""
    return np.sort(np.random.default_rng(seed).permutation(available)[:wanted])


def make_optimizer(model: Sequential, config: TrainConfig) -> Optimizer:
    """config.optimizer -> Adam or SGD with momentum at config.lr."""
    if config.optimizer == "adam":
        return Adam(model, lr=config.lr)
    if config.optimizer == "sgd":
        return SGD(model, lr=config.lr, momentum=config.momentum)
    raise ValueError(f"optimizer must be 'adam' or 'sgd', got {config.optimizer!r}")


def evaluate(
    model: Sequential, images: np.ndarray, labels: np.ndarray, batch_size: int = 1000
) -> dict[str, Any]:
    """(N, 1, H, W) float images, (N,) labels -> loss, accuracy, per-class accuracy, confusion."""
    predictions = np.empty(len(images), dtype=np.int64)
    total_loss = 0.0
    for start in range(0, len(images), batch_size):
        logits = model.forward(images[start : start + batch_size])
        y = labels[start : start + batch_size].astype(np.int64)
        loss, _ = cross_entropy(logits, y)
        total_loss += loss * len(y)
        predictions[start : start + batch_size] = logits.argmax(axis=1)
    confusion = confusion_matrix(labels, predictions, len(model.class_names))
    per_class = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
    return {
        "loss": total_loss / max(len(images), 1),
        "accuracy": float(confusion.trace() / max(confusion.sum(), 1)),
        "per_class_accuracy": [round(float(a), 6) for a in per_class],
        "confusion_matrix": confusion.tolist(),
    }


def train(
    model: Sequential,
    images: np.ndarray,
    labels: np.ndarray,
    config: TrainConfig,
    progress: bool = True,
    callback: TrainCallback | None = None,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    extra: tuple[np.ndarray, np.ndarray] | None = None,
) -> History:
    """Train in place on (N, 1, H, W) images (float in [0, 1], or uint8 converted batch by
    batch); validate on `validation` (float x, y) if given,
    else on a split held out of the images. callback(model, TrainStep) runs before the first
    step and after every step; it may block (pause) or raise StopTraining (stop). `extra`
    (images, labels) join the training part only (never the validation split)."""
    rng = np.random.default_rng(config.seed)
    order = rng.permutation(len(images))
    if validation is None:
        n_val = min(config.validation, len(images) // 5)
        val_idx, train_idx = order[:n_val], order[n_val:]
        x_val, y_val = images[val_idx], labels[val_idx]
    else:
        train_idx, (x_val, y_val) = order, validation
    if extra is not None:
        train_idx = np.concatenate([train_idx, np.arange(len(images), len(images) + len(extra[1]))])
        images, labels = np.concatenate([images, extra[0]]), np.concatenate([labels, extra[1]])
    optimizer = make_optimizer(model, config)
    steps_per_epoch = math.ceil(len(train_idx) / config.batch_size)
    total_steps = config.epochs * steps_per_epoch
    history = History()
    step = images_seen = 0
    try:
        with closing(ShardedStep(model, optimizer, batch_size=config.batch_size)) as train_step:
            watch = _Watch(callback, steps_per_epoch, config.epochs, x_val, y_val)
            watch(model, 0, 0, None, None, config.lr)
            for epoch in range(config.epochs):
                perm = rng.permutation(train_idx)
                seen = correct = 0
                loss_sum = 0.0
                start = time.perf_counter()
                bar = tqdm(
                    range(steps_per_epoch),
                    desc=f"epoch {epoch + 1}/{config.epochs}",
                    disable=not progress,
                )
                for b in bar:
                    idx = perm[b * config.batch_size : (b + 1) * config.batch_size]
                    x = images[idx]
                    if x.dtype == np.uint8:  # converted batch by batch: 4x less memory
                        x = unit_float32(x)
                    if config.augment:
                        x = augment_batch(x[:, 0], rng, elastic=config.elastic)[:, None]
                    y = labels[idx].astype(np.int64)
                    progress_frac = step / max(total_steps - 1, 1)
                    cosine = 0.5 * (1 + math.cos(math.pi * progress_frac))
                    optimizer.lr = config.lr * (
                        config.min_lr_fraction + (1 - config.min_lr_fraction) * cosine
                    )
                    loss, logits = train_step(x, y)
                    step += 1
                    seen += len(y)
                    images_seen += len(y)
                    right = int((logits.argmax(axis=1) == y).sum())
                    correct += right
                    loss_sum += loss * len(y)
                    if b < steps_per_epoch - 1:  # the epoch's last step is reported below
                        watch(model, step, images_seen, loss, right / len(y), optimizer.lr)
                    if b % 20 == 0 or b == steps_per_epoch - 1:
                        rate = seen / (time.perf_counter() - start)
                        bar.set_postfix(
                            loss=f"{loss_sum / seen:.4f}",
                            acc=f"{correct / seen:.4f}",
                            img_s=f"{rate:.0f}",
                        )
                history.images_per_second.append(seen / (time.perf_counter() - start))
                history.train_loss.append(loss_sum / seen)
                history.train_accuracy.append(correct / seen)
                val = evaluate(model, x_val, y_val)
                history.val_loss.append(val["loss"])
                history.val_accuracy.append(val["accuracy"])
                if progress:
                    tqdm.write(
                        f"epoch {epoch + 1}: train loss {loss_sum / seen:.4f} "
                        f"acc {correct / seen:.4f} | val loss {val['loss']:.4f} "
                        f"acc {val['accuracy']:.4f}"
                    )
                watch(model, step, images_seen, loss, right / len(y), optimizer.lr, val)
    except StopTraining:
        history.stopped = True
    return history


class _Watch:
    """Hands train()'s steps to the callback: smoothed metrics, validation at checkpoints."""

    def __init__(
        self,
        callback: TrainCallback | None,
        steps_per_epoch: int,
        epochs: int,
        x_val: np.ndarray,
        y_val: np.ndarray,
    ) -> None:
        self.callback, self.steps_per_epoch = callback, steps_per_epoch
        self.total = steps_per_epoch * epochs
        self.checkpoints = set(checkpoint_steps(steps_per_epoch, epochs))
        self.x_val, self.y_val = x_val, y_val
        self.loss = self.accuracy = 0.0
        self.weight = 0.0  # 1 - SMOOTHING ** steps: the bias correction

    def __call__(
        self,
        model: Sequential,
        step: int,
        seen: int,
        loss: float | None,
        accuracy: float | None,
        lr: float,
        val: dict[str, Any] | None = None,
    ) -> None:
        """Report one step (loss and accuracy of its batch; `val` when already evaluated)."""
        if self.callback is None:
            return
        if loss is not None and accuracy is not None:
            self.loss = SMOOTHING * self.loss + (1 - SMOOTHING) * loss
            self.accuracy = SMOOTHING * self.accuracy + (1 - SMOOTHING) * accuracy
            self.weight = SMOOTHING * self.weight + (1 - SMOOTHING)
        checkpoint = step in self.checkpoints
        if checkpoint and val is None:
            val = evaluate(model, self.x_val, self.y_val)
        self.callback(
            model,
            TrainStep(
                step=step,
                total_steps=self.total,
                epoch=max(1, math.ceil(step / self.steps_per_epoch)),
                images_seen=seen,
                loss=self.loss / self.weight if self.weight else None,
                accuracy=self.accuracy / self.weight if self.weight else None,
                learning_rate=lr,
                checkpoint=checkpoint,
                epoch_end=step > 0 and step % self.steps_per_epoch == 0,
                validation=val if checkpoint else None,
            ),
        )
