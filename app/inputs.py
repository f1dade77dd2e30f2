"""Turn a request's image (encoded file or pixel array) into the network's 28 x 28 input."""

from __future__ import annotations

import numpy as np

from app.config import Settings
from app.errors import BadInput, TooLarge
from app.imaging import decode_base64_image, decode_image_with_size, release_free_memory
from app.schemas.common import ImageInput, check_rectangular
from engine.preprocess import Placement, network_input_with_placement, pixels_to_unit

Read = tuple[np.ndarray, Placement | None]  # ((1, 28, 28) input, where the drawing went in it)

# Inputs up to these sizes are drawings (a canvas PNG is ~10 KB of base64 and takes ~2 ms to
# read); larger ones are photos or big arrays, read in the thread pool (app/compute.py).
INLINE_IMAGE_CHARS = 256 * 1024
INLINE_PIXEL_ROWS = 64


def read_bytes(data: bytes, preprocess: bool, settings: Settings) -> Read:
    """Encoded image bytes -> (1, 28, 28) input and its placement in the image as sent.

    After a large image (over working_side squared) the freed heap goes back to the system:
    glibc keeps it otherwise, and a worker that read big images would stay big."""
    pixels, sent_shape = decode_image_with_size(
        data,
        settings.max_image_pixels,
        settings.max_image_side,
        settings.working_side,
        settings.large_decodes,
    )
    large = sent_shape[0] * sent_shape[1] > settings.working_side**2
    try:
        image, placement = to_network_input(pixels, preprocess)
        if placement is not None and pixels.shape[:2] != sent_shape:
            placement = placement.for_sent_size(pixels.shape[:2], sent_shape)
    finally:
        if large:
            del pixels
            release_free_memory()
    return image, placement


def read_request(req: ImageInput, settings: Settings) -> Read:
    """A request's `image` or `pixels` -> (1, 28, 28) input and its placement (or None)."""
    if req.image is not None:
        return read_bytes(decode_base64_image(req.image), req.preprocess, settings)
    return to_network_input(read_pixels(req, settings), req.preprocess)


def read_drawing(req: ImageInput, settings: Settings) -> np.ndarray:
    """A request's `image` or `pixels`, decoded but not preprocessed (to change the drawing)."""
    if req.image is None:
        return read_pixels(req, settings)
    pixels, _ = decode_image_with_size(
        decode_base64_image(req.image),
        settings.max_image_pixels,
        settings.max_image_side,
        settings.working_side,
        settings.large_decodes,
    )
    return pixels


def read_pixels(req: ImageInput, settings: Settings) -> np.ndarray:
    """A request's `pixels` -> (H, W) float64 in [0, 1]; 400/413 for bad or too large arrays."""
    assert req.pixels is not None  # guaranteed by the schema's validator
    try:
        rows, cols = check_rectangular(req.pixels, 2, "pixels")
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    limit = settings.max_pixels_side
    if max(rows, cols) > limit:
        raise TooLarge(f"pixels is {rows} x {cols}; the largest side allowed is {limit}")
    try:
        return pixels_to_unit(np.asarray(req.pixels, dtype=np.float64))
    except ValueError as exc:
        raise BadInput(str(exc)) from exc


def is_large(req: ImageInput) -> bool:
    """Whether reading this input is big work (a photo, a large pixel array), not a drawing."""
    large_image = req.image is not None and len(req.image) > INLINE_IMAGE_CHARS
    return large_image or (req.pixels is not None and len(req.pixels) > INLINE_PIXEL_ROWS)


def to_network_input(image: np.ndarray, preprocess: bool) -> Read:
    """Decoded pixels -> ((1, 28, 28), placement); engine errors become 400s with its message."""
    try:
        network_image, placement = network_input_with_placement(image, preprocess)
    except ValueError as exc:  # EmptyDrawingError included: the message says what to change
        raise BadInput(str(exc)) from exc
    return network_image[None], placement
