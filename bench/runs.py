"""Training runs benchmark: what live events and checkpoints cost, and what a run costs the server.

    python -m bench.runs                     # defaults: 3 repeats, 10,000 images, tiny + bundled nets
    python -m bench.runs --repeats 5 --images 20000

1. images/s of engine.train() alone vs with the trainer's live reporting (progress events every
   0.2 s, checkpoints with kernels and probe readings, SQLite writes, .npz files): target <= 10 %.
2. Through a real `convlens serve` on 127.0.0.1 (its own runs folder): seconds from POST
   /api/runs to the first SSE event (target <= 1 s), events per second while a run trains, and
   POST /api/predict p50 idle vs while a run trains (target <= 2x).
Prints a table of medians; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np

from app.runs.store import RunStore
from app.runs.trainer import VALIDATION_IMAGES, Reporter, cached_split
from bench.http import HOST, REPO, free_port, server_command, stop, wait_healthy
from engine.architecture import mnist_cnn
from engine.data import resolve_data_dir
from engine.runtime import configure_training
from engine.snapshot import probe_indices
from engine.spec import build_spec, spec_of
from engine.train import TrainConfig, to_input, train, training_subset

TINY = [
    {"kind": "conv2d", "hyperparameters": {"out_channels": 4, "kernel_size": 5}},
    {"kind": "relu"},
    {"kind": "maxpool2d", "hyperparameters": {"size": 2}},
    {"kind": "flatten"},
    {"kind": "dense", "hyperparameters": {"out_features": 10}},
]
NETS = {"tiny": {"layers": TINY}, "bundled": spec_of(mnist_cnn())}


def engine_rate(spec: dict, images: int, data: str, live: bool, folder: Path) -> float:
    """images/s of one epoch of train(), with the trainer's Reporter as callback or without."""
    test_x, test_y = cached_split(folder / "cache", data, "test")
    train_x, train_y = cached_split(folder / "cache", data, "train")
    chosen = training_subset(len(train_x), images, 0)
    x, y = train_x[chosen][:, None], train_y[chosen]  # uint8, as the trainer passes them
    validation = (to_input(test_x[:VALIDATION_IMAGES]), test_y[:VALIDATION_IMAGES])
    model = build_spec(spec)
    callback = None
    if live:
        store = RunStore(folder / "runs")
        training = {"train_images": images, "epochs": 1}
        run_id = store.create(spec, training, data, 0, "bench", "bench", 1, 1)
        store.update(run_id, status="running")
        callback = Reporter(
            store, run_id, store.run_dir(run_id), to_input(test_x[probe_indices(test_y)])
        )
    config = TrainConfig(epochs=1, batch_size=64, lr=0.002, augment=False)
    start = time.perf_counter()
    train(model, x, y, config, progress=False, callback=callback, validation=validation)
    return images / (time.perf_counter() - start)


@contextlib.contextmanager
def server(runs: Path, data: str) -> Iterator[str]:
    """A `convlens serve` (1 worker) on 127.0.0.1 with its own runs folder; its base URL."""
    port = free_port()
    env = {**os.environ, "CONVLENS_RUNS": str(runs), "CONVLENS_DATA": data}
    env["CONVLENS_DOWNLOAD"] = "false"
    proc = subprocess.Popen(server_command(port, 1), cwd=REPO, env=env, start_new_session=True)
    base = f"http://{HOST}:{port}"
    try:
        wait_healthy(base, proc)
        yield base
    finally:
        stop(proc)


def first_event(http: httpx.Client, body: dict) -> tuple[float, str]:
    """Seconds from POST /api/runs to the first SSE event; the run id."""
    start = time.perf_counter()
    run_id = http.post("/api/runs", json=body).json()["id"]
    with http.stream("GET", f"/api/runs/{run_id}/events") as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                return time.perf_counter() - start, run_id
    raise RuntimeError("the stream ended without an event")


def stream_rate(http: httpx.Client, body: dict) -> tuple[float, str]:
    """Events per second of a whole run's stream, first event to end event."""
    run_id = http.post("/api/runs", json=body).json()["id"]
    times = []
    with http.stream("GET", f"/api/runs/{run_id}/events") as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                times.append(time.perf_counter())
    return (len(times) - 1) / (times[-1] - times[0]), run_id


