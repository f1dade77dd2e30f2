"""Synthetic drawn digits for training: the stroke styles drawn by training writers, rendered like
the page's canvas and preprocessed like /api/predict's input, cached on disk as uint8 28 x 28s.

Training writers are the seed stream TRAINING_SEED_BASE + the run's seed, never one of the seeds
reserved for evaluation and tuning (engine/strokes/sets.py refuses those).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from engine.data import resolve_data_dir
from engine.filelock import exclusive
from engine.preprocess import preprocess
from engine.strokes.sets import RESERVED_SEEDS, Drawing, non_digit_drawings, training_digits

TRAINING_SEED_BASE = 5000  # training writers: seed 5000 + the run's --seed
_SOURCES = ("digits.py", "geometry.py", "jitter.py", "nondigits.py", "render.py", "sets.py")


def training_seed(run_seed: int) -> int:
    """The stroke seed of a training run; ValueError when it would hit a reserved seed."""
    seed = TRAINING_SEED_BASE + int(run_seed)
    if seed in RESERVED_SEEDS:
        raise ValueError(f"run seed {run_seed} maps onto reserved stroke seed {seed}: pick another")
    return seed


def generator_version() -> str:
    """12 hex digits of the SHA-256 of the code that draws and preprocesses (the cache key)."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for name in _SOURCES:
        h.update((here / name).read_bytes())
    h.update((here.parent / "preprocess.py").read_bytes())
    return h.hexdigest()[:12]


def to_network_image(drawing: Drawing) -> np.ndarray:
    """A drawing -> (28, 28) uint8: rendered like the canvas, preprocessed like the API's input."""
    return np.rint(preprocess(drawing.image()) * 255).astype(np.uint8)


def render_training_digits(
    seed: int, per_digit: int, start: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(10 * per_digit, 28, 28) uint8 images and (N,) uint8 labels of the seed's drawings."""
    images, labels = [], []
    for drawing in training_digits(seed, per_digit, start):
        images.append(to_network_image(drawing))
        labels.append(drawing.label)
    return np.stack(images), np.array(labels, dtype=np.uint8)


def render_training_non_digits(seed: int, per_kind: int) -> tuple[np.ndarray, np.ndarray]:
    """(kinds * per_kind, 28, 28) uint8 non-digits of the seed, labelled NON_DIGIT_LABEL (int8)."""
    if seed in RESERVED_SEEDS:
        raise ValueError(f"seed {seed} is reserved for evaluation or tuning: train on another")
    images, labels = [], []
    for drawing in non_digit_drawings(seed, per_kind):
        images.append(to_network_image(drawing))
        labels.append(drawing.label)
    return np.stack(images), np.array(labels, dtype=np.int8)


def cache_path(name: str, data_dir: str | Path | None) -> Path:
    """<MNIST folder>/../drawn/<name>-<generator version>.npz."""
    return resolve_data_dir(data_dir).parent / "drawn" / f"{name}-{generator_version()}.npz"


def _cached(
    name: str, data_dir: str | Path | None, make: Callable[[], tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """make() -> (images, labels), read from the disk cache when it was made before."""
    path = cache_path(name, data_dir)
    if path.is_file():
        with np.load(path, allow_pickle=False) as stored:
            return stored["images"], stored["labels"]
    images, labels = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    with exclusive(path.with_suffix(".lock")):
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, images=images, labels=labels)
        tmp.replace(path)
    return images, labels


def synthetic_digits(
    seed: int, per_digit: int, start: int = 0, data_dir: str | Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """render_training_digits, cached on disk."""
    return _cached(
        f"digits-{seed}-{start}-{per_digit}",
        data_dir,
        lambda: render_training_digits(seed, per_digit, start),
    )


def synthetic_non_digits(
    seed: int, per_kind: int, data_dir: str | Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """render_training_non_digits, cached on disk."""
    return _cached(
        f"non-digits-{seed}-{per_kind}",
        data_dir,
        lambda: render_training_non_digits(seed, per_kind),
    )
