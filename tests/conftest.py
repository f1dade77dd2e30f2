"""Fixtures shared by the whole suite."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.mnist import mnist_dir_or_none
from tests.server import serve


def _private_view_of_mnist() -> None:
    """Point CONVLENS_DATA at a temporary folder of links to the MNIST files found, so that what
    the app writes beside its data (the filter atlas, lock files) never lands in a shared folder."""
    found = mnist_dir_or_none()
    if found is None:
        return
    view = Path(tempfile.mkdtemp(prefix="convlens-tests-")) / "mnist"
    view.mkdir()
    for path in found.glob("*-ubyte*"):
        (view / path.name).symlink_to(path.resolve())
    os.environ["CONVLENS_DATA"] = str(view)
    atexit.register(shutil.rmtree, view.parent, ignore_errors=True)


_private_view_of_mnist()
if not os.environ.get("CONVLENS_RUNS"):  # no test writes runs into the user's data folder
    os.environ["CONVLENS_RUNS"] = tempfile.mkdtemp(prefix="convlens-test-runs-")
    atexit.register(shutil.rmtree, os.environ["CONVLENS_RUNS"], ignore_errors=True)


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
