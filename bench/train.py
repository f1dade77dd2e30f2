"""Training throughput and single-image latency of mnist_cnn, next to PyTorch CPU when installed.

Run: python -m bench.train [--repeats N] [--quick] [--full-epoch] [--data DIR]
Prints tables; never asserts a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench.torch_net import TorchNet, load_torch
from engine.architecture import mnist_cnn
from engine.data import DataError, load_mnist, resolve_data_dir
from engine.optim import Adam
from engine.runtime import TRAIN_BLAS_THREADS, blas_threads, configure_training
from engine.shards import SHARDS, ShardedStep
from engine.train import to_input

BATCH = 64
EPOCH_IMAGES = 60_000
LR = 2e-3
WARMUP_STEPS = 10


@dataclass(frozen=True)
class Stat:
    """Median, min and max of repeated measurements of one quantity."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Stat:
        """Summarise a list of measurements."""
        return cls(statistics.median(values), min(values), max(values))

    def map(self, f: Callable[[float], float]) -> Stat:
        """Apply a monotone f; keeps low <= median <= high."""
        a, m, b = f(self.low), f(self.median), f(self.high)
        return Stat(m, min(a, b), max(a, b))


@dataclass(frozen=True)
class Figures:
    """Everything measured for one implementation."""

    images_per_s: Stat
    forward_us: Stat
    trace_us: Stat
    epoch_s: float | None  # measured with --full-epoch


@dataclass(frozen=True)
class Plan:
    """How much to measure."""

    steps: int  # training steps per measurement
    calls: int  # single-image calls per measurement
    repeats: int
    full_epoch: bool


