"""Turn a request's image (encoded file or pixel array) into the network's 28 x 28 input."""

from __future__ import annotations

import numpy as np

from app.config import Settings
from app.errors import BadInput, TooLarge
from app.imaging import decode_base64_image, decode_image_bytes
from app.schemas.common import ImageInput
from engine.preprocess import EmptyDrawingError, network_input, pixels_to_unit


def image_from_bytes(data: bytes, preprocess: bool, settings: Settings) -> np.ndarray:
    """Encoded image bytes -> (1, 28, 28) float32 network input."""
    pixels = decode_image_bytes(
        data, settings.max_image_pixels, settings.max_image_side, settings.working_side
    )
    return to_network_input(pixels, preprocess)


def image_from_request(req: ImageInput, settings: Settings) -> np.ndarray:
    """A request's `image` or `pixels` -> (1, 28, 28) float32 network input."""
    if req.image is not None:
        return image_from_bytes(decode_base64_image(req.image), req.preprocess, settings)
    assert req.pixels is not None  # guaranteed by the schema's validator
    rows, cols = len(req.pixels), len(req.pixels[0])
    limit = settings.max_pixels_side
    if max(rows, cols) > limit:
        raise TooLarge(f"pixels is {rows} x {cols}; the largest side allowed is {limit}")
    try:
        unit = pixels_to_unit(np.asarray(req.pixels, dtype=np.float64))
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return to_network_input(unit, req.preprocess)


def to_network_input(image: np.ndarray, preprocess: bool) -> np.ndarray:
    """Decoded pixels -> (1, 28, 28); engine errors become 400s with the engine's message."""
    try:
        return network_input(image, preprocess)[None]
    except EmptyDrawingError as exc:
        raise BadInput(str(exc)) from exc
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
