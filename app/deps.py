"""Shared objects handed to routes as Annotated dependencies; they read app.state."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import numpy as np
from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.errors import NotFound, StillComputing, Unavailable, UnsupportedType
from app.runs import service
from app.runs.store import RunStore
from app.runs.supervisor import Supervisor
from app.state import AppState, LoadedModel, Pending, load_run_model
from engine.atlas import AtlasMissing, KernelPatches, atlas_path, ensure_atlas, load_atlas
from engine.confusion import predict_labels
from engine.data import DataError, has_split, load_mnist, make_dir, resolve_data_dir
from engine.layers import Layer

log = logging.getLogger("convlens")
RETRY_AFTER = 5  # seconds: how soon a client should ask again for what is still coming
ATLAS_COMMAND = "convlens atlas"
NO_TEST_SET = (
    "the MNIST test set is not available on this server (the server log says why): run "
    "`convlens download` there with network access, or set CONVLENS_DATA to a folder holding "
    "the four MNIST .gz files"
)


async def get_settings_dep(request: Request) -> Settings:
    """The settings the app was created with (async: no thread-pool hop)."""
    return request.app.state.settings


async def get_state(request: Request) -> AppState:
    """The app's state, put there by its lifespan."""
    return request.app.state.convlens


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
StateDep = Annotated[AppState, Depends(get_state)]


async def get_model(state: StateDep) -> LoadedModel:
    """The model loaded at startup."""
    return state.loaded


ModelDep = Annotated[LoadedModel, Depends(get_model)]


async def get_runs(state: StateDep) -> RunStore:
    """The run store (its database is created on the first run)."""
    return state.supervisor.store


async def get_supervisor(state: StateDep) -> Supervisor:
    """This worker's trainer supervisor."""
    return state.supervisor


RunsDep = Annotated[RunStore, Depends(get_runs)]
SupervisorDep = Annotated[Supervisor, Depends(get_supervisor)]
MODEL_HELP = (
    '"bundled" (the default) or the id of a training run (GET /api/models lists them). A run '
    "still training gives its latest checkpoint."
)
CHECKPOINT_HELP = (
    "With a run's id as `model`: the step of one of its checkpoints (GET "
    "/api/runs/{id}/checkpoints); default: its final model."
)


def resolve_model(state: AppState, model: str | None, checkpoint: int | None) -> LoadedModel:
    """`model` ("bundled" or a run id) and `checkpoint` (a step) -> the model; 404 saying what
    exists. Run models are loaded once and cached."""
    if model in (None, service.BUNDLED):
        if checkpoint is not None:
            raise NotFound(
                "the bundled model has no checkpoints; give `model` a run id to use `checkpoint`"
            )
        return state.loaded
    path = service.resolve_weights(state.supervisor.store, model, checkpoint)
    return state.run_models.get(str(path), lambda: load_run_model(path))


async def model_of(state: AppState, req: Any) -> LoadedModel:
    """The model a request body chooses with its `model` and `checkpoint` (default: bundled)."""
    if req.model is None and req.checkpoint is None:
        return state.loaded
    return await run_in_threadpool(resolve_model, state, req.model, req.checkpoint)


async def get_chosen_model(
    state: StateDep,
    model: Annotated[str | None, Query(description=MODEL_HELP, examples=["bundled"])] = None,
    checkpoint: Annotated[
        int | None, Query(ge=0, description=CHECKPOINT_HELP, examples=[0])
    ] = None,
) -> LoadedModel:
    """The model named by the `model` and `checkpoint` query parameters (default: bundled)."""
    if model in (None, service.BUNDLED) and checkpoint is None:
        return state.loaded
    return await run_in_threadpool(resolve_model, state, model, checkpoint)


ChosenModelDep = Annotated[LoadedModel, Depends(get_chosen_model)]