def predict_p50(http: httpx.Client, body: dict, count: int) -> float:
    """Median ms of `count` sequential POST /api/predict."""
    times = []
    for _ in range(count):
        start = time.perf_counter()
        assert http.post("/api/predict", json=body).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--data", help="MNIST folder (default: $CONVLENS_DATA or the cache)")
    parser.add_argument("--predicts", type=int, default=200)
    args = parser.parse_args(argv)
    data = str(resolve_data_dir(args.data))
    configure_training()
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="convlens-bench-runs-") as tmp:
        folder = Path(tmp)
        for name, spec in NETS.items():
            plain, live = [], []
            for _ in range(args.repeats):  # interleaved: the machine's load drifts alike
                plain.append(engine_rate(spec, args.images, data, False, folder))
                live.append(engine_rate(spec, args.images, data, True, folder))
            p, q = statistics.median(plain), statistics.median(live)
            rows.append(
                (
                    f"{name}: images/s plain -> live",
                    f"{p:.0f} -> {q:.0f}",
                    f"{(1 - q / p) * 100:+.1f} % slower (target <= 10 %)",
                )
            )
        quick = {"architecture": {"layers": TINY}, "training": {"train_images": 1000}}
        longer = {"architecture": {"layers": TINY}, "training": {"train_images": args.images}}
        pixels = np.zeros((28, 28), dtype=int)
        pixels[5:23, 13:15] = 255
        predict_body = {"pixels": pixels.tolist(), "layers": "all"}
        with (
            server(folder / "served", data) as base,
            httpx.Client(base_url=base, timeout=120) as http,
        ):
            waits = []
            for _ in range(args.repeats + 2):
                seconds, run_id = first_event(http, quick)
                waits.append(seconds)
                wait_end(http, run_id)
            rows.append(
                (
                    "POST -> first event (s)",
                    f"{statistics.median(waits):.2f}",
                    f"min {min(waits):.2f}, max {max(waits):.2f} (target <= 1 s)",
                )
            )
            rates = []
            for _ in range(args.repeats):
                rate, run_id = stream_rate(http, longer)
                rates.append(rate)
            rows.append(
                (
                    "events per second (one run)",
                    f"{statistics.median(rates):.1f}",
                    "progress every 0.2 s + checkpoints",
                )
            )
            idle = [predict_p50(http, predict_body, args.predicts) for _ in range(args.repeats)]
            busy = []
            for _ in range(args.repeats):
                long_body = {
                    "architecture": NETS["bundled"],
                    "training": {"train_images": 60000, "epochs": 5},
                }
                run_id = http.post("/api/runs", json=long_body).json()["id"]
                wait_progress(http, run_id)
                busy.append(predict_p50(http, predict_body, args.predicts))
                http.post(f"/api/runs/{run_id}/stop")
                wait_end(http, run_id)
            i, b = statistics.median(idle), statistics.median(busy)
            rows.append(
                (
                    "/api/predict p50 idle -> training (ms)",
                    f"{i:.1f} -> {b:.1f}",
                    f"x{b / i:.2f} (target <= 2x)",
                )
            )
    load = os.getloadavg()[0]
    print(
        f"\nbench.runs: {args.repeats} repeats, {args.images} images, load average {load:.2f}, {os.cpu_count()} cores"
    )
    width = max(len(r[0]) for r in rows)
    for label, value, note in rows:
        print(f"  {label:<{width}}  {value:>16}  {note}")
    return 0


def wait_end(http: httpx.Client, run_id: str, timeout: float = 600) -> None:
    """Until the run has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if http.get(f"/api/runs/{run_id}").json()["status"] in ("done", "stopped", "failed"):
            return
        time.sleep(0.1)
    raise RuntimeError(f"run {run_id} did not finish within {timeout} s")


def wait_progress(http: httpx.Client, run_id: str, timeout: float = 120) -> None:
    """Until the run has done a few steps."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = http.get(f"/api/runs/{run_id}").json()["progress"]
        if progress and progress["step"] > 2:
            return
        time.sleep(0.1)
    raise RuntimeError(f"run {run_id} did not start within {timeout} s")


if __name__ == "__main__":
    raise SystemExit(main())
