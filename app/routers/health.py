"""GET /api/health."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter

from app.deps import ModelDep
from app.schemas.model import HealthResponse
from engine.runtime import blas_threads

router = APIRouter(prefix="/api", tags=["health"])

try:
    APP_VERSION = version("convlens")
except PackageNotFoundError:  # running from a source tree that was never installed
    APP_VERSION = "0+unknown"


@router.get("/health", response_model=HealthResponse, summary="Liveness and model version")
def health(loaded: ModelDep) -> HealthResponse:
    """Answers 200 when the app is up and the model is loaded."""
    return HealthResponse(
        status="ok",
        model_version=loaded.version,
        app_version=APP_VERSION,
        blas_threads=blas_threads(),
    )
