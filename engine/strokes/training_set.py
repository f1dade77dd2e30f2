"""Synthetic drawn digits for training: the stroke styles drawn by training writers, rendered like
the page's canvas and preprocessed like /api/predict's input, cached on disk as uint8 28 x 28s.

Training writers are the seed stream TRAINING_SEED_BASE + the run's seed, never one of the seeds
reserved for evaluation and tuning (engine/strokes/sets.py refuses those).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from engine.data import resolve_data_dir
from engine.filelock import exclusive
from engine.preprocess import preprocess
from engine.strokes.sets import RESERVED_SEEDS, Drawing, training_digits

TRAINING_SEED_BASE = 5000  # training writers: seed 5000 + the run's --seed
_SOURCES = ("digits.py", "geometry.py", "jitter.py", "render.py", "sets.py", "training_set.py")


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


def cache_path(seed: int, per_digit: int, start: int, data_dir: str | Path | None) -> Path:
    """<MNIST folder>/../drawn/train-<seed>-<start>-<per_digit>-<generator version>.npz."""
    name = f"train-{seed}-{start}-{per_digit}-{generator_version()}.npz"
    return resolve_data_dir(data_dir).parent / "drawn" / name


def synthetic_digits(
    seed: int, per_digit: int, start: int = 0, data_dir: str | Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """render_training_digits, read from the disk cache when it was rendered before."""
    path = cache_path(seed, per_digit, start, data_dir)
    if path.is_file():
        with np.load(path, allow_pickle=False) as stored:
            return stored["images"], stored["labels"]
    images, labels = render_training_digits(seed, per_digit, start)
    path.parent.mkdir(parents=True, exist_ok=True)
    with exclusive(path.with_suffix(".lock")):
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, images=images, labels=labels)
        tmp.replace(path)
    return images, labels
