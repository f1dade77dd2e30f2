"""What the runs routes do: check and register a run, shape records, resolve run models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.config import Settings
from app.errors import ApiError, NotFound, Unavailable
from app.runs.store import ACTIVE, FINISHED, QueueFull, RunNotFound, RunStore, valid_id
from app.runs.trainer import FINAL_NAME, checkpoint_path
from app.schemas.runs import DEFAULT_LEARNING_RATE, RunRequest
from engine.data import HOW_TO_GET, has_split, resolve_data_dir
from engine.spec import SpecError, build_spec, multiply_adds, summary

BUNDLED = "bundled"
QUEUE_RETRY_AFTER = 30  # seconds a client turned away by a full queue should wait


class TooMany(ApiError):
    """429: the queue of runs waiting for a slot is full."""

    status = 429


class BadSpec(ApiError):
    """422: the architecture cannot be built; `layer` is the 0-based index it concerns."""

    status = 422

    def __init__(self, exc: SpecError) -> None:
        super().__init__(str(exc))
        self.extra = {"layer": exc.index}


class Conflict(ApiError):
    """409: the run is not in a state that allows this."""

    status = 409


def check_architecture(body: RunRequest | dict[str, Any]) -> Any:
    """The request's layers -> a fresh Sequential; BadSpec (422) naming the layer."""
    layers = (
        body.architecture.model_dump(exclude_none=True) if isinstance(body, RunRequest) else body
    )
    try:
        return build_spec(layers)
    except SpecError as exc:
        raise BadSpec(exc) from exc


def require_mnist(settings: Settings) -> str:
    """The data folder, if it holds MNIST train and test; else 503 saying what to do."""
    directory = resolve_data_dir(settings.data)
    if not (has_split("train", directory) and has_split("test", directory)):
        raise Unavailable(
            f"training needs the MNIST training and test files in the data folder {directory}, "
            f"and they are not there: {HOW_TO_GET}"
        )
    return str(directory)


def create_run(store: RunStore, settings: Settings, body: RunRequest, slots: int) -> str:
    """Check the spec and the data, then queue the run; its id."""
    model = check_architecture(body)
    data_dir = require_mnist(settings)
    training = body.training.model_dump()
    if training["learning_rate"] is None:
        training["learning_rate"] = DEFAULT_LEARNING_RATE[training["optimizer"]]
    spec = body.architecture.model_dump(exclude_none=True)
    text = summary(model)
    try:
        return store.create(
            spec,
            training,
            data_dir,
            model.parameter_count(),
            body.name or text,
            text,
            slots=slots,
            queue_limit=settings.runs_queue,
        )
    except QueueFull as exc:
        raise TooMany(
            f"{exc.args[0]} runs are waiting for a training slot already (the limit is "
            f"{settings.runs_queue}, CONVLENS_RUNS_QUEUE); try again in a while",
            retry_after=QUEUE_RETRY_AFTER,
        ) from exc


def get_run(store: RunStore, run_id: str) -> dict[str, Any]:
    """The run, or 404 (also for anything that is not a run id)."""
    if not store.exists():
        raise NotFound(f"no run {run_id!r}; GET /api/runs lists the runs")
    try:
        return store.get(run_id)
    except RunNotFound as exc:
        raise NotFound(f"no run {run_id!r}; GET /api/runs lists the runs") from exc


def run_out(run: dict[str, Any]) -> dict[str, Any]:
    """A store record -> the Run schema's fields."""
    keys = [
        "id",
        "name",
        "status",
        "control",
        "queue_position",
        "created",
        "started",
        "finished",
        "error",
        "training",
        "parameter_count",
        "progress",
        "metrics",
        "test_accuracy",
        "summary",
    ]
    return {
        **{k: run[k] for k in keys},
        "architecture": run["spec"],
        "probes": run["probes"] or [],
    }


def control(store: RunStore, run_id: str, action: str) -> dict[str, Any]:
    """pause / resume / stop -> the run afterwards; 409 when the status does not allow it."""
    run = get_run(store, run_id)
    if action == "pause":
        ok = store.set_control(run_id, "pause", ("running",), "paused")
    elif action == "resume":
        ok = store.set_control(run_id, None, ("paused",), "running")
    elif run["status"] == "queued":
        ok = store.finish(run_id, "stopped") or store.set_control(run_id, "stop", ACTIVE)
    else:
        ok = store.set_control(run_id, "stop", ACTIVE)
    if not ok:
        status = store.get(run_id)["status"]
        raise Conflict(f"run {run_id} is {status}; it cannot be {action}d now")
    return store.get(run_id)


def delete_run(store: RunStore, run_id: str) -> None:
    """Delete a finished run and its files; 409 while it is queued or training."""
    run = get_run(store, run_id)
    if run["status"] not in FINISHED:
        raise Conflict(
            f"run {run_id} is {run['status']}: stop it first (POST /api/runs/{run_id}/stop)"
        )
    store.delete(run_id)


def weights_file(store: RunStore, run_id: str, checkpoint: int | None) -> Path:
    """The .npz of a run's final model (or of a checkpoint step); 404 listing what exists."""
    run = get_run(store, run_id)
    folder = store.run_dir(run["id"])
    if checkpoint is None:
        final = folder / FINAL_NAME
        if final.is_file():
            return final
        steps = [c["step"] for c in store.checkpoints(run_id)]
        if not steps:
            raise NotFound(f"run {run_id} has no weights yet (it is {run['status']})")
        checkpoint = steps[-1]
    path = checkpoint_path(folder, checkpoint)
    if not path.is_file():
        steps = [c["step"] for c in store.checkpoints(run_id)]
        raise NotFound(f"run {run_id} has no checkpoint at step {checkpoint}; steps: {steps}")
    return path


def resolve_weights(store: RunStore, model: str, checkpoint: int | None) -> Path:
    """`model` (a run id) and `checkpoint` -> its weights file; 404 with what exists."""
    if not valid_id(model) or not store.exists():
        raise NotFound(f"no model {model!r}; GET /api/models lists them ({BUNDLED!r} or a run id)")
    return weights_file(store, model, checkpoint)


def models(store: RunStore) -> list[dict[str, Any]]:
    """Every run with a final model (done or stopped), newest first, as ModelEntry fields."""
    if not store.exists():
        return []
    out = []
    for run in store.list():
        if run["status"] not in ("done", "stopped"):
            continue
        if not (store.run_dir(run["id"]) / FINAL_NAME).is_file():
            continue
        out.append(
            {
                "id": run["id"],
                "name": run["name"],
                "kind": "run",
                "status": run["status"],
                "summary": run["summary"],
                "parameter_count": run["parameter_count"],
                "test_accuracy": run["test_accuracy"],
                "checkpoints": [c["step"] for c in store.checkpoints(run["id"])],
            }
        )
    return out


def estimate_seconds(store: RunStore, model: Any, training: dict[str, Any]) -> float | None:
    """Training time of `model` from the latest finished run's multiply-adds per second."""
    if not store.exists():
        return None
    for run in store.list(limit=50):
        progress = run["progress"] or {}
        rate = progress.get("images_per_second")
        if run["status"] in ("done", "stopped") and rate:
            reference = build_spec(run["spec"])
            speed = rate * multiply_adds(reference)  # multiply-adds per second
            work = training["train_images"] * training["epochs"] * multiply_adds(model)
            return round(work / speed, 1)
    return None
