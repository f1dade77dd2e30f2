"""create_app(): wires settings, state, middleware, static files and routers. No logic here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from app.config import Settings, get_settings
from app.errors import install_error_handlers
from app.imaging import configure_pillow
from app.middleware import (
    BodyLimitMiddleware,
    HeadAsGetMiddleware,
    SecurityHeadersMiddleware,
    StartupMessageMiddleware,
)
from app.routers import (
    docs,
    health,
    insight,
    model,
    models,
    pages,
    predict,
    robustness,
    runs,
    samples,
    steps,
    vector_steps,
)
from app.runs.supervisor import watch
from app.state import start
from app.static_files import RevalidatedStaticFiles
from engine.runtime import SERVE_BLAS_THREADS, limit_blas_threads

STATIC = Path(__file__).resolve().parent / "static"

DESCRIPTION = """
ConvLens makes a convolutional neural network visible. This API classifies handwritten digits
with a small CNN written in NumPy and returns **every intermediate step**: each layer's
activations, the kernels, and the arithmetic of any single output unit.

Arrays are nested JSON lists, C x H x W. Errors are JSON `{"detail": "..."}` saying what to
change: 400 for unusable images, ragged arrays or an untrusted `Host`; 404 for unknown layers;
408 and 431 for requests sent too slowly or with too large a head; 413 over the size limits; 415
for unsupported content types; 422 for malformed requests (FastAPI's format; types are strict:
a boolean or a string is not a number); 503 when the MNIST data is unavailable (with
`Retry-After` while it is being downloaded). 202 with `Retry-After` means the answer is being
computed (the filter atlas). Limits are set with `CONVLENS_*` environment variables.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the model before the first request (a bad weights file stops the start-up); watch
    the training runs while serving, and stop this worker's trainers at the end."""
    state = app.state.convlens = start(app.state.settings)
    state.supervisor.recover()
    watcher = asyncio.create_task(watch(state.supervisor))
    try:
        yield
    finally:
        watcher.cancel()
        state.supervisor.shutdown()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI app for `settings` (default: the CONVLENS_* environment)."""
    settings = settings or get_settings()
    configure_pillow(settings.max_image_pixels)
    limit_blas_threads(SERVE_BLAS_THREADS)  # also when started by `uvicorn app.main:app`
    app = FastAPI(
        title="ConvLens API",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        redirect_slashes=False,  # a redirect would build an absolute URL from the Host header
    )
    app.state.settings = settings
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts, www_redirect=False
    )
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(StartupMessageMiddleware)
    install_error_handlers(app)
    app.mount("/static", RevalidatedStaticFiles(directory=STATIC), name="static")
    routers = (health, model, models, runs, predict, robustness, steps, vector_steps, samples)
    for router in (*routers, insight, pages, docs):
        app.include_router(router.router)
    return app


app = create_app()
