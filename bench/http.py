"""HTTP benchmark: a real `convlens serve` on 127.0.0.1, latency and throughput by concurrency.

    python -m bench.http --seconds 10
    python -m bench.http --blas-threads 1 --concurrency 1 4 32 64

Three requests, all POST /api/predict with `layers: "all"` (choose with `--requests`): `page`,
what the page sends (a 280 x 280 gray canvas PNG data URL, bench/canvas.py, with
`encoding: "f16"`); `rgba-lists`, what the page sent before (the RGBA PNG of toDataURL, nested
lists back), as API clients still do and as older revisions (`--rev`) accept; and `pixels` of a
synthetic 28 x 28 stroke. Each runs at
every `--concurrency` for `--seconds` with a cheap client: wrk when installed (one thread, a Lua
script for the body), else a minimal keep-alive asyncio client. Prints a table with the load
average and the server's CPU per request; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import numpy as np

from bench.canvas import data_url, finished_pad

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent


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


@contextlib.contextmanager
def code_tree(rev: str | None) -> Iterator[tuple[Path, dict[str, str]]]:
    """(directory to run the server in, its environment): this tree, or git revision `rev`
    exported to a temporary directory (the same virtualenv runs it)."""
    env = dict(os.environ)
    if rev is None:
        yield REPO, env
        return
    with tempfile.TemporaryDirectory(prefix="convlens-rev-") as tree:
        archive = subprocess.run(["git", "archive", rev], cwd=REPO, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", tree], input=archive.stdout, check=True)
        env["PYTHONPATH"] = tree
        yield Path(tree), env


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


PAGE = "page"  # the request the targets are about


def payloads() -> dict[str, dict]:
    """The requests measured: the page's, the old page's (RGBA PNG, lists), and `pixels`."""
    img = np.zeros((28, 28), dtype=np.uint8)
    img[5:23, 12:16] = 255
    pad = finished_pad("7")
    return {
        PAGE: {
            "image": data_url(pad.png()),
            "preprocess": True,
            "layers": "all",
            "encoding": "f16",
        },
        "rgba-lists": {"image": data_url(pad.rgba_png()), "preprocess": True, "layers": "all"},
        "pixels": {"pixels": img.tolist(), "layers": "all"},
    }


WRK_SCRIPT = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[%s]==]
"""


def wrk_load(base: str, body: dict, concurrency: int, seconds: float) -> dict:
    """wrk -t1 -c<concurrency> for `seconds`: requests/s, latency percentiles, errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % json.dumps(body))
    try:
        cmd = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds:g}s", "--latency", "-s", f.name]
        out = subprocess.run(
            [*cmd, f"{base}/api/predict"], capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(f.name)
    percent = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    if len(percent) < 2:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    errors: Counter[str] = Counter()
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors["HTTP >= 400"] += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        for kind, n in zip(("connect", "read", "write", "timeout"), m.groups(), strict=True):
            if int(n):
                errors[kind] += int(n)
    n = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "n": n,
        "errors": errors,
        "seconds": seconds,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(percent["50"]),
        "p99": _ms(percent["99"]),
    }


def _ms(text: str) -> float:
    """wrk's '1.23ms', '950.00us', '1.20s' -> milliseconds."""
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


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


async def raw_load(port: int, body: dict, concurrency: int, seconds: float, cap: int) -> dict:
    """`concurrency` connections of a minimal keep-alive HTTP/1.1 client (asyncio streams), each
    with one request in flight, for at most `seconds` and `cap` requests in all."""
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


