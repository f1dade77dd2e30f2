"""`python -m app.runs.trainer <runs dir> <run id> <data dir>`: train one run in its own process.

It writes progress and checkpoint events to the run store, saves checkpoints as .npz in
<runs>/<id>/, heartbeats, and obeys the pause/stop flag set in the database. It imports no
FastAPI: the numerics are the engine's (engine.train, engine.spec, engine.snapshot).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from app.runs.store import RESTARTED, RunStore
from engine.data import load_mnist
from engine.model import Sequential
from engine.runtime import configure_training
from engine.serialize import save_model
from engine.snapshot import probe_indices, snapshot
from engine.spec import build_spec, spec_of
from engine.train import (
    StopTraining,
    TrainConfig,
    TrainStep,
    evaluate,
    to_input,
    train,
    training_subset,
)

PROGRESS_EVERY = 0.2  # seconds between progress events
CONTROL_EVERY = 0.1  # seconds between reads of the pause/stop flag
HEARTBEAT_EVERY = 1.0  # seconds between heartbeats (from a thread: long steps do not delay it)
VALIDATION_IMAGES = 500  # the first MNIST test digits: every run's validation set (evaluated
# at each checkpoint: 1,000 cost a 10,000-image run ~25 % of its speed, 500 about half that)
FINAL_NAME = "model.npz"


def checkpoint_path(folder: Path, step: int) -> Path:
    """<run folder>/checkpoints/step-000123.npz."""
    return folder / "checkpoints" / f"step-{step:06d}.npz"


def cached_split(cache: Path, data_dir: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """MNIST `split` from a decoded .npy copy in `cache` (made on first use; far quicker to
    read than the .gz files), keyed by the data folder's files' sizes and times."""
    files = sorted(Path(data_dir).glob("*-ubyte*"))
    key = repr([(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files])
    stamp = hashlib.sha256(key.encode()).hexdigest()[:12]
    images_file, labels_file = (cache / f"{split}-{stamp}-{k}.npy" for k in ("x", "y"))
    if images_file.is_file() and labels_file.is_file():
        return np.load(images_file), np.load(labels_file)
    images, labels = load_mnist(split, data_dir, download=False)
    cache.mkdir(parents=True, exist_ok=True)
    for path, array in ((images_file, images), (labels_file, labels)):
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, array)
        tmp.replace(path)
    return images, labels


class Reporter:
    """The train() callback: events, checkpoints, heartbeats, pause and stop."""

    def __init__(self, store: RunStore, run_id: str, folder: Path, probes: np.ndarray) -> None:
        self.store, self.run_id, self.folder, self.probes = store, run_id, folder, probes
        self.started = time.perf_counter()
        self.last_event = self.last_control = 0.0
        self.latest: dict[str, Any] = {}
        self.last_step: TrainStep | None = None
        self.saved_step = -1  # the step of the last checkpoint written

    def progress(self, s: TrainStep) -> dict[str, Any]:
        """The fields every event of this step carries."""
        elapsed = time.perf_counter() - self.started
        return {
            "step": s.step,
            "total_steps": s.total_steps,
            "epoch": s.epoch,
            "images_seen": s.images_seen,
            "loss": s.loss,
            "accuracy": s.accuracy,
            "learning_rate": s.learning_rate,
            "elapsed": round(elapsed, 3),
            "images_per_second": round(s.images_seen / elapsed, 1) if elapsed > 0 else None,
        }

    def __call__(self, model: Sequential, s: TrainStep) -> None:
        self.last_step = s
        now = time.perf_counter()
        if now - self.last_control >= CONTROL_EVERY:
            self.obey(s)
            self.last_control = time.perf_counter()
        if s.checkpoint:
            self.checkpoint(model, s)
        elif now - self.last_event >= PROGRESS_EVERY:
            self.emit({"type": "progress", "status": "running", **self.progress(s)})

    def emit(self, event: dict[str, Any], **fields: Any) -> None:
        """Append an event; the run's progress columns and heartbeat follow it."""
        progress = {k: v for k, v in event.items() if k in PROGRESS_FIELDS}
        self.latest = progress
        self.store.append(self.run_id, event, progress=progress, heartbeat=time.time(), **fields)
        self.last_event = time.perf_counter()

    def obey(self, s: TrainStep) -> None:
        """Raise StopTraining on a stop flag; block while paused."""
        paused_at: float | None = None
        while True:
            control = self.store.get(self.run_id)["control"]
            if control == "stop":
                raise StopTraining
            if control != "pause":
                if paused_at is not None:
                    self.started += time.perf_counter() - paused_at  # the rate omits the pause
                    self.emit({"type": "progress", "status": "running", **self.progress(s)})
                return
            if paused_at is None:
                paused_at = time.perf_counter()
                self.emit({"type": "progress", "status": "paused", **self.progress(s)})
            time.sleep(CONTROL_EVERY)

    def checkpoint(self, model: Sequential, s: TrainStep) -> None:
        """Save the weights, record the checkpoint, and send its event (kernels, probes)."""
        val = s.validation or {}
        row = {
            **self.progress(s),
            "validation_loss": val["loss"],
            "validation_accuracy": val["accuracy"],
        }
        if s.step == 0:  # nothing trained yet: the training figures are the validation ones
            row["loss"], row["accuracy"] = val["loss"], val["accuracy"]
        save_model(model, checkpoint_path(self.folder, s.step), {"run": self.run_id, **row})
        self.saved_step = s.step
        self.store.add_checkpoint(self.run_id, row)
        event = {
            "type": "checkpoint",
            "status": "running",
            **row,
            "epoch_end": s.epoch_end,
            **snapshot(model, self.probes),
        }
        if s.epoch_end:
            event["confusion_matrix"] = val["confusion_matrix"]
        self.emit(event, metrics=row)


