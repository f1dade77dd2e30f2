"""HTTP benchmark: a real `convlens serve` on 127.0.0.1, latency, throughput and memory.

    python -m bench.http --seconds 10

(a) POST /api/predict (all layers) one request at a time: p50/p90/p99 after a warm-up;
(b) requests/s with 32 requests in flight (bounded in time and count), counting errors;
(c) resident memory of the server processes at start and end. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent
TARGET_P50_MS = 5.0
TARGET_RPS = 400.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_command(port: int, workers: int) -> list[str]:
    """`convlens serve ...`, or `python -m app.cli serve ...` without the console script."""
    args = ["serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    args += ["--log-level", "warning"]
    script = Path(sys.executable).with_name("convlens")
    if script.is_file():
        return [str(script), *args]
    if found := shutil.which("convlens"):
        return [found, *args]
    return [sys.executable, "-m", "app.cli", *args]


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 60.0) -> float:
    """Seconds until GET /api/health answers 200; RuntimeError on exit or timeout."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(f"{base}/api/health", timeout=1.0).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer /api/health within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server's process group (it and its workers), then SIGKILL if needed."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def rss_mib(pid: int) -> tuple[float, list[float]]:
    """(total MiB, per-process MiB) of `pid` and all its descendants."""
    try:
        import psutil

        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
        sizes = []
        for p in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                sizes.append(p.memory_info().rss / 2**20)
        return sum(sizes), sizes
    except ImportError:
        pids = [pid, *_descendants(pid)]
        sizes = [_vmrss_kib(p) / 1024 for p in pids]
        return sum(sizes), sizes


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by `pid` and its descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in (pid, *_descendants(pid)):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total


def _descendants(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = task / "children"
        if children.is_file():
            kids += [int(c) for c in children.read_text().split()]
    return [k for c in kids for k in (c, *_descendants(c))]


def _vmrss_kib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def payload() -> tuple[dict, str]:
    """A predict request for every layer: a real MNIST test digit, or a synthetic stroke."""
    data = os.environ.get("CONVLENS_DATA") or str(REPO.parent / "shared" / "data" / "mnist")
    try:
        from engine.data import load_mnist

        images, labels = load_mnist("test", data, download=False)
        return {"pixels": images[0].tolist(), "layers": "all"}, f"MNIST test #0 ({labels[0]})"
    except Exception:  # noqa: BLE001 - any failure means "no MNIST here"
        img = np.zeros((28, 28), dtype=np.uint8)
        img[5:23, 12:16] = 255
        return {"pixels": img.tolist(), "layers": "all"}, "synthetic stroke (no MNIST)"


def latency(base: str, body: dict, warmup: int, count: int, seconds: float) -> dict:
    """Sequential requests: percentiles in ms over at most `count` within `seconds`."""
    times, errors, size = [], 0, 0
    with httpx.Client(base_url=base, timeout=10.0) as client:
        for _ in range(warmup):
            client.post("/api/predict", json=body)
        deadline = time.perf_counter() + seconds
        while len(times) < count and time.perf_counter() < deadline:
            t0 = time.perf_counter()
            r = client.post("/api/predict", json=body)
            _ = r.content
            times.append((time.perf_counter() - t0) * 1000)
            errors += r.status_code != 200
            size = len(r.content)
    ms = np.asarray(times)
    return {
        "n": len(ms),
        "errors": errors,
        "bytes": size,
        **{f"p{q}": float(np.percentile(ms, q)) for q in (50, 90, 99)},
    }


async def throughput(base: str, body: dict, concurrency: int, seconds: float, cap: int) -> dict:
    """httpx.AsyncClient, `concurrency` requests in flight, at most `seconds` or `cap` in all."""
    content = json.dumps(body).encode()
    headers = {"content-type": "application/json"}
    errors: Counter[str] = Counter()
    done = issued = 0
    times: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30.0, limits=limits) as client:
        for _ in range(concurrency):  # open the connections before timing
            await client.post("/api/predict", content=content, headers=headers)
        start = time.perf_counter()
        deadline = start + seconds

        async def worker() -> None:
            nonlocal done, issued
            while issued < cap and time.perf_counter() < deadline:
                issued += 1
                t0 = time.perf_counter()
                try:
                    r = await client.post("/api/predict", content=content, headers=headers)
                    if r.status_code != 200:
                        errors[f"HTTP {r.status_code}"] += 1
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
                times.append(time.perf_counter() - t0)
                done += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return _load_result(done, errors, elapsed, times)


def _load_result(done: int, errors: Counter, elapsed: float, times: list[float]) -> dict:
    """Counts, rate, and per-request latency percentiles (ms) of a load phase."""
    ms = np.asarray(times or [0.0]) * 1000
    return {
        "n": done,
        "errors": errors,
        "seconds": elapsed,
        "rps": done / elapsed,
        **{f"p{q}": float(np.percentile(ms, q)) for q in (50, 99)},
    }


