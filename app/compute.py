"""Where a request's numerics run: on the worker's event loop for drawings, in threads for photos.

Measured with `python -m bench.http` (2 workers on 2 cores, the page's 280 x 280 canvas PNG):
- one pool thread per request (FastAPI's default for `def` routes): the threads of a worker
  fight over the GIL, so throughput fell as concurrency rose (c=32 510 req/s, c=64 383);
- one compute thread per worker, fed in order: fair, but the hand-offs cost ~1.4 ms a request
  (c=32 393 req/s) and the classroom simulation's p99 rose to 152 ms;
- on the event loop, after one yield so that pending reads and writes go first: c=32 513 req/s,
  c=64 539, 0 errors; the classroom's p99 64 ms. A drawing takes ~3 ms, so the loop is never
  held for long; large inputs (photos, big arrays) still go to the thread pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

T = TypeVar("T")


async def run_numerics(fn: Callable[..., T], *args: object, large: bool) -> T:
    """fn(*args) inline on the event loop, or in the thread pool when the input is `large`."""
    if large:
        return await run_in_threadpool(fn, *args)
    await asyncio.sleep(0)  # let the loop read and write what is pending before this request
    return fn(*args)