def find_layer(loaded: LoadedModel, name: str) -> Layer:
    """The layer called `name`; 404 listing the layers when there is none."""
    try:
        return loaded.model.layer(name)
    except KeyError as exc:
        raise NotFound(exc.args[0]) from exc


async def get_layer(
    loaded: ChosenModelDep,
    name: Annotated[
        str,
        PathParam(description="A layer name, e.g. conv1 (see GET /api/model).", examples=["conv1"]),
    ],
) -> Layer:
    """The layer named in the path; 404 for an unknown name."""
    return find_layer(loaded, name)


LayerDep = Annotated[Layer, Depends(get_layer)]


def get_test_set(state: StateDep, settings: SettingsDep) -> tuple[np.ndarray, np.ndarray]:
    """MNIST test images and labels, read on first use, or downloaded in the background
    (503 with Retry-After meanwhile); 503 saying what to do if they cannot be had."""
    directory = resolve_data_dir(settings.data)
    local = has_split("test", directory) or not settings.download
    try:
        if not local:
            make_dir(directory)  # a folder that cannot be made is known now, not after a wait
        return state.test_set.get(
            str(directory),
            lambda: load_mnist("test", directory, download=settings.download),
            block=local,  # reading local files is quick; a download is not
        )
    except Pending as exc:
        raise Unavailable(
            "the MNIST test set is being downloaded (once, in the background); ask again in a "
            "few seconds",
            retry_after=RETRY_AFTER,
        ) from exc
    except (DataError, OSError) as exc:
        log.error("MNIST test set unavailable: %s", exc)
        raise Unavailable(NO_TEST_SET) from exc


TestSetDep = Annotated[tuple[np.ndarray, np.ndarray], Depends(get_test_set)]


def test_set_predictions(
    state: AppState, settings: Settings, images: np.ndarray, loaded: LoadedModel
) -> np.ndarray:
    """The model's prediction for every test image, computed once per model and data folder."""
    key = (loaded.version, str(resolve_data_dir(settings.data)))
    return state.predictions.get(key, lambda: predict_labels(loaded.model, images))


def kernel_atlas(
    state: AppState, settings: Settings, loaded: LoadedModel
) -> dict[str, list[KernelPatches]]:
    """The filter atlas of a model: read once per version of its file, or computed in the
    background when absent (202 with Retry-After meanwhile); 503 without the MNIST data."""
    version = loaded.version
    path = atlas_path(version, settings.data)
    if not path.is_file():
        if not settings.download and not has_split("test", settings.data):
            raise Unavailable(f"the filter atlas is computed from the test set, but {NO_TEST_SET}")
        build = lambda: ensure_atlas(loaded.model, version, settings.data, settings.download)  # noqa: E731
        try:
            state.atlas_files.get(str(path), build)
        except Pending as exc:
            raise StillComputing(
                "the filter atlas is being computed from the MNIST test set (once, in the "
                "background, a few seconds); ask again shortly",
                retry_after=RETRY_AFTER,
            ) from exc
        except (DataError, OSError) as exc:
            log.error("filter atlas not computed: %s", exc)
            raise Unavailable(
                f"the filter atlas could not be computed; {NO_TEST_SET}, and that it can "
                "write beside it"
            ) from exc
    try:
        mtime = path.stat().st_mtime_ns
        return state.atlas.get((path, mtime), lambda: load_atlas(path, ATLAS_COMMAND))
    except (AtlasMissing, OSError) as exc:
        log.error("filter atlas unreadable: %s", exc)
        raise Unavailable(
            f"the filter atlas on this server cannot be read; delete it and run `{ATLAS_COMMAND}` "
            "there (with the server's CONVLENS_DATA and CONVLENS_WEIGHTS)"
        ) from exc


async def require_json(request: Request) -> None:
    """415 unless the request says its body is JSON."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedType(
            f"send the body as JSON with Content-Type: application/json (got {media_type or 'none'})"
        )


JsonBody = Depends(require_json)
