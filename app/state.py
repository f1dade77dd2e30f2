"""Process state: the model loaded at startup, and the caches built on first use (one lock style).

create_app() puts the settings on app.state; its lifespan adds an AppState (app.state.convlens).
Every cache lives here, per app: two apps in one process (tests) never share one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from app.config import Settings, runs_dir
from app.runs.store import RunStore
from app.runs.supervisor import Supervisor, default_slots
from engine.atlas import KernelPatches
from engine.model import Sequential
from engine.serialize import ModelFileError, load_model, model_version

T = TypeVar("T")


class StartupError(RuntimeError):
    """The app cannot start (the message names the file and what to do)."""


@dataclass(frozen=True)
class LoadedModel:
    """The model (read-only after loading), its training metadata and a version id."""

    model: Sequential
    metadata: dict[str, Any]
    version: str


def load(weights: Path) -> LoadedModel:
    """Read the weights file (and its JSON) -> LoadedModel; StartupError saying what to do."""
    try:
        model, metadata = load_model(weights)
    except ModelFileError as exc:
        raise StartupError(
            f"ConvLens cannot start: {str(exc).rstrip('.')}. Restore {weights} (the bundled weights ship with "
            "ConvLens), or set CONVLENS_WEIGHTS to a model saved by `convlens train`."
        ) from exc
    return LoadedModel(model, metadata, model_version(weights))


def load_run_model(weights: Path) -> LoadedModel:
    """A training run's saved model (final or a checkpoint) -> LoadedModel."""
    model, metadata = load_model(weights)
    return LoadedModel(model, metadata, model_version(weights))


class Lazy(Generic[T]):
    """Values built on first use, one per key, under one lock; a failed build is not kept."""

    def __init__(self, max_entries: int = 4) -> None:
        self._lock = threading.Lock()
        self._values: dict[Hashable, T] = {}
        self._max = max_entries

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value for `key`, calling build() the first time (others wait meanwhile)."""
        with self._lock:
            if key not in self._values:
                value = build()
                if len(self._values) >= self._max:
                    self._values.pop(next(iter(self._values)))  # the oldest
                self._values[key] = value
            return self._values[key]


class Pending(Exception):
    """The value is being built in the background; ask again later."""


@dataclass
class _Job:
    """One background build: done once it has finished, with `error` if it failed."""

    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class Background(Generic[T]):
    """Values built by one background thread per key, however many requests ask meanwhile.

    get() either returns the value, raises Pending while the build runs (block=False), or waits
    for it (block=True). A failed build is reported once to the next caller that does not wait
    (callers that wait get a fresh attempt), then retried.
    """

    def __init__(self, max_entries: int = 4) -> None:
        self._lock = threading.Lock()
        self._values: dict[Hashable, T] = {}
        self._jobs: dict[Hashable, _Job] = {}
        self._max = max_entries

    def get(self, key: Hashable, build: Callable[[], T], block: bool = False) -> T:
        """The value for `key`; starts build() in a thread the first time (see the class)."""
        with self._lock:
            if key in self._values:
                return self._values[key]
            job = self._jobs.get(key)
            if job is not None and job.done.is_set():  # it failed
                del self._jobs[key]
                if not block:  # report it to this caller; the next one tries again
                    raise job.error  # type: ignore[misc]
                job = None  # a caller who waits anyway waits for a fresh attempt
            if job is None:
                job = self._jobs[key] = _Job()
                name = f"convlens-build-{key}"
                threading.Thread(
                    target=self._run, args=(key, job, build), name=name, daemon=True
                ).start()
        if not block:
            raise Pending(key)
        job.done.wait()
        with self._lock:
            if key in self._values:
                return self._values[key]
            if self._jobs.get(key) is job:
                del self._jobs[key]
        raise job.error  # type: ignore[misc]

    def _run(self, key: Hashable, job: _Job, build: Callable[[], T]) -> None:
        try:
            value = build()
        except BaseException as exc:  # noqa: BLE001 - handed to the next caller
            job.error = exc
        else:
            with self._lock:
                if len(self._values) >= self._max:
                    self._values.pop(next(iter(self._values)))  # the oldest
                self._values[key] = value
                del self._jobs[key]
        finally:
            job.done.set()


@dataclass
class AppState:
    """What the app holds for its lifetime: the model, and lazily the data derived from files."""

    loaded: LoadedModel
    supervisor: Supervisor  # the runs: their store, and this worker's trainers
    run_models: Lazy[LoadedModel] = field(default_factory=lambda: Lazy(16))  # by weights path
    test_set: Background[tuple[np.ndarray, np.ndarray]] = field(
        default_factory=Background
    )  # by data dir; downloaded in the background
    predictions: Lazy[np.ndarray] = field(default_factory=Lazy)  # by (model version, data dir)
    atlas: Lazy[dict[str, list[KernelPatches]]] = field(default_factory=Lazy)  # by file version
    atlas_files: Background[Path] = field(default_factory=Background)  # by atlas path; computed


def start(settings: Settings) -> AppState:
    """The state of a starting app: the model is loaded now, everything else on first use."""
    supervisor = Supervisor(
        RunStore(runs_dir(settings)),
        slots=settings.runs_slots or default_slots(),
        heartbeat_timeout=settings.runs_heartbeat_timeout,
        keep=settings.runs_keep,
        max_bytes=settings.runs_max_mb * 1024 * 1024,
    )
    return AppState(load(Path(settings.weights)), supervisor)
