"""A classroom on one server: 30 students drawing digits, and a teacher exploring, for 20 s.

    python -m bench.classroom
    python -m bench.classroom --students 30 --seconds 20 --blas-threads 1

Each student draws the page's example digits (bench/canvas.py) point by point, a point every
`--point-ms`, with the page's own request pattern (app/static/js/explorer/predictor.js): a request at most
every 120 ms, never two in flight, one at once when a stroke ends, the pad's gray PNG sent as a
data URL with `layers: "all"` and `encoding: "f16"` (`--lists` sends the old page's request); after a digit, a pause and a new drawing, which aborts the request in
flight (its answer is dropped, as the page drops stale answers). The teacher does the same with
Grad-CAM on (predict and saliency in parallel, as the page does), and clicks a unit to explain
every `--click-ms`. Prints latency percentiles and errors per kind of request; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict

import httpx
import numpy as np

from bench.canvas import data_url, drawing_steps, example_strokes
from bench.http import (
    HOST,
    REPO,
    cpu_seconds,
    free_port,
    rss_mib,
    server_command,
    stop,
    wait_healthy,
)

INTERVAL = 0.120  # predictor.js: at most one request every 120 ms


class Connection:
    """One keep-alive HTTP/1.1 connection, like one of a browser's; closing it aborts."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: dict) -> tuple[int, bytes]:
        """POST JSON -> (status, body)."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(HOST, self.port, limit=2**22)
        reader, writer = self.streams
        content = json.dumps(body).encode()
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(content)}\r\n\r\n".encode()
            + content
        )
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        return int(head.split(b" ", 2)[1]), await reader.readexactly(length)

    def abort(self) -> None:
        """fetch()'s AbortController: the connection goes, and the answer with it."""
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


