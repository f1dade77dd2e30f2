"""What the HTTP tests send and read: PNG bytes, data URLs, drawings, JSON numbers as float32."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image


def png_bytes(image: np.ndarray) -> bytes:
    """(H, W) uint8 or (H, W, C) uint8 -> PNG file bytes."""
    buf = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def png_data_url(image: np.ndarray) -> str:
    """(H, W) uint8 -> 'data:image/png;base64,...'."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")


def as_drawing(digit: np.ndarray, scale: int = 10) -> np.ndarray:
    """(28, 28) MNIST uint8 (light on dark) -> (28*scale, 28*scale) dark ink on white."""
    big = np.kron(digit, np.ones((scale, scale), dtype=np.uint8))
    return 255 - big


def stroke_image(size: int = 28) -> np.ndarray:
    """(size, size) uint8: a vertical bar, light on dark, like a handwritten 1."""
    img = np.zeros((size, size), dtype=np.uint8)
    lo, hi = size // 5, size - size // 5
    img[lo:hi, size // 2 - max(1, size // 14) : size // 2 + max(1, size // 14)] = 255
    return img


def f32(value) -> np.ndarray:
    """JSON numbers -> float32 array (float32 survives the JSON roundtrip exactly)."""
    return np.asarray(value, dtype=np.float32)
