"""Shared objects handed to routes as Annotated dependencies; they read app.state."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import Depends, Request
from fastapi import Path as PathParam

from app.config import Settings
from app.errors import NotFound, Unavailable, UnsupportedType
from app.state import AppState, LoadedModel
from engine.atlas import AtlasMissing, KernelPatches, atlas_command, atlas_path, load_atlas
from engine.confusion import predict_labels
from engine.data import DataError, load_mnist, resolve_data_dir
from engine.layers import Layer


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


def find_layer(loaded: LoadedModel, name: str) -> Layer:
    """The layer called `name`; 404 listing the layers when there is none."""
    try:
        return loaded.model.layer(name)
    except KeyError as exc:
        raise NotFound(exc.args[0]) from exc


async def get_layer(
    loaded: ModelDep,
    name: Annotated[str, PathParam(description="A layer name, e.g. conv1 (see GET /api/model).")],
) -> Layer:
    """The layer named in the path; 404 for an unknown name."""
    return find_layer(loaded, name)


LayerDep = Annotated[Layer, Depends(get_layer)]


def get_test_set(state: StateDep, settings: SettingsDep) -> tuple[np.ndarray, np.ndarray]:
    """MNIST test images and labels, loaded (or downloaded) on first use; 503 if unavailable."""

    def read() -> tuple[np.ndarray, np.ndarray]:
        try:
            return load_mnist("test", settings.data, download=settings.download)
        except DataError as exc:
            raise Unavailable(f"the MNIST test set is not available: {exc}") from exc

    return state.test_set.get(str(resolve_data_dir(settings.data)), read)


TestSetDep = Annotated[tuple[np.ndarray, np.ndarray], Depends(get_test_set)]


def test_set_predictions(state: AppState, settings: Settings, images: np.ndarray) -> np.ndarray:
    """The model's prediction for every test image, computed once per model and data folder."""
    key = (state.loaded.version, str(resolve_data_dir(settings.data)))
    return state.predictions.get(key, lambda: predict_labels(state.loaded.model, images))


def kernel_atlas(state: AppState, settings: Settings) -> dict[str, list[KernelPatches]]:
    """The filter atlas of the loaded model, read once per version of its file; 503 if absent."""
    path = atlas_path(state.loaded.version, settings.data)
    command = atlas_command(settings.data, settings.weights)
    try:
        mtime = path.stat().st_mtime_ns if path.is_file() else -1
        return state.atlas.get((path, mtime, command), lambda: load_atlas(path, command))
    except AtlasMissing as exc:
        raise Unavailable(str(exc)) from exc


async def require_json(request: Request) -> None:
    """415 unless the request says its body is JSON."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedType(
            f"send the body as JSON with Content-Type: application/json (got {media_type or 'none'})"
        )


JsonBody = Depends(require_json)