class Stats:
    """Latencies (s) and errors by kind of request."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.dropped = 0

    async def timed(self, kind: str, call) -> bytes | None:
        t0 = time.perf_counter()
        try:
            status, body = await call
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            self.errors[f"{kind} {type(exc).__name__}"] += 1
            return None
        self.times[kind].append(time.perf_counter() - t0)
        if status != 200:
            self.errors[f"{kind} HTTP {status}"] += 1
            return None
        return body


async def draw(
    port: int, stats: Stats, drawings: list[list[str]], deadline: float, args, seat: int
) -> None:
    """One pupil (or the teacher, seat -1): draw, ask as the page asks, pause, start again."""
    teacher = seat < 0
    rng = random.Random(args.seed * 1000 + seat)
    conns = [Connection(port), Connection(port), Connection(port)]  # predict, saliency, explain
    in_flight: asyncio.Task | None = None
    explaining: asyncio.Task | None = None
    dirty = False
    last_start = 0.0
    latest = ""
    unit: dict = {}
    next_click = 0.0

    def explain(image: str) -> None:
        """index-page.js pickUnit(): abort the previous explain call, send the new one."""
        nonlocal explaining
        if explaining is not None and not explaining.done():
            explaining.cancel()
            conns[2].abort()
        call = conns[2].post("/api/explain", {"image": image, "preprocess": True, **unit})
        explaining = asyncio.create_task(stats.timed("explain", call))

    async def request(image: str) -> None:
        """predictor.js request(): predict, and the saliency map alongside when it is on."""
        predict = {"image": image, "preprocess": True, "layers": "all"}
        if not args.lists:
            predict["encoding"] = "f16"
        jobs = [stats.timed("predict", conns[0].post("/api/predict", predict))]
        if teacher:
            saliency = {"image": image, "preprocess": True, "method": "gradcam"}
            jobs.append(stats.timed("saliency", conns[1].post("/api/saliency", saliency)))
        await asyncio.gather(*jobs)
        if teacher and unit:  # showAnswer(): an open explain panel follows the new answer
            explain(image)

    async def fire() -> None:
        """predictor.js fire(): throttled, one request in flight, again while still dirty."""
        nonlocal in_flight, dirty, last_start
        while dirty:
            wait = INTERVAL - (time.perf_counter() - last_start)
            if wait > 0:
                await asyncio.sleep(wait)
            dirty = False
            last_start = time.perf_counter()
            await request(latest)
        in_flight = None

    while time.perf_counter() < deadline:
        for image in drawings[rng.randrange(len(drawings))]:
            if time.perf_counter() >= deadline:
                break
            latest, dirty = image, True
            if in_flight is None:
                in_flight = asyncio.create_task(fire())
            if teacher and time.perf_counter() >= next_click:
                next_click = time.perf_counter() + args.click_ms / 1000
                layer, channels, side = rng.choice([("conv1", 8, 28), ("conv2", 16, 14)])
                unit = {"layer": layer, "channel": rng.randrange(channels)}
                unit |= {"row": rng.randrange(side), "col": rng.randrange(side)}
                explain(image)
            await asyncio.sleep(args.point_ms / 1000 * rng.uniform(0.7, 1.3))
        await asyncio.sleep(rng.uniform(0.5, 1.5))  # look at the answer, then clear the pad
        if in_flight is not None:  # clearing cancels the request in flight: its answer is dropped
            in_flight.cancel()
            stats.dropped += 1
            for conn in conns:
                conn.abort()
            in_flight, dirty = None, False
    for task in (in_flight, explaining):
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
    for conn in conns:
        conn.abort()


async def classroom(port: int, drawings: list[list[str]], args) -> tuple[Stats, Stats]:
    """Run every student and the teacher until the deadline."""
    students, teacher = Stats(), Stats()
    deadline = time.perf_counter() + args.seconds
    pupils = [draw(port, students, drawings, deadline, args, seat) for seat in range(args.students)]
    await asyncio.gather(*pupils, draw(port, teacher, drawings, deadline, args, -1))
    return students, teacher


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--point-ms", type=float, default=40.0, help="time between pad points")
    parser.add_argument("--click-ms", type=float, default=700.0, help="teacher: explain clicks")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--blas-threads", type=int, help="set OPENBLAS_NUM_THREADS in the server's environment"
    )
    parser.add_argument(
        "--lists",
        action="store_true",
        help="send the old page's request: the RGBA PNG of toDataURL, nested lists back",
    )
    args = parser.parse_args(argv)

    drawings = [
        [data_url(png) for png in drawing_steps(strokes, rgba=args.lists)]
        for strokes in example_strokes().values()
    ]
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = dict(os.environ)
    if args.blas_threads:
        env["OPENBLAS_NUM_THREADS"] = str(args.blas_threads)
    cmd = server_command(port, args.workers)
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, start_new_session=True)
    try:
        wait_healthy(base, proc)
        time.sleep(1.0)
        for _ in range(4 * args.workers):
            httpx.post(f"{base}/api/predict", json={"image": drawings[0][-1]}, timeout=30.0)
        load0, cpu0 = os.getloadavg()[0], cpu_seconds(proc.pid)
        students, teacher = asyncio.run(classroom(port, drawings, args))
        cpu = cpu_seconds(proc.pid) - cpu0
        load1, mem = os.getloadavg()[0], rss_mib(proc.pid)
    finally:
        stop(proc)

    blas = env.get("OPENBLAS_NUM_THREADS", "unset")
    print(f"\n{args.students} students + 1 teacher, {args.seconds:g} s, {args.workers} workers")
    print(f"OPENBLAS_NUM_THREADS={blas}; load average {load0:.1f} -> {load1:.1f}")
    print(f"server CPU {cpu:.1f} s ({cpu / args.seconds:.2f} cores), RSS {mem[0]:.0f} MiB")
    print(f"\n{'who':<9} {'request':<9} {'count':>6} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7}")
    all_times = []
    for who, stats in (("students", students), ("teacher", teacher)):
        for kind, times in stats.times.items():
            ms = np.asarray(times) * 1000
            all_times += times
            p50, p99 = np.percentile(ms, 50), np.percentile(ms, 99)
            rate = len(ms) / args.seconds
            print(f"{who:<9} {kind:<9} {len(ms):>6} {rate:>6.0f} {p50:>7.1f} {p99:>7.1f}")
    p99 = float(np.percentile(np.asarray(all_times) * 1000, 99))
    errors = students.errors + teacher.errors
    print(f"\nevery request: p99 {p99:.1f} ms (target <= 100: {'met' if p99 <= 100 else 'MISSED'})")
    print(f"errors: {sum(errors.values())} {dict(errors) or ''} (target 0)")
    print(f"requests aborted by clearing the pad (answers dropped): {students.dropped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
