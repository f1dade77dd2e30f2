"""Mini-batch training and evaluation of a Sequential model on image classification data."""

from __future__ import annotations

import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
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
from engine.optim import Adam


def to_input(images: np.ndarray) -> np.ndarray:
    """(N, H, W) uint8 -> (N, 1, H, W) float32 in [0, 1]."""
    return unit_float32(images)[:, None]


SHARDS = 2  # every batch is split in two, whatever the core count: results do not depend on it


def _shard_gradients(
    model: Sequential, x: np.ndarray, y: np.ndarray, batch: int
) -> tuple[float, np.ndarray, list[dict[str, np.ndarray]]]:
    """One shard's share of the batch's mean loss, its logits, and its share of the gradients."""
    logits, caches = model.forward_train(x)
    loss, dlogits = cross_entropy(logits, y)
    share = len(y) / batch
    dlogits *= np.float32(share)
    _, grads = model.backward(dlogits, caches)
    return loss * share, logits, grads


class BatchGradients:
    """Loss, logits and gradients of a batch, its SHARDS shards on up to `threads` threads.

    NumPy releases the GIL in GEMMs and elementwise loops, and the layers write no state, so the
    shards run side by side on the same weights; their gradients are summed in a fixed order.
    """

    def __init__(self, model: Sequential, threads: int | None = None) -> None:
        self.model = model
        threads = min(SHARDS, os.cpu_count() or 1) if threads is None else threads
        self.pool = ThreadPoolExecutor(threads) if threads > 1 else None

    def __call__(
        self, x: np.ndarray, y: np.ndarray
    ) -> tuple[float, np.ndarray, list[dict[str, np.ndarray]]]:
        """(N, C, H, W), (N,) -> (mean loss, (N, K) logits, per-layer gradients of the mean loss)."""
        cuts = np.linspace(0, len(y), SHARDS + 1).astype(int)
        parts = [(x[a:b], y[a:b]) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]
        if self.pool is None:
            results = [_shard_gradients(self.model, xs, ys, len(y)) for xs, ys in parts]
        else:
            futures = [
                self.pool.submit(_shard_gradients, self.model, xs, ys, len(y)) for xs, ys in parts
            ]
            results = [f.result() for f in futures]
        grads = results[0][2]
        for _, _, more in results[1:]:
            for mine, theirs in zip(grads, more, strict=True):
                for key, g in mine.items():
                    g += theirs[key]
        loss = sum(r[0] for r in results)
        return loss, np.concatenate([r[1] for r in results]), grads

    def close(self) -> None:
        """Stop the threads."""
        if self.pool is not None:
            self.pool.shutdown()


@dataclass
class TrainConfig:
    """Everything that decides a training run."""

    epochs: int = 15
    batch_size: int = 64
    lr: float = 2e-3
    min_lr_fraction: float = 0.02
    seed: int = 0
    augment: bool = True
    validation: int = 5000
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
    extra: tuple[np.ndarray, np.ndarray] | None = None,
) -> History:
    """Train in place on (N, 1, H, W) float images with a held-out validation split; `extra`
    (images, labels) join the training part only (never the validation split)."""
    rng = np.random.default_rng(config.seed)
    order = rng.permutation(len(images))
    n_val = min(config.validation, len(images) // 5)
    val_idx, train_idx = order[:n_val], order[n_val:]
    if extra is not None:
        train_idx = np.concatenate([train_idx, np.arange(len(images), len(images) + len(extra[1]))])
        images, labels = np.concatenate([images, extra[0]]), np.concatenate([labels, extra[1]])
    x_val, y_val = images[val_idx], labels[val_idx]
    optimizer = Adam(model, lr=config.lr)
    steps_per_epoch = math.ceil(len(train_idx) / config.batch_size)
    total_steps = config.epochs * steps_per_epoch
    history = History()
    step = 0
    with closing(BatchGradients(model)) as gradients:
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
                if config.augment:
                    x = augment_batch(x[:, 0], rng, elastic=config.elastic)[:, None]
                y = labels[idx].astype(np.int64)
                progress_frac = step / max(total_steps - 1, 1)
                cosine = 0.5 * (1 + math.cos(math.pi * progress_frac))
                optimizer.lr = config.lr * (
                    config.min_lr_fraction + (1 - config.min_lr_fraction) * cosine
                )
                loss, logits, grads = gradients(x, y)
                optimizer.step(grads)
                step += 1
                seen += len(y)
                correct += int((logits.argmax(axis=1) == y).sum())
                loss_sum += loss * len(y)
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
                    f"epoch {epoch + 1}: train loss {loss_sum / seen:.4f} acc {correct / seen:.4f}"
                    f" | val loss {val['loss']:.4f} acc {val['accuracy']:.4f}"
                )
    return history
