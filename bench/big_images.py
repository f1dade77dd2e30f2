"""Large images against a live server: CPU per request, peak and after-idle memory of the workers.

    python -m bench.big_images                       # this tree
    python -m bench.big_images --rev a1a3080         # the code of a git revision, for "before"

Sends POST /api/predict with a big RGBA PNG drawing as a data URL from `--concurrency`
connections for `--seconds`, then leaves the server idle for `--idle` seconds. Two images: the
issue's 8000 x 2000 (16 MP, ~90 KB on the wire) and a 2000 x 2000 (4 MP, inside the new limits).
RSS of every worker is sampled every 50 ms with psutil. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import os
import subprocess
import sys
import threading
import time
from collections import Counter

import httpx
import psutil
from PIL import Image, ImageDraw

from bench.classroom import Connection
from bench.http import HOST, code_tree, cpu_seconds, free_port, server_command, stop, wait_healthy


def big_png(width: int, height: int) -> str:
    """A data URL of a white RGBA PNG with one thick dark stroke: a tall 1."""
    img = Image.new("RGBA", (width, height), (255, 255, 255, 255))
    x = width // 2
    ImageDraw.Draw(img).line([(x, height // 10), (x, height * 9 // 10)], fill="#111", width=80)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


class RssSampler(threading.Thread):
    """Samples the RSS (MiB) of the server's worker processes until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak: dict[int, float] = {}
        self.running = True

    def workers(self) -> dict[int, float]:
        sizes = {}
        for p in self.root.children(recursive=True):
            try:
                if "spawn_main" in " ".join(p.cmdline()):  # a uvicorn worker
                    sizes[p.pid] = p.memory_info().rss / 2**20
            except psutil.NoSuchProcess:
                pass
        return sizes

    def run(self) -> None:
        while self.running:
            for pid, mib in self.workers().items():
                self.peak[pid] = max(self.peak.get(pid, 0.0), mib)
            time.sleep(0.05)


async def hammer(port: int, image: str, concurrency: int, seconds: float) -> Counter[str]:
    """`concurrency` connections each sending the image again as soon as answered."""
    statuses: Counter[str] = Counter()
    deadline = time.perf_counter() + seconds

    async def one() -> None:
        conn = Connection(port)
        while time.perf_counter() < deadline:
            try:
                status, _ = await conn.post("/api/predict", {"image": image, "layers": ["fc2"]})
                statuses[str(status)] += 1
            except (OSError, asyncio.IncompleteReadError) as exc:
                statuses[type(exc).__name__] += 1
                conn.abort()
        conn.abort()

    await asyncio.gather(*(one() for _ in range(concurrency)))
    return statuses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", help="serve the code of this git revision (default: this tree)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--idle", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    images = {"8000 x 2000": big_png(8000, 2000), "2000 x 2000": big_png(2000, 2000)}
    with code_tree(args.rev) as (cwd, env):
        rows = []
        for name, image in images.items():
            port = free_port()
            cmd = server_command(port, args.workers)
            cmd = [sys.executable, "-m", "app.cli", *cmd[cmd.index("serve") :]]
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, start_new_session=True)
            try:
                wait_healthy(f"http://{HOST}:{port}", proc)
                time.sleep(1.0)
                for _ in range(4 * args.workers):
                    httpx.post(f"http://{HOST}:{port}/api/health", timeout=10)
                sampler = RssSampler(proc.pid)
                start = sampler.workers()
                sampler.start()
                cpu0 = cpu_seconds(proc.pid)
                statuses = asyncio.run(hammer(port, image, args.concurrency, args.seconds))
                cpu = cpu_seconds(proc.pid) - cpu0
                time.sleep(args.idle)
                sampler.running = False
                sampler.join()
                idle = sampler.workers()
                load = os.getloadavg()[0]
            finally:
                stop(proc)
            n = sum(statuses.values())
            kb = len(image) * 3 / 4 / 1024
            rows.append((name, kb, statuses, n, cpu, start, sampler.peak, idle, load))

    print(
        f"\ncode: {args.rev or 'this tree'}; {args.workers} workers, {args.concurrency} connections"
    )
    print(f"for {args.seconds:g} s, then {args.idle:g} s idle; RSS per worker in MiB\n")
    print(
        f"{'image':<12} {'PNG KB':>6} {'answers':<22} {'CPU ms/req':>10}  RSS start / peak / idle"
    )
    for name, kb, statuses, n, cpu, start, peak, idle, load in rows:
        answers = " ".join(f"{k}:{v}" for k, v in sorted(statuses.items()))
        rss = ", ".join(
            f"{start.get(p, 0):.0f}/{peak[p]:.0f}/{idle.get(p, 0):.0f}" for p in sorted(peak)
        )
        per = cpu / max(n, 1) * 1000
        print(f"{name:<12} {kb:>6.0f} {answers:<22} {per:>10.1f}  {rss}  (load {load:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
