"""Per-request costs of a canvas drawing, in one process: decode, preprocess, network, JSON.

    python -m bench.decode                      # before = the code at --before, after = this tree
    python -m bench.decode --before a1a3080 --runs 2000

The request is what the page sends (bench/canvas.py: a 280 x 280 8-bit gray PNG of an example
digit as a data URL, `layers: "all"`); the same drawing as the RGBA PNG `canvas.toDataURL()` gives
is measured beside it. "before" runs app/imaging.py and engine/preprocess.py as they were
at the git revision `--before`, loaded from `git show`; "after" runs this tree. Each figure is
the median over `--runs` calls, in microseconds: wall time, and the thread's CPU time in brackets. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import numpy as np

from app.config import Settings
from app.imaging import decode_base64_image, decode_image_with_size
from app.inputs import read_bytes
from app.responses import NumpyJSONResponse
from app.routers.predict import prediction_payload
from app.state import load as load_model_file
from bench.canvas import data_url, finished_pad
from engine.preprocess import network_input_with_placement

REPO = Path(__file__).resolve().parent.parent
BASELINE = "a1a3080"  # the tree before the serving work


def module_at(rev: str, path: str, name: str) -> types.ModuleType:
    """The module at `path` as it was at git revision `rev`."""
    source = subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout
    module = types.ModuleType(name)
    module.__file__ = f"{rev}:{path}"
    sys.modules[name] = module  # dataclasses look their module up by name
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102 - our own code
    return module


def timed(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, tuple[float, float]]:
    """{name: (wall, CPU)} microseconds, medians over `runs` rounds after a few warm-up calls.

    Each round calls every function once, in turn, so that all of them meet the same load on a
    shared machine. The CPU time (this thread's) leaves out the time spent waiting for a core."""
    for fn in fns.values():
        for _ in range(min(20, runs)):
            fn()
    wall: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            t0, c0 = time.perf_counter(), time.thread_time()
            fn()
            cpu[name].append(time.thread_time() - c0)
            wall[name].append(time.perf_counter() - t0)
    return {k: (statistics.median(wall[k]) * 1e6, statistics.median(cpu[k]) * 1e6) for k in fns}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BASELINE, help="git revision to compare with")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--digit", default="7", help="which example digit to draw")
    parser.add_argument(
        "--png", type=Path, help="measure this PNG file instead (e.g. a real canvas)"
    )
    args = parser.parse_args(argv)

    settings = Settings()
    pad = finished_pad(args.digit)
    pngs = {"gray": pad.png(), "RGBA": pad.rgba_png()}
    if args.png:
        pngs = {"file": args.png.read_bytes()}
    old_img = module_at(args.before, "app/imaging.py", "_before_imaging")
    old_pre = module_at(args.before, "engine/preprocess.py", "_before_preprocess")
    before: dict[str, tuple[float, float]] = {}
    after: dict[str, tuple[float, float]] = {}
    diffs: list[float] = []
    for kind, png in pngs.items():
        url = data_url(png)

        def before_decode(url: str = url) -> np.ndarray:
            return old_img.decode_image_with_size(
                decode_base64_image(url),
                settings.max_image_pixels,
                settings.max_image_side,
                settings.working_side,
            )[0]

        def after_read(url: str = url) -> object:
            return read_bytes(decode_base64_image(url), True, settings)

        def after_decode(url: str = url) -> object:
            return decode_image_with_size(decode_base64_image(url), settings.max_image_pixels)

        old_pixels = before_decode()
        new_pixels = after_decode()[0]
        diffs.append(
            float(
                np.abs(
                    old_pre.network_input_with_placement(old_pixels)[0] - after_read()[0][0]
                ).max()
            )
        )
        stages = {
            f"{kind} {len(png):,} B: base64 + PNG decode": (before_decode, after_decode),
            f"{kind}: preprocess": (
                lambda old_pixels=old_pixels: old_pre.network_input_with_placement(old_pixels),
                lambda new_pixels=new_pixels: network_input_with_placement(new_pixels),
            ),
            f"{kind}: decode + preprocess": (
                lambda before_decode=before_decode: old_pre.network_input_with_placement(
                    before_decode()
                ),
                after_read,
            ),
        }
        for name, (old, new) in stages.items():
            both = timed({"before": old, "after": new}, args.runs)
            before[name], after[name] = both["before"], both["after"]
    new_input = read_bytes(
        decode_base64_image(data_url(next(iter(pngs.values())))), True, settings
    )[0][0]

    loaded = load_model_file(Path(settings.weights))
    image = new_input[None]
    payload = prediction_payload(loaded, image, "all")
    body = NumpyJSONResponse(payload).body
    rest = timed(
        {
            "model.trace + payload (all layers)": lambda: prediction_payload(loaded, image, "all"),
            f"orjson of the answer ({len(body) / 1024:.0f} KiB)": lambda: (
                NumpyJSONResponse(payload).body
            ),
        },
        args.runs,
    )

    load = os.getloadavg()[0]
    what = args.png or f"example digit {args.digit}"
    print(f"\n280 x 280 PNG data URLs of {what}, {args.runs} runs each,")
    print(f"load average {load:.2f}; microseconds, median wall (median CPU)\n")
    print(f"{'stage':<40}  {'before ' + args.before:>18}  {'after (this tree)':>18}")
    print(f"{'-' * 40}  {'-' * 18}  {'-' * 18}")
    for name in before:
        b, a = before[name], after[name]
        cell_b = f"{b[0]:8.0f} ({b[1]:5.0f})"
        cell_a = f"{a[0]:8.0f} ({a[1]:5.0f})"
        print(f"{name:<40}  {cell_b:>18}  {cell_a:>18}")
    for name, (med, low) in rest.items():
        print(f"{name:<40}  {'':>18}  {f'{med:8.0f} ({low:5.0f})':>18}")
    print(f"\nlargest difference between the two 28 x 28 inputs: {max(diffs):.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