async def raw_throughput(port: int, body: dict, concurrency: int, seconds: float, cap: int) -> dict:
    """The same load from a minimal keep-alive HTTP/1.1 client (asyncio streams): a client
    that costs far less CPU than httpx, so the figure is closer to the server's capacity."""
    content = json.dumps(body).encode()
    request = (
        f"POST /api/predict HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(content)}\r\n\r\n"
    ).encode() + content
    errors: Counter[str] = Counter()
    done = issued = 0
    times: list[float] = []

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        return status

    async def worker(deadline: float) -> None:
        nonlocal done, issued
        reader, writer = await asyncio.open_connection(HOST, port, limit=2**20)
        try:
            await one(reader, writer)  # warm the connection
            while issued < cap and time.perf_counter() < deadline:
                issued += 1
                t0 = time.perf_counter()
                try:
                    status = await asyncio.wait_for(one(reader, writer), 30.0)
                    if status != 200:
                        errors[f"HTTP {status}"] += 1
                except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                    errors[type(exc).__name__] += 1
                    break
                times.append(time.perf_counter() - t0)
                done += 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker(start + seconds) for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    return _load_result(done, errors, elapsed, times)


def measure_load(run, pid: int) -> dict:
    """Run a throughput coroutine; add the client's and the server's CPU ms per request."""
    client0, server0 = time.process_time(), cpu_seconds(pid)
    result = asyncio.run(run)
    n = max(result["n"], 1)
    result["client_cpu_ms"] = (time.process_time() - client0) / n * 1000
    result["server_cpu_ms"] = (cpu_seconds(pid) - server0) / n * 1000
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="time window of each phase")
    parser.add_argument("--requests", type=int, default=1000, help="latency: most requests")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--cap", type=int, default=20000, help="throughput: most requests")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-raw", action="store_true", help="skip the second load phase (minimal client)"
    )
    args = parser.parse_args(argv)

    body, what = payload()
    port = free_port()
    base = f"http://{HOST}:{port}"
    cmd = server_command(port, args.workers)
    proc = subprocess.Popen(cmd, cwd=REPO, start_new_session=True)
    try:
        startup = wait_healthy(base, proc)
        time.sleep(1.0)  # let every worker finish importing
        for _ in range(4 * args.workers):  # each worker loads the model on its first request
            httpx.post(f"{base}/api/predict", json=body, timeout=30.0)
        mem_start = rss_mib(proc.pid)
        lat = latency(base, body, args.warmup, args.requests, args.seconds)
        c, secs, cap = args.concurrency, args.seconds, args.cap
        loads = {"httpx": measure_load(throughput(base, body, c, secs, cap), proc.pid)}
        if not args.no_raw:
            loads["raw"] = measure_load(raw_throughput(port, body, c, secs, cap), proc.pid)
        mem_end = rss_mib(proc.pid)
    finally:
        stop(proc)

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    shown = [Path(cmd[0]).name, *cmd[1:]]
    rows = [
        ("server", " ".join(shown), ""),
        ("input", what, ""),
        ("response size", f"{lat['bytes'] / 1024:.0f} KiB (all layers)", ""),
        ("startup to healthy", f"{startup:.2f} s", ""),
        ("c=1 requests", f"{lat['n']} ({lat['errors']} errors)", ""),
        ("c=1 p50", f"{lat['p50']:.2f} ms", f"<= {TARGET_P50_MS} ms: " + verdict(lat["p50"] <= 5)),
        ("c=1 p90", f"{lat['p90']:.2f} ms", ""),
        ("c=1 p99", f"{lat['p99']:.2f} ms", ""),
    ]
    for client, t in loads.items():
        name = f"c={args.concurrency} {client}"
        errors = sum(t["errors"].values())
        detail = ", ".join(f"{k}: {v}" for k, v in t["errors"].items())
        rows += [
            (f"{name} requests", f"{t['n']} in {t['seconds']:.1f} s", ""),
            (
                f"{name} throughput",
                f"{t['rps']:.0f} req/s",
                f">= {TARGET_RPS:.0f} req/s: " + verdict(t["rps"] >= TARGET_RPS),
            ),
            (f"{name} latency", f"p50 {t['p50']:.1f} ms, p99 {t['p99']:.1f} ms", ""),
            (f"{name} errors", f"{errors} {detail}".strip(), "must be 0: " + verdict(errors == 0)),
            (
                f"{name} CPU/request",
                f"server {t['server_cpu_ms']:.2f} ms, client {t['client_cpu_ms']:.2f} ms",
                f"{os.cpu_count()} CPUs shared by server and client",
            ),
        ]
    rows += [("RSS start", _mem(mem_start), ""), ("RSS end", _mem(mem_end), "")]
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"\n{'measure':<{width}}  {'value':<{vwidth}}  target")
    print(f"{'-' * width}  {'-' * vwidth}  {'-' * 24}")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<{vwidth}}  {target}")
    return 0


def _mem(mem: tuple[float, list[float]]) -> str:
    total, parts = mem
    return (
        f"{total:.0f} MiB in {len(parts)} processes (" + ", ".join(f"{p:.0f}" for p in parts) + ")"
    )


if __name__ == "__main__":
    sys.exit(main())
