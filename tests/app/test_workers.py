"""`convlens serve --workers 2`: every worker process runs with one BLAS thread."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from engine.runtime import BLAS_THREAD_VARIABLES, SERVE_BLAS_THREADS
from tests.mnist import REPO
from tests.server import free_port

pytestmark = pytest.mark.slow


def _children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _environ(pid: int) -> dict[str, str]:
    """The environment process `pid` started with."""
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads worker pids from /proc")
def test_serve_workers_use_one_blas_thread() -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in BLAS_THREAD_VARIABLES}
    cmd = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(
        [*cmd, "--log-level", "warning"], cwd=REPO, env=env, start_new_session=True
    )
    try:
        url = f"http://127.0.0.1:{port}/api/health"
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while len(workers) < 2 or not _answers(url):
            assert server.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not answer within 120 s"
            time.sleep(0.2)
            workers = [p for p in _children(server.pid) if "spawn_main" in _cmdline(p)]
        for pid in workers:
            assert _environ(pid)["OPENBLAS_NUM_THREADS"] == str(SERVE_BLAS_THREADS)
        answers = []
        for _ in range(30):  # a new connection each time: the kernel spreads them over workers
            with httpx.Client(timeout=10) as client:
                answers.append(client.get(url).json()["blas_threads"])
        assert answers == [SERVE_BLAS_THREADS] * 30
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