def load_batches(data: str | None, seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """((N, 1, 28, 28) float32 images in a fixed shuffled order, (N,) int64 labels, source)."""
    directory = resolve_data_dir(data)
    rng = np.random.default_rng(seed)
    try:
        images, labels = load_mnist("train", directory, download=False)
        source = f"real MNIST training images from {directory}"
    except DataError:
        images = rng.integers(0, 256, (EPOCH_IMAGES, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, EPOCH_IMAGES, dtype=np.uint8)
        source = f"RANDOM images (no MNIST in {directory}; set CONVLENS_DATA or pass --data DIR)"
    order = rng.permutation(len(images))
    return to_input(images[order]), labels[order].astype(np.int64), source


def time_steps(step: Callable[[int], Any], first: int, count: int, n_batches: int) -> float:
    """Seconds for step(k) over batches k = first .. first + count - 1 (mod n_batches)."""
    t0 = time.perf_counter()
    for k in range(first, first + count):
        step(k % n_batches)
    return time.perf_counter() - t0


def measure_training(step: Callable[[int], Any], n_batches: int, plan: Plan) -> Stat:
    """images/s over plan.steps consecutive training steps, plan.repeats times, after a warm-up."""
    time_steps(step, 0, WARMUP_STEPS, n_batches)
    rates = []
    for r in range(plan.repeats):
        seconds = time_steps(step, WARMUP_STEPS + r * plan.steps, plan.steps, n_batches)
        rates.append(plan.steps * BATCH / seconds)
    return Stat.of(rates)


def measure_latency(fn: Callable[[], Any], plan: Plan) -> Stat:
    """Microseconds per call: the mean of plan.calls calls, plan.repeats times, after a warm-up."""
    for _ in range(max(plan.calls // 10, 3)):
        fn()
    values = []
    for _ in range(plan.repeats):
        t0 = time.perf_counter()
        for _ in range(plan.calls):
            fn()
        values.append((time.perf_counter() - t0) / plan.calls * 1e6)
    return Stat.of(values)


def epoch_seconds(step: Callable[[int], Any], n_batches: int) -> float:
    """Seconds for one pass of ceil(60,000 / 64) = 938 full batches."""
    return time_steps(step, 0, -(-EPOCH_IMAGES // BATCH), n_batches)


def numpy_step(x: np.ndarray, y: np.ndarray) -> Callable[[int], float]:
    """step(k): forward + backward + Adam on batch k of (x, y), on a fresh mnist_cnn.

    The same ShardedStep as `convlens train`: the batch in SHARDS shards, the second (and half of
    the update) in a helper process when there are two cores; it starts with the first step.
    """
    model = mnist_cnn(seed=0)
    train_step = ShardedStep(model, Adam(model, lr=LR))

    def step(k: int) -> float:
        xb, yb = x[k * BATCH : (k + 1) * BATCH], y[k * BATCH : (k + 1) * BATCH]
        return train_step(xb, yb)[0]

    return step


def measure_ours(x: np.ndarray, y: np.ndarray, plan: Plan) -> Figures:
    """The NumPy engine's figures."""
    n_batches = len(x) // BATCH
    model, one = mnist_cnn(seed=0), x[:1]
    return Figures(
        images_per_s=measure_training(numpy_step(x, y), n_batches, plan),
        forward_us=measure_latency(lambda: model.forward(one), plan),
        trace_us=measure_latency(lambda: model.trace(one), plan),
        epoch_s=epoch_seconds(numpy_step(x, y), n_batches) if plan.full_epoch else None,
    )


def measure_torch(torch: Any, x: np.ndarray, y: np.ndarray, plan: Plan) -> Figures:
    """The same network's figures in PyTorch CPU."""
    n_batches = len(x) // BATCH
    net, one = TorchNet(torch, lr=LR), x[:1]

    def fresh_step() -> Callable[[int], float]:
        fresh = TorchNet(torch, lr=LR)
        return lambda k: fresh.step(x, y, k, BATCH)

    return Figures(
        images_per_s=measure_training(lambda k: net.step(x, y, k, BATCH), n_batches, plan),
        forward_us=measure_latency(lambda: net.forward(one), plan),
        trace_us=measure_latency(lambda: net.trace(one), plan),
        epoch_s=epoch_seconds(fresh_step(), n_batches) if plan.full_epoch else None,
    )


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    """Plain-text table: first column left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([cells[0].ljust(widths[0]), *rest])

    print(title)
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    print()


def cells(s: Stat, digits: int) -> list[str]:
    """[median, min, max] with thousands separators."""
    return [f"{v:,.{digits}f}" for v in (s.median, s.low, s.high)]


def row(
    label: str, ours: Stat, theirs: Stat | None, digits: int, higher_is_faster: bool = False
) -> list[str]:
    """label, ours median/min/max, then torch's and ours/torch (time ratio) when measured."""
    if theirs is None:
        return [label, *cells(ours, digits)]
    ratio = theirs.median / ours.median if higher_is_faster else ours.median / theirs.median
    return [label, *cells(ours, digits), *cells(theirs, digits), f"{ratio:.2f}x"]


def report(ours: Figures, theirs: Figures | None, plan: Plan) -> None:
    """Print tables (a) training and (b) latency, with the torch columns (c) when measured."""
    header = ["", "ours", "min", "max"]
    if theirs is not None:
        header += ["torch", "min", "max", "ours/torch"]

    def epoch(f: Figures) -> Stat:
        return f.images_per_s.map(lambda rate: EPOCH_IMAGES / rate)

    training = [
        row("images/s", ours.images_per_s, theirs and theirs.images_per_s, 0, True),
        row("epoch of 60,000, projected (s)", epoch(ours), theirs and epoch(theirs), 1),
    ]
    if ours.epoch_s is not None:
        once = Stat(ours.epoch_s, ours.epoch_s, ours.epoch_s)
        t = theirs.epoch_s if theirs else None
        training.append(row("epoch of 60,000, measured (s)", once, t and Stat(t, t, t), 1))
    print_table(
        f"(a) training, batch {BATCH}: forward + backward + Adam step "
        f"({plan.steps} steps per measurement, no augmentation)",
        header,
        training,
    )
    print_table(
        f"(b) one (1, 1, 28, 28) image, microseconds per call "
        f"(mean of {plan.calls} calls per measurement)",
        header,
        [
            row("model.forward", ours.forward_us, theirs and theirs.forward_us, 1),
            row(
                "model.trace (every layer + softmax)", ours.trace_us, theirs and theirs.trace_us, 1
            ),
        ],
    )
    if theirs is not None:
        print("ours/torch: how many times longer ours takes (above 1: slower than PyTorch)")


def main(argv: list[str] | None = None) -> int:
    """Measure, then print the tables."""
    p = argparse.ArgumentParser(prog="python -m bench.train", description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=7, help="measurements per figure (default 7)")
    p.add_argument("--quick", action="store_true", help="fewer steps and calls per measurement")
    p.add_argument("--full-epoch", action="store_true", help="also time one whole epoch each")
    p.add_argument("--data", help="MNIST directory (default: $CONVLENS_DATA, then the cache)")
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    steps, calls = (10, 100) if args.quick else (40, 400)
    plan = Plan(steps, calls, args.repeats, args.full_epoch)
    cores = os.cpu_count() or 1
    configure_training()  # what `convlens train` does: BLAS threads, glibc heap
    load_before = os.getloadavg()[0]

    x, y, source = load_batches(args.data)
    ours = measure_ours(x, y, plan)
    torch = load_torch(cores)
    theirs = measure_torch(torch, x, y, plan) if torch is not None else None

    print(f"bench.train: mnist_cnn ({mnist_cnn().parameter_count():,} parameters)")
    print(
        f"machine: {cores} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"NumPy {np.__version__}; 1-min load average {load_before:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after (anything else running makes the numbers noise)"
    )
    print(
        f"settings of `convlens train`: {blas_threads()} BLAS thread(s) "
        f"(TRAIN_BLAS_THREADS={TRAIN_BLAS_THREADS}), batch in {SHARDS} shards in "
        f"{min(SHARDS, cores)} process(es) (engine/shards.py), glibc heap kept (engine/runtime.py)"
    )
    print(f"data: {source}")
    if torch is None:
        print(
            "(c) PyTorch comparison skipped: `import torch` failed. Install the bench extra "
            "into this environment: pip install -e '.[bench]'  (torch==2.13.0)"
        )
    else:
        print(
            f"(c) PyTorch {torch.__version__}, CPU, torch.set_num_threads({cores}) to match the "
            "cores; same layers, batch, Adam and batches (PyTorch's default init)"
        )
    print(f"each figure: median, min and max of {plan.repeats} measurements\n")
    report(ours, theirs, plan)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
