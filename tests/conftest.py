"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist"


def mnist_dir_or_none() -> Path | None:
    """$CONVLENS_DATA, else ../shared/data/mnist beside the checkout, if it holds MNIST."""
    env = os.environ.get("CONVLENS_DATA")
    for candidate in (Path(env) if env else None, SHARED_MNIST):
        if candidate and (candidate / "t10k-images-idx3-ubyte.gz").is_file():
            return candidate
    return None


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
