"""Compact array encodings for JSON answers: float16 bytes in base64 beside the nested lists."""

from __future__ import annotations

import base64
from typing import Any, Literal

import numpy as np

Encoding = Literal["lists", "f16"]
ENCODINGS: tuple[str, ...] = ("lists", "f16")


def encode_array(values: np.ndarray, encoding: Encoding) -> np.ndarray | dict[str, Any]:
    """(*shape) array -> itself ("lists": the JSON writer nests it) or, for "f16",
    {shape, dtype: "float16", data: base64 of the values as little-endian IEEE float16, C order}."""
    if encoding == "lists":
        return values
    if encoding != "f16":
        raise ValueError(f"unknown encoding {encoding!r}: use one of {list(ENCODINGS)}")
    half = np.ascontiguousarray(values, dtype="<f2")
    return {
        "shape": list(values.shape),
        "dtype": "float16",
        "data": base64.b64encode(half.tobytes()).decode("ascii"),
    }


def decode_array(packed: dict[str, Any]) -> np.ndarray:
    """{shape, dtype: "float16", data} from encode_array -> (*shape) float32 array."""
    if packed.get("dtype") != "float16":
        raise ValueError(f"dtype {packed.get('dtype')!r} is not float16")
    half = np.frombuffer(base64.b64decode(packed["data"]), dtype="<f2")
    return half.astype(np.float32).reshape(packed["shape"])
