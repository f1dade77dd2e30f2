"""app/state.py and the lifespan: the model is loaded at startup, or the app does not start."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.state import Background, Lazy, Pending, StartupError
from engine.serialize import BUNDLED_WEIGHTS, json_path_for


@pytest.fixture
def weights_copy(tmp_path):
    """A copy of the bundled weights and their JSON in tmp_path; returns the .npz path."""
    path = tmp_path / "model.npz"
    shutil.copy(BUNDLED_WEIGHTS, path)
    shutil.copy(json_path_for(BUNDLED_WEIGHTS), json_path_for(path))
    return path


def test_the_model_is_loaded_by_the_lifespan(weights_copy):
    app = create_app(Settings(weights=weights_copy))
    assert not hasattr(app.state, "convlens")  # nothing is read before start-up
    with TestClient(app) as client:
        assert app.state.convlens.loaded.model.layer("conv1").kind == "conv2d"
        assert (
            client.get("/api/health").json()["model_version"] == app.state.convlens.loaded.version
        )


def test_a_truncated_weights_file_stops_the_startup_with_one_clear_message(weights_copy):
    data = weights_copy.read_bytes()
    weights_copy.write_bytes(data[: len(data) // 2])
    app = create_app(Settings(weights=weights_copy))
    with pytest.raises(StartupError) as info, TestClient(app):
        pass
    message = str(info.value)
    assert str(weights_copy) in message and "not a readable .npz" in message
    assert "CONVLENS_WEIGHTS" in message and "convlens train" in message


def test_a_missing_weights_file_stops_the_startup(tmp_path):
    app = create_app(Settings(weights=tmp_path / "none.npz"))
    with pytest.raises(StartupError, match="none.json"), TestClient(app):
        pass


def _damage(weights: Path, how: str) -> None:
    if how == "truncated":
        weights.write_bytes(weights.read_bytes()[:1000])
    elif how == "garbage":
        weights.write_bytes(b"not an npz file at all")
    elif how == "missing npz":
        weights.unlink()
    else:
        json_path_for(weights).unlink()


@pytest.mark.parametrize("how", ["truncated", "garbage", "missing npz", "missing json"])
def test_bad_weights_stop_uvicorn_with_one_clear_message(weights_copy, how):
    """Under a real server (not only TestClient): no "startup complete", no traceback."""
    _damage(weights_copy, how)
    env = {**os.environ, "CONVLENS_WEIGHTS": str(weights_copy)}
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    done = subprocess.run(
        [*command, "--port", "0"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = done.stdout + done.stderr
    assert done.returncode != 0, log
    assert log.count("ConvLens cannot start") == 1, log
    assert str(weights_copy.name if how != "missing json" else "model.json") in log
    assert "CONVLENS_WEIGHTS" in log
    assert "Traceback" not in log and "startup complete" not in log


def test_lazy_builds_once_per_key_and_keeps_no_failure():
    lazy: Lazy[int] = Lazy(max_entries=2)
    calls = []

    def build(value):
        def run():
            calls.append(value)
            return value

        return run

    threads = [threading.Thread(target=lazy.get, args=("a", build(1))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and lazy.get("a", build(9)) == 1

    def fail():
        raise OSError("not yet")

    with pytest.raises(OSError):
        lazy.get("b", fail)
    assert lazy.get("b", build(2)) == 2
    assert lazy.get("c", build(3)) == 3  # over max_entries: the oldest ("a") goes
    assert lazy.get("a", build(4)) == 4


def test_background_builds_once_while_callers_get_pending():
    jobs: Background[int] = Background()
    gate, calls = threading.Event(), []

    def build():
        calls.append(1)
        gate.wait(timeout=30)
        return 42

    for _ in range(5):
        with pytest.raises(Pending):
            jobs.get("k", build)
    gate.set()
    assert jobs.get("k", build, block=True) == 42
    assert jobs.get("k", build) == 42 and calls == [1]


def test_background_reports_a_failure_once_then_tries_again():
    jobs: Background[int] = Background()
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("no network")
        return 7

    with pytest.raises(OSError, match="no network"):
        jobs.get("k", flaky, block=True)
    assert jobs.get("k", flaky, block=True) == 7 and len(attempts) == 2


def test_background_failure_is_reported_to_the_next_caller_that_does_not_wait():
    jobs: Background[int] = Background()
    finished = threading.Event()

    def fail():
        try:
            raise OSError("mirror down")
        finally:
            finished.set()

    with pytest.raises(Pending):
        jobs.get("k", fail)
    finished.wait(timeout=30)
    deadline = threading.Event()
    for _ in range(600):  # the thread stores the error right after `finished`; bounded wait
        try:
            jobs.get("k", fail)
        except OSError:
            break
        except Pending:
            deadline.wait(0.05)
    else:
        pytest.fail("the failure was never reported")
    with pytest.raises(Pending):  # reported once: the next caller starts a new attempt
        jobs.get("k", lambda: 1)
