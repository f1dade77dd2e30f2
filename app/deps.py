"""Shared objects handed to routes as Annotated dependencies."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import Depends, Request

from app.config import Settings, current_settings
from app.errors import Unavailable, UnsupportedType
from engine.data import DataError, load_mnist
from engine.model import Sequential
from engine.serialize import load_model


@dataclass(frozen=True)
class LoadedModel:
    """The model (read-only after loading), its training metadata and a version id."""

    model: Sequential
    metadata: dict[str, Any]
    version: str


@lru_cache(maxsize=4)
def _load(weights: Path) -> LoadedModel:
    model, metadata = load_model(weights)
    version = hashlib.sha256(weights.read_bytes()).hexdigest()[:12]
    return LoadedModel(model, metadata, version)


async def get_model(settings: Annotated[Settings, Depends(current_settings)]) -> LoadedModel:
    """The loaded model named by the settings (loaded once per process)."""
    return _load(Path(settings.weights))


_test_set: tuple[np.ndarray, np.ndarray] | None = None
_test_set_lock = threading.Lock()


def get_test_set(
    settings: Annotated[Settings, Depends(current_settings)],
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST test images and labels, loaded (or downloaded) on first use; 503 if unavailable."""
    global _test_set
    with _test_set_lock:
        if _test_set is None:
            try:
                _test_set = load_mnist("test", settings.data, download=settings.download)
            except DataError as exc:
                raise Unavailable(f"the MNIST test set is not available: {exc}") from exc
        return _test_set


SettingsDep = Annotated[Settings, Depends(current_settings)]
ModelDep = Annotated[LoadedModel, Depends(get_model)]
TestSetDep = Annotated[tuple[np.ndarray, np.ndarray], Depends(get_test_set)]


async def require_json(request: Request) -> None:
    """415 unless the request says its body is JSON."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedType(
            f"send the body as JSON with Content-Type: application/json (got {media_type or 'none'})"
        )


JsonBody = Depends(require_json)