def measure(run: Callable[[], dict], pid: int) -> dict:
    """Run one load phase; add the server's CPU ms per request and the load average."""
    server0 = cpu_seconds(pid)
    result = run()
    result["server_cpu_ms"] = (cpu_seconds(pid) - server0) / max(result["n"], 1) * 1000
    result["load"] = os.getloadavg()[0]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 32, 64])
    parser.add_argument("--cap", type=int, default=100_000, help="asyncio client: most requests")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--client", choices=["auto", "wrk", "asyncio"], default="auto")
    parser.add_argument("--rev", help="serve the code of this git revision (default: this tree)")
    parser.add_argument(
        "--blas-threads", type=int, help="set OPENBLAS_NUM_THREADS in the server's environment"
    )
    parser.add_argument(
        "--requests",
        nargs="+",
        choices=list(payloads()),
        default=list(payloads()),
        help="which requests to measure (older revisions take rgba-lists and pixels only)",
    )
    args = parser.parse_args(argv)
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "asyncio"

    bodies = {k: v for k, v in payloads().items() if k in args.requests}
    port = free_port()
    base = f"http://{HOST}:{port}"
    cmd = server_command(port, args.workers)
    if args.rev:  # the console script imports this tree: run the module of the exported one
        cmd = [sys.executable, "-m", "app.cli", *cmd[cmd.index("serve") :]]
    results: list[tuple[str, int, dict]] = []
    with code_tree(args.rev) as (cwd, env), serving(cmd, cwd, env, args.blas_threads) as proc:
        startup = wait_healthy(base, proc)
        time.sleep(1.0)  # let every worker finish importing
        for body in bodies.values():  # each worker loads the model on its first request
            for _ in range(4 * args.workers):
                httpx.post(f"{base}/api/predict", json=body, timeout=30.0)
        sizes = {
            k: len(httpx.post(f"{base}/api/predict", json=b).content) for k, b in bodies.items()
        }
        mem_start = rss_mib(proc.pid)
        for what, body in bodies.items():
            for c in args.concurrency:
                if client == "wrk":
                    run = lambda b=body, c=c: wrk_load(base, b, c, args.seconds)  # noqa: E731
                else:
                    run = lambda b=body, c=c: asyncio.run(  # noqa: E731
                        raw_load(port, b, c, args.seconds, args.cap)
                    )
                results.append((what, c, measure(run, proc.pid)))
        mem_end = rss_mib(proc.pid)

    shown = [Path(cmd[0]).name, *cmd[1:]]
    blas = env.get("OPENBLAS_NUM_THREADS", "unset")
    print(f"\nserver: {' '.join(shown)} (OPENBLAS_NUM_THREADS={blas}), healthy in {startup:.1f} s")
    print(f"code: {args.rev or 'this tree'}")
    print(f"client: {client}, {args.seconds:g} s per row, {os.cpu_count()} CPUs shared with it")
    print("answers: " + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in sizes.items()))
    head = f"{'request':<11} {'c':>3} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'requests':>9}"
    print(f"\n{head} {'errors':>7} {'server CPU/req':>15} {'load':>5}")
    for what, c, r in results:
        errors = sum(r["errors"].values())
        detail = " ".join(f"{k}:{v}" for k, v in r["errors"].items())
        print(
            f"{what:<11} {c:>3} {r['rps']:>7.0f} {r['p50']:>7.2f} {r['p99']:>7.1f} {r['n']:>9} "
            f"{errors:>7} {r['server_cpu_ms']:>12.2f} ms {r['load']:>5.1f} {detail}"
        )
    print(f"\ntargets ({PAGE}): " + "; ".join(verdicts(results)))
    print(f"RSS start: {_mem(mem_start)}\nRSS end:   {_mem(mem_end)}")
    return 0


@contextlib.contextmanager
def serving(
    cmd: list[str], cwd: Path, env: dict[str, str], blas_threads: int | None
) -> Iterator[subprocess.Popen]:
    """The server process, killed with its workers on the way out (errors, Ctrl-C)."""
    if blas_threads:
        env["OPENBLAS_NUM_THREADS"] = str(blas_threads)
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, start_new_session=True)
    try:
        yield proc
    finally:
        stop(proc)


def verdicts(results: list[tuple[str, int, dict]]) -> list[str]:
    """The issue's targets, each 'met' or 'MISSED', for the page's rows."""
    rows = {c: r for what, c, r in results if what == PAGE}
    out = []
    if 1 in rows:
        out.append(f"c=1 p50 <= 2 ms {_ok(rows[1]['p50'] <= 2)}")
    if 32 in rows:
        r = rows[32]
        out.append(f"c=32 >= 800 req/s {_ok(r['rps'] >= 800)}")
        out.append(f"c=32 p99 <= 100 ms {_ok(r['p99'] <= 100)}")
    rates = [rows[c]["rps"] for c in sorted(rows)]
    rising = all(b >= 0.95 * a for a, b in itertools.pairwise(rates))  # 5 %: run-to-run noise
    out.append(f"req/s never falls as c rises (5 % noise) {_ok(rising)}")
    errors = sum(sum(r["errors"].values()) for _, _, r in results)
    out.append(f"0 errors {_ok(errors == 0)}")
    return out


def _ok(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _mem(mem: tuple[float, list[float]]) -> str:
    total, parts = mem
    return (
        f"{total:.0f} MiB in {len(parts)} processes (" + ", ".join(f"{p:.0f}" for p in parts) + ")"
    )


if __name__ == "__main__":
    sys.exit(main())
