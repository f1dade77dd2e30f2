"""How long the Network page blocks its main thread while a digit is drawn with live prediction.

Run: python -m bench.page_lag [--before DIR] [--runs 3] [--digits 2,5,8]
Serves the code in this checkout (and, with --before, the code in DIR, e.g. an export of main:
`mkdir /tmp/main && git archive main | tar -x -C /tmp/main`) with uvicorn on 127.0.0.1, opens
/ in headless Chromium at 1280 x 800, draws the project's example digits with the mouse (Playwright
moves, 3 steps a segment) and records every `longtask` entry (PerformanceObserver, buffered) from
the first stroke until the last prediction is shown. Also prints the size of one POST
/api/predict answer with `encoding: "lists"` and `"f16"` (when the server knows the field).
Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from bench.canvas import data_url, finished_drawing
from tests.server import free_port

HERE = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CONVLENS_CHROMIUM", "/usr/bin/chromium")
OBSERVE = """() => {
  window.__long = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__long.push(e.duration);
  }).observe({ type: "longtask", buffered: false });
}"""


@contextmanager
def server(code: Path):
    """uvicorn serving app.main:app from the folder `code` on a free 127.0.0.1 port."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(code)}
    cmd = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    proc = subprocess.Popen(
        [*cmd, "--port", str(port), "--log-level", "warning"], cwd=code, env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/api/health", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"the server for {code} did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def payload_sizes(url: str) -> dict[str, int | None]:
    """Bytes of one /api/predict answer (layers "all") per encoding; None when refused."""
    image = data_url(finished_drawing("3"))
    sizes: dict[str, int | None] = {}
    for encoding in ("lists", "f16"):
        body = {"image": image, "preprocess": True, "layers": "all"}
        if encoding != "lists":
            body["encoding"] = encoding
        req = urllib.request.Request(
            url + "/api/predict", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        try:
            answer = urllib.request.urlopen(req, timeout=30).read()
        except urllib.error.HTTPError:
            sizes[encoding] = None
            continue
        layers = json.loads(answer)["layers"]
        compact = isinstance(layers[0]["activations"], dict)
        sizes[encoding] = len(answer) if encoding == "lists" or compact else None
    return sizes


def draw_once(page, url: str, digit: str) -> dict[str, float]:
    """Draw `digit` once on a fresh page; long tasks (ms) and the time per pointer move (ms)."""
    page.goto(url + "/")
    page.wait_for_selector("[data-testid=kernel-conv2-0]")
    page.wait_for_timeout(300)
    page.evaluate(OBSERVE)
    box = page.get_by_test_id("draw-canvas").bounding_box()
    moves = 0
    start = time.perf_counter()
    for stroke in json.loads((HERE / "app/static/data/example-strokes.json").read_text())[digit]:
        points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=3)
            moves += 3
        page.mouse.up()
    drawing = time.perf_counter() - start
    page.wait_for_function("() => !document.body.classList.contains('busy')", timeout=10000)
    page.wait_for_timeout(400)
    tasks = page.evaluate("() => window.__long")
    return {"tasks": tasks, "move_ms": 1000 * drawing / max(1, moves)}


def measure(code: Path, runs: int, digits: list[str]) -> dict:
    """Long-task figures over `runs` drawings of each digit, and the payload sizes."""
    from playwright.sync_api import sync_playwright

    tasks: list[float] = []
    moves: list[float] = []
    with server(code) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        for _ in range(runs):
            for digit in digits:
                result = draw_once(page, url, digit)
                tasks += result["tasks"]
                moves.append(result["move_ms"])
        browser.close()
        sizes = payload_sizes(url)
    return {
        "count": len(tasks),
        "over50": sum(t > 50 for t in tasks),
        "median": statistics.median(tasks) if tasks else 0.0,
        "max": max(tasks, default=0.0),
        "move": statistics.median(moves),
        "sizes": sizes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="a checkout of the code to compare against")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--digits", default="2,5,8")
    args = parser.parse_args()
    digits = args.digits.split(",")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    columns = {}
    if args.before:
        columns["before"] = measure(args.before.resolve(), args.runs, digits)
    columns["now"] = measure(HERE, args.runs, digits)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"{args.runs} runs x digits {args.digits}, 1280 x 800, headless Chromium\n")
    names = list(columns)
    print("| figure | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    rows = [
        ("long tasks (count)", lambda c: f"{c['count']}"),
        ("long tasks over 50 ms", lambda c: f"{c['over50']}"),
        ("long task median (ms)", lambda c: f"{c['median']:.0f}"),
        ("long task max (ms)", lambda c: f"{c['max']:.0f}"),
        ("time per pointer move (ms)", lambda c: f"{c['move']:.1f}"),
        ("answer, lists (KiB)", lambda c: _kib(c["sizes"]["lists"])),
        ("answer, f16 (KiB)", lambda c: _kib(c["sizes"]["f16"])),
    ]
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(columns[n]) for n in names) + " |")


def _kib(size: int | None) -> str:
    return "-" if size is None else f"{size / 1024:.1f}"


if __name__ == "__main__":
    main()
