"""64 parallel /api/predict requests against a real server give what 64 sequential ones give."""

from __future__ import annotations

import asyncio

import httpx
import numpy as np


def _drawings(n: int) -> list[list[list[float]]]:
    """n distinct synthetic pen strokes (28 x 28, light ink on dark), one per request."""
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        img = np.zeros((28, 28))
        r0, c0 = rng.integers(4, 10, 2)
        r1, c1 = rng.integers(18, 24, 2)
        for t in np.linspace(0, 1, 40):
            r, c = int(r0 + t * (r1 - r0)), int(c0 + t * (c1 - c0))
            img[r : r + 2, c : c + 2] = 1.0
        img[r0 : r1 + 1, c0 : c0 + 2] = 1.0
        out.append(img.tolist())
    return out


async def _post_all(base_url: str, bodies: list[dict]) -> list[dict]:
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        responses = await asyncio.gather(*(client.post("/api/predict", json=b) for b in bodies))
    assert [r.status_code for r in responses] == [200] * len(bodies)
    return [r.json() for r in responses]


def test_parallel_predictions_equal_sequential_ones(live_server: str) -> None:
    """Inference shares no mutable state: concurrency changes no number."""
    bodies = [{"pixels": p, "layers": ["conv1", "pool2", "softmax"]} for p in _drawings(64)]
    with httpx.Client(base_url=live_server, timeout=60) as client:
        sequential = [client.post("/api/predict", json=b).json() for b in bodies]
    parallel = asyncio.run(_post_all(live_server, bodies))
    assert parallel == sequential
    assert len({str(p["probabilities"]) for p in sequential}) > 1  # the inputs really differ
