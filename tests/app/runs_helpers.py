"""Helpers for the /api/runs tests: apps on a temporary runs folder, tiny specs, bounded waits."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

TINY = [
    {
        "kind": "conv2d",
        "hyperparameters": {
            "out_channels": 4,
            "kernel_size": [5, 5],
            "stride": [1, 1],
            "padding": [0, 0],
        },
    },
    {"kind": "relu"},
    {"kind": "maxpool2d", "hyperparameters": {"size": [2, 2], "stride": [2, 2]}},
    {"kind": "flatten"},
    {"kind": "dense", "hyperparameters": {"out_features": 10}},
]
QUICK = {"architecture": {"layers": TINY}, "training": {"train_images": 1000, "epochs": 1}}
# Runs that would take minutes: the tests pause, stop or kill them long before their end.
LONG = {"architecture": {"layers": TINY}, "training": {"train_images": 60000, "epochs": 5}}
WAIT = 60.0  # seconds: the bound of every wait (a loaded 2-core machine is slow)


@contextmanager
def runs_client(runs: Path, data: Path, **settings: Any) -> Iterator[TestClient]:
    """A TestClient on an app keeping its runs in `runs` and reading MNIST from `data`."""
    app = create_app(Settings(runs=runs, data=data, download=False, **settings))
    with TestClient(app) as client:
        yield client


def wait_for(check: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    """Poll check() until it returns something truthy (that value); fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"waited {timeout} s for {what}")


def run_status(client: TestClient, run_id: str) -> dict:
    """GET /api/runs/{id} (200 checked)."""
    r = client.get(f"/api/runs/{run_id}")
    assert r.status_code == 200, r.text
    return r.json()


def wait_status(client: TestClient, run_id: str, *statuses: str) -> dict:
    """The run once its status is one of `statuses`."""
    return wait_for(
        lambda: (run := run_status(client, run_id))["status"] in statuses and run,
        f"run {run_id} to be {'/'.join(statuses)}",
    )


def parse_sse(text: str) -> list[tuple[int, dict]]:
    """An SSE body -> [(id, data JSON)] in order; comments and `retry:` skipped."""
    events = []
    for block in text.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":"
        )
        if "data" in fields:
            events.append((int(fields["id"]), json.loads(fields["data"])))
    return events


def read_events(client: TestClient, run_id: str, last: int | None = None) -> list[tuple[int, dict]]:
    """The whole event stream of a run (it closes after the end event)."""
    headers = {"Last-Event-ID": str(last)} if last is not None else {}
    r = client.get(f"/api/runs/{run_id}/events", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    return parse_sse(r.text)
