"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.mnist import mnist_dir_or_none
from tests.server import serve


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """Folder with the four MNIST files; skips (or fails in CI) when there is none."""
    found = mnist_dir_or_none()
    if found is None:
        if os.environ.get("CONVLENS_REQUIRE_DATA"):
            pytest.fail("CONVLENS_REQUIRE_DATA is set but no MNIST folder was found")
        pytest.skip("MNIST not available: set CONVLENS_DATA to a folder with the four .gz files")
    return found


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator, fresh for every test."""
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """Base URL of the app served by uvicorn in a background thread (127.0.0.1 only)."""
    from app.main import app

    with serve(app) as url:
        yield url
