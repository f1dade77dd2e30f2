"""Settings, read from CONVLENS_* environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.serialize import BUNDLED_WEIGHTS


class Settings(BaseSettings):
    """Every limit and path the app uses; override with CONVLENS_<NAME> variables."""

    model_config = SettingsConfigDict(env_prefix="CONVLENS_", env_file=None)

    weights: Path = Field(BUNDLED_WEIGHTS, description="model weights (.npz, JSON beside it)")
    data: Path | None = Field(None, description="MNIST folder (default: the user cache)")
    download: bool = Field(True, description="download MNIST test files on first use")
    max_body_bytes: int = Field(
        2 * 1024 * 1024,
        description="largest request body; the page sends ~10 KB drawings and <= 512 px uploads",
    )
    max_image_pixels: int = Field(
        4_000_000,
        description="largest image, width x height, as decoded (a JPEG after decoding at 1/2, "
        "1/4 or 1/8 of its size)",
    )
    max_image_side: int = Field(8192, description="largest width or height of an image as sent")
    working_side: int = Field(
        1024, description="decoded images are scaled down to at most this side before reading"
    )
    large_decodes: int = Field(
        2,
        description="images over working_side x working_side decoded at once per worker; "
        "more wait (503 after 10 s)",
    )
    max_pixels_side: int = Field(512, description="largest side of a `pixels` array")
    max_conv_input_side: int = Field(32, description="largest H or W for /api/convolve, /api/pool")
    max_conv_channels: int = Field(8, description="largest C for /api/convolve, /api/pool")
    max_conv_kernels: int = Field(16, description="largest F for /api/convolve")
    max_kernel_side: int = Field(7, description="largest kernel side for /api/convolve")
    max_steps: int = Field(
        4096, description="most step records one /api/convolve or /api/pool returns"
    )
    max_step_numbers: int = Field(
        330_000,
        description="most numbers (patch, kernel and products of every step) one /api/convolve "
        "or /api/pool answer may hold, checked before any work: at most ~2 MB of JSON for small "
        "whole numbers, ~3.7 MB for random floats; the playground's largest setting needs 324,000",
    )
    max_samples: int = Field(64, description="most digits one /api/samples call returns")
    max_connections: int = Field(
        1000,
        description="open connections per worker before new requests get 503 (uvicorn's "
        "limit_concurrency); half of them may still be sending their request head, the oldest "
        "such connection is closed to make room",
    )
    request_read_timeout: float = Field(
        10.0, description="seconds a client has to send a request's head and body (408 after)"
    )
    keep_alive_timeout: int = Field(5, description="seconds an idle keep-alive connection stays")
    graceful_shutdown_timeout: int = Field(
        10, description="seconds a stopping worker waits for requests in flight"
    )
    backlog: int = Field(2048, description="connections the kernel queues before accept")
    cors_origins: list[str] = Field(default_factory=list, description="allowed CORS origins")
    runs: Path | None = Field(
        None,
        description="runs directory: the run registry (SQLite) and checkpoints (default: "
        "$XDG_DATA_HOME/convlens/runs, else ~/.local/share/convlens/runs); may be a shared volume",
    )
    runs_slots: int | None = Field(
        None,
        ge=1,
        description="runs that train at once, across all workers (default: cores - 1, at least 1)",
    )
    runs_queue: int = Field(
        8, ge=0, description="runs that may wait for a slot; past that POST /api/runs is a 429"
    )
    runs_keep: int = Field(
        50, ge=1, description="finished runs kept; the oldest finished runs are deleted first"
    )
    runs_max_mb: int = Field(
        2000, ge=1, description="disk the runs may use, in MB; the oldest finished go first"
    )
    runs_heartbeat_timeout: float = Field(
        15.0, gt=0, description="seconds without a heartbeat before a run's trainer counts as dead"
    )
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1", "[::1]", "testserver"],
        description='Host header values the app answers (others get 400); "*" allows any, '
        '"*.example.org" a domain and its subdomains',
    )


def runs_dir(settings: Settings) -> Path:
    """The runs directory: CONVLENS_RUNS, else the user data directory (never the repository)."""
    if settings.runs:
        return Path(settings.runs).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "convlens" / "runs"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
