"""run_numerics: drawings are computed on the event loop's thread, large inputs in the pool."""

from __future__ import annotations

import asyncio
import threading

from app.compute import run_numerics
from app.inputs import INLINE_IMAGE_CHARS, INLINE_PIXEL_ROWS, is_large
from app.schemas.predict import PredictRequest


def where(large: bool) -> tuple[str, str]:
    async def main() -> tuple[str, str]:
        here = threading.current_thread().name
        there = await run_numerics(lambda: threading.current_thread().name, large=large)
        return here, there

    return asyncio.run(main())


def test_small_work_runs_on_the_loop_thread():
    here, there = where(large=False)
    assert here == there


def test_large_work_runs_in_another_thread():
    here, there = where(large=True)
    assert here != there


def test_a_drawing_is_small_and_a_photo_or_big_array_is_large():
    drawing = PredictRequest.model_validate({"image": "a" * 12_000})
    photo = PredictRequest.model_validate({"image": "a" * (INLINE_IMAGE_CHARS + 4)})
    small = PredictRequest.model_validate({"pixels": [[0] * 28] * 28})
    big = PredictRequest.model_validate({"pixels": [[0] * 8] * (INLINE_PIXEL_ROWS + 1)})
    assert not is_large(drawing) and not is_large(small)
    assert is_large(photo) and is_large(big)