PROGRESS_FIELDS = (
    "step",
    "total_steps",
    "epoch",
    "images_seen",
    "loss",
    "accuracy",
    "learning_rate",
    "elapsed",
    "images_per_second",
    "validation_loss",
    "validation_accuracy",
)


def heartbeat(store: RunStore, run_id: str, parent: int) -> None:
    """Every HEARTBEAT_EVERY s: say this trainer lives; if the server that started it has gone,
    fail the run ("server restarted") and end this process."""
    while True:
        time.sleep(HEARTBEAT_EVERY)
        if os.getppid() != parent:
            store.finish(run_id, "failed", RESTARTED)
            os._exit(1)
        store.update(run_id, heartbeat=time.time())


def config_of(training: dict[str, Any]) -> TrainConfig:
    """The API's training settings -> the engine's TrainConfig."""
    return TrainConfig(
        epochs=training["epochs"],
        batch_size=training["batch_size"],
        lr=training["learning_rate"],
        seed=training["seed"],
        augment=training["augment"],
        optimizer=training["optimizer"],
    )


def run_training(store: RunStore, run_id: str, data_dir: str) -> None:
    """Train run `run_id` to its end (done, stopped or failed), reporting through the store."""
    run = store.get(run_id)
    training = run["training"]
    folder = store.run_dir(run_id)
    seed = training["seed"]
    model = build_spec(run["spec"], seed=seed)
    cache = store.root / "cache"
    test_x, test_y = cached_split(cache, data_dir, "test")
    validation = (to_input(test_x[:VALIDATION_IMAGES]), test_y[:VALIDATION_IMAGES])
    chosen_probes = probe_indices(test_y)
    store.update(run_id, probes=chosen_probes.tolist())
    probes = to_input(test_x[chosen_probes])
    train_x, train_y = cached_split(cache, data_dir, "train")
    chosen = training_subset(len(train_x), training["train_images"], seed)
    reporter = Reporter(store, run_id, folder, probes)
    history = train(
        model,
        train_x[chosen][:, None],  # uint8, converted batch by batch
        train_y[chosen],
        config_of(training),
        progress=False,
        callback=reporter,
        validation=validation,
    )
    last = reporter.last_step
    if history.stopped and last is not None and last.step != reporter.saved_step:
        val = evaluate(model, *validation)
        reporter.checkpoint(model, dataclasses.replace(last, checkpoint=True, validation=val))
    result = evaluate(model, to_input(test_x), test_y)
    metadata = {
        "run": run_id,
        "name": run["name"],
        "dataset": "MNIST",
        "test_accuracy": result["accuracy"],
        "test_loss": result["loss"],
        "per_class_accuracy": result["per_class_accuracy"],
        "confusion_matrix": result["confusion_matrix"],
        "training": training,
        "history": {k: v for k, v in vars(history).items() if k != "stopped"},
        "architecture": spec_of(model),
        **{k: reporter.latest.get(k) for k in ("step", "images_seen")},
    }
    save_model(model, folder / FINAL_NAME, metadata)
    status = "stopped" if history.stopped else "done"
    store.finish(
        run_id,
        status,
        event={**reporter.latest, "test_accuracy": result["accuracy"]},
        test_accuracy=result["accuracy"],
    )


def main(argv: list[str]) -> int:
    """Entry point: train, and turn any failure into a `failed` run with its reason."""
    runs_dir, run_id, data_dir = argv
    store = RunStore(Path(runs_dir))
    store.update(run_id, pid=os.getpid(), heartbeat=time.time())
    beat = threading.Thread(target=heartbeat, args=(store, run_id, os.getppid()), daemon=True)
    beat.start()
    configure_training()
    try:
        run_training(store, run_id, data_dir)
    except Exception as exc:  # noqa: BLE001 - reported to the client as the run's error
        store.finish(run_id, "failed", f"training failed: {type(exc).__name__}: {exc}")
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
