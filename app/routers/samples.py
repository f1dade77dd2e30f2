"""GET /api/samples: digits from the MNIST test set."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query

from app.deps import SettingsDep, TestSetDep
from app.errors import error_responses
from app.responses import NumpyJSONResponse
from app.schemas.samples import SamplesResponse

router = APIRouter(prefix="/api", tags=["samples"])


@router.get(
    "/samples",
    response_model=SamplesResponse,
    responses=error_responses(503),
    summary="MNIST test digits, optionally of one class",
)
def samples(
    test_set: TestSetDep,
    settings: SettingsDep,
    digit: Annotated[
        int | None, Query(ge=0, le=9, description="Only this digit.", examples=[3])
    ] = None,
    count: Annotated[int, Query(ge=1, description="How many (at most the configured max).")] = 1,
    offset: Annotated[int, Query(ge=0, description="Skip this many matches first.")] = 0,
) -> NumpyJSONResponse:
    """Reads the MNIST test files from the data directory (CONVLENS_DATA, else the user cache,
    downloading them on first use). 503 with instructions when they cannot be had."""
    images, labels = test_set
    count = min(count, settings.max_samples)
    idx = np.arange(len(labels)) if digit is None else np.flatnonzero(labels == digit)
    chosen = idx[offset : offset + count]
    return NumpyJSONResponse(
        {
            "samples": [
                {
                    "index": int(i),
                    "label": int(labels[i]),
                    "pixels": np.ascontiguousarray(images[i]),
                }
                for i in chosen
            ]
        }
    )
