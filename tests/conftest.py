"""Fixtures shared by the whole suite."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import uvicorn

REPO = Path(__file__).resolve().parent.parent
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist"


def mnist_dir_or_none() -> Path | None:
    """$CONVLENS_DATA, else ../shared/data/mnist beside the checkout, if it holds MNIST."""
    env = os.environ.get("CONVLENS_DATA")
    for candidate in (Path(env) if env else None, SHARED_MNIST):
        if candidate and (candidate / "t10k-images-idx3-ubyte.gz").is_file():
            return candidate
    return None


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(app) -> Iterator[str]:
    """Serve `app` with uvicorn in a background thread (127.0.0.1 only); yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """Base URL of the app served by uvicorn in a background thread (127.0.0.1 only)."""
    from app.main import app

    with serve(app) as url:
        yield url
