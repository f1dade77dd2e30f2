"""Slow clients cannot starve a live `convlens serve`: trickled requests are cut off, health answers."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
SLOW = 200  # slow connections, more than the server has descriptors for
FD_LIMIT = 160  # the server's RLIMIT_NOFILE: what 45,000 connections were to the default


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _limit_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


@pytest.fixture
def server() -> Iterator[str]:
    """A one-worker server on 127.0.0.1 with a 1 s read deadline and room for 100 connections."""
    port = _free_port()
    env = {**os.environ, "CONVLENS_REQUEST_READ_TIMEOUT": "1", "CONVLENS_MAX_CONNECTIONS": "100"}
    cmd = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--log-level", "critical"],
        cwd=REPO,
        env=env,
        start_new_session=True,
        preexec_fn=_limit_descriptors,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def test_health_answers_while_slow_clients_trickle_headers(server) -> None:
    """200 connections sending a header byte every 0.3 s: health keeps answering, and the server
    closes every slow connection itself (each would otherwise hold a descriptor forever)."""
    port = int(server.rsplit(":", 1)[1])
    slow = []
    for _ in range(SLOW):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        slow.append(s)
    open_ = set(slow)
    health = []
    deadline = time.monotonic() + 15  # bounded: 1 s read deadline, generous margin
    while open_ and time.monotonic() < deadline:
        for s in list(open_):
            try:
                s.sendall(b"a")
            except OSError:  # reset or broken pipe: the server closed it
                open_.discard(s)
        with httpx.Client(timeout=5) as client:
            health.append(client.get(f"{server}/api/health").status_code)
        time.sleep(0.3)
    for s in slow:
        s.close()
    assert not open_, f"{len(open_)} slow connections were never closed by the server"
    assert health and set(health) == {200}


def test_an_endless_request_head_is_cut_off(server) -> None:
    """A head that grows past 64 KiB is answered 431 and closed instead of growing in memory."""
    port = int(server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        outcome: bytes | str = ""
        try:
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ")
            for _ in range(17):  # 68 KiB, no end of line
                s.sendall(b"a" * 4096)
            outcome = s.recv(200)[:12] or "closed"
        except ConnectionResetError:  # closed with our last bytes unread
            outcome = "reset"
        except TimeoutError:
            outcome = "still waiting"
    assert outcome in (b"HTTP/1.1 431", "closed", "reset")
    assert httpx.get(f"{server}/api/health", timeout=5).status_code == 200


def test_a_large_body_is_not_taken_for_a_large_head(server) -> None:
    """A 200 KB JSON body arriving with its head is read as a request (here: an empty drawing)."""
    pixels = [[0] * 300] * 300
    r = httpx.post(f"{server}/api/predict", json={"pixels": pixels}, timeout=10)
    assert len(r.request.content) > 150_000
    assert r.status_code == 400 and "empty" in r.json()["detail"]
