"""A JSON response that serialises NumPy arrays in C (orjson), with no per-float Python work."""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
from fastapi.responses import JSONResponse


class NumpyJSONResponse(JSONResponse):
    """JSON via orjson; NumPy arrays become nested lists natively."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Serialise `content` (dicts, lists, scalars, C-contiguous NumPy arrays)."""
        return orjson.dumps(
            content,
            default=_fallback,
            option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS,
        )


def _fallback(obj: Any) -> Any:
    """Strided NumPy views and NumPy scalars, which orjson does not take directly."""
    if isinstance(obj, np.ndarray):
        return np.ascontiguousarray(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"cannot serialise {type(obj).__name__}")
