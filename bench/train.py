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
    epoch_s: Stat | None  # measured with --full-epoch


@dataclass(frozen=True)
class Plan:
    """How much to measure."""

    steps: int  # training steps per measurement
    calls: int  # single-image calls per measurement
    repeats: int
    epochs: int  # whole epochs measured each (0 without --full-epoch)


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


def epoch_seconds(step: Callable[[int], Any], n_batches: int) -> float:
    """Seconds for one pass of ceil(60,000 / 64) = 938 full batches."""
    return time_steps(step, 0, -(-EPOCH_IMAGES // BATCH), n_batches)


def numpy_step(x: np.ndarray, y: np.ndarray) -> Callable[[int], float]:
    """step(k): forward + backward + Adam on batch k of (x, y), on a fresh mnist_cnn.

    The same ShardedStep as `convlens train`: the batch in SHARDS shards, the second (and half of
    the update) in a helper process when there are two cores; it starts with the first step.
    """
    model = mnist_cnn(seed=0)
    train_step = ShardedStep(model, Adam(model, lr=LR), batch_size=BATCH)

    def step(k: int) -> float:
        xb, yb = x[k * BATCH : (k + 1) * BATCH], y[k * BATCH : (k + 1) * BATCH]
        return train_step(xb, yb)[0]

    return step


@dataclass(frozen=True)
class Contender:
    """One implementation: a fresh network's step(k) on batch k, and one image's forward/trace."""

    fresh_step: Callable[[], Callable[[int], float]]
    forward: Callable[[], Any]
    trace: Callable[[], Any]


def numpy_contender(x: np.ndarray, y: np.ndarray) -> Contender:
    """The NumPy engine."""
    model, one = mnist_cnn(seed=0), x[:1]
    return Contender(lambda: numpy_step(x, y), lambda: model.forward(one), lambda: model.trace(one))


def torch_contender(torch: Any, x: np.ndarray, y: np.ndarray) -> Contender:
    """The same network in PyTorch CPU."""
    net, one = TorchNet(torch, lr=LR), x[:1]

    def fresh_step() -> Callable[[int], float]:
        fresh = TorchNet(torch, lr=LR)
        return lambda k: fresh.step(x, y, k, BATCH)

    return Contender(fresh_step, lambda: net.forward(one), lambda: net.trace(one))


SETTLE_S = 0.3  # pause before each measurement: PyTorch's OpenMP threads spin ~0.2 s after work


def measure(contenders: list[Contender], n_batches: int, plan: Plan) -> list[Figures]:
    """Every figure of every contender, their measurements interleaved (A, B, A, B, ...) so that
    a machine that speeds up or slows down during the run moves both sides alike."""

    def interleaved(measure_one: Callable[[int, int], float], rounds: int) -> list[Stat]:
        values: list[list[float]] = [[] for _ in contenders]
        for r in range(rounds):
            for i in range(len(contenders)):
                time.sleep(SETTLE_S)
                values[i].append(measure_one(i, r))
        return [Stat.of(v) for v in values]

    steps = [c.fresh_step() for c in contenders]
    for step in steps:
        time_steps(step, 0, WARMUP_STEPS, n_batches)

    def rate(i: int, r: int) -> float:
        seconds = time_steps(steps[i], WARMUP_STEPS + r * plan.steps, plan.steps, n_batches)
        return plan.steps * BATCH / seconds

    def latency(fn: Callable[[], Any]) -> float:
        for _ in range(max(plan.calls // 10, 3)):
            fn()
        t0 = time.perf_counter()
        for _ in range(plan.calls):
            fn()
        return (time.perf_counter() - t0) / plan.calls * 1e6

    rates = interleaved(rate, plan.repeats)
    steps.clear()  # the ShardedSteps go, and their helper processes end
    forwards = interleaved(lambda i, r: latency(contenders[i].forward), plan.repeats)
    traces = interleaved(lambda i, r: latency(contenders[i].trace), plan.repeats)
    epochs = (
        interleaved(lambda i, r: epoch_seconds(contenders[i].fresh_step(), n_batches), plan.epochs)
        if plan.epochs
        else [None] * len(contenders)
    )
    return [Figures(*f) for f in zip(rates, forwards, traces, epochs, strict=True)]


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
        training.append(
            row("epoch of 60,000, measured (s)", ours.epoch_s, theirs and theirs.epoch_s, 1)
        )
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
    p.add_argument(
        "--full-epoch",
        action="store_true",
        help="also time whole epochs, interleaved (--epochs of each)",
    )
    p.add_argument("--epochs", type=int, default=3, help="with --full-epoch: epochs each")
    p.add_argument("--data", help="MNIST directory (default: $CONVLENS_DATA, then the cache)")
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    steps, calls = (10, 100) if args.quick else (40, 400)
    plan = Plan(steps, calls, args.repeats, args.epochs if args.full_epoch else 0)
    cores = os.cpu_count() or 1
    configure_training()  # what `convlens train` does: BLAS threads, glibc heap
    load_before = os.getloadavg()[0]

    x, y, source = load_batches(args.data)
    torch = load_torch(cores)
    contenders = [numpy_contender(x, y)]
    if torch is not None:
        contenders.append(torch_contender(torch, x, y))
    figures = measure(contenders, len(x) // BATCH, plan)

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
    epochs = f"; measured epochs: {plan.epochs} each" if plan.epochs else ""
    print(
        f"each figure: median, min and max of {plan.repeats} measurements{epochs}, "
        "the two sides' measurements interleaved\n"
    )
    report(figures[0], figures[1] if len(figures) > 1 else None, plan)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
