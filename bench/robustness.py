"""POST /api/robustness with 32 values: time per request for every transform, in process.

Run: python -m bench.robustness [--repeats 15] [--values 32]
A canvas PNG of a drawn digit (the page's 280 x 280) goes through the whole app (TestClient:
JSON parsing, PNG decode, the transform, 32 preprocessings, one batched forward pass, JSON out),
and through engine.transforms.sweep alone. Prints the median and the 90th percentile in ms;
asserts nothing.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from fastapi.testclient import TestClient

from app.main import create_app
from engine.serialize import load_model
from engine.strokes.sets import evaluation_digits
from engine.transforms import TRANSFORMS, sweep
from tests.app.payloads import png_data_url


def timed(fn, repeats: int) -> tuple[float, float, float]:
    """(median, 90th percentile) of fn()'s wall time and median CPU time of this process, in
    ms, after one warm-up call (on a loaded machine the CPU time is the steadier figure)."""
    fn()
    times, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(1000 * (time.perf_counter() - start))
        cpu.append(1000 * (time.process_time() - start_cpu))
    return float(np.median(times)), float(np.percentile(times, 90)), float(np.median(cpu))


def main(argv: list[str] | None = None) -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--values", type=int, default=32)
    args = parser.parse_args(argv)
    drawing = next(d for d in evaluation_digits(1) if d.label == 7).image()
    url = png_data_url(drawing)
    model, _ = load_model()
    print(f"bench.robustness: {args.values} values, {args.repeats} runs each, a 280 x 280 PNG\n")
    print("| transform | API p50 (ms) | API p90 (ms) | API CPU p50 (ms) | sweep only p50 (ms) |")
    print("| --- | --- | --- | --- | --- |")
    with TestClient(create_app()) as client:
        for name, (lo, hi, _) in TRANSFORMS.items():
            lo, hi = (-60.0, 60.0) if name == "rotate" else (lo, hi)
            values = np.linspace(lo, hi, args.values).round(4).tolist()
            body = {"image": url, "transform": name, "values": values}

            def call(body=body) -> None:
                r = client.post("/api/robustness", json=body)
                assert r.status_code == 200, r.text

            api50, api90, cpu50 = timed(call, args.repeats)
            eng50, _, _ = timed(lambda n=name, v=values: sweep(model, drawing, n, v), args.repeats)
            print(f"| {name} | {api50:.1f} | {api90:.1f} | {cpu50:.1f} | {eng50:.1f} |")


if __name__ == "__main__":
    main()
