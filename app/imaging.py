"""Decode images that clients send (data URL, base64, or file bytes) into pixel arrays."""

from __future__ import annotations

import base64
import binascii
import io
import re
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from app.errors import BadInput, TooLarge, UnsupportedType

IMAGE_FORMATS = {"PNG", "JPEG", "GIF", "BMP", "WEBP"}
IMAGE_MEDIA_TYPES = {
    "image/png",
    "image/jpeg",
    "image/jpg",
    "image/gif",
    "image/bmp",
    "image/webp",
    "application/octet-stream",
}
_DATA_URL = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?:;[\w=.+-]+)*;base64,", re.I)


def configure_pillow(max_image_pixels: int) -> None:
    """Set Pillow's decompression-bomb limit explicitly (it refuses images twice this size)."""
    Image.MAX_IMAGE_PIXELS = max_image_pixels


def decode_base64_image(text: str) -> bytes:
    """'data:image/png;base64,...' or plain base64 -> bytes; BadInput/UnsupportedType otherwise."""
    text = text.strip()
    match = _DATA_URL.match(text)
    if match:
        media_type = (match.group("type") or "").lower()
        if media_type and media_type not in IMAGE_MEDIA_TYPES:
            raise UnsupportedType(
                f"the data URL holds {media_type}; send a PNG or JPEG image (image/png, image/jpeg)"
            )
        text = text[match.end() :]
    elif text.startswith("data:"):
        raise BadInput("a data URL must be base64-encoded: data:image/png;base64,<data>")
    try:
        data = base64.b64decode(re.sub(r"\s+", "", text), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadInput(
            f"image is not valid base64 ({exc}); send a data URL or plain base64"
        ) from exc
    if not data:
        raise BadInput("image is empty: send the bytes of a PNG or JPEG file")
    return data


def decode_image_bytes(
    data: bytes, max_pixels: int, max_side: int = 8192, working_side: int = 1024
) -> np.ndarray:
    """PNG/JPEG/... bytes -> (H, W) or (H, W, 2) uint8 (gray, or gray + alpha)."""
    return decode_image_with_size(data, max_pixels, max_side, working_side)[0]


def decode_image_with_size(
    data: bytes, max_pixels: int, max_side: int = 8192, working_side: int = 1024
) -> tuple[np.ndarray, tuple[int, int]]:
    """PNG/JPEG/... bytes -> ((H, W) or (H, W, 2) uint8, (height, width) of the image sent).

    Images larger than `working_side` are scaled down (anti-aliased) so that the cost of
    reading them is bounded whatever their size; the digit is 20 px tall in the end anyway.
    """
    if not data:
        raise BadInput("image is empty: send the bytes of a PNG or JPEG file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.format not in IMAGE_FORMATS:
                raise UnsupportedType(
                    f"{img.format} images are not supported; send PNG, JPEG, GIF, BMP or WebP"
                )
            width, height = img.size
            if max(width, height) > max_side:
                raise TooLarge(
                    f"image is {width} x {height} pixels; the largest side allowed is {max_side}"
                )
            if width * height > max_pixels:
                raise TooLarge(
                    f"image is {width} x {height} pixels; the limit is {max_pixels} pixels in all: "
                    "send a smaller image (a 280 x 280 drawing is plenty)"
                )
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooLarge(f"image is too large to decode safely: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise BadInput("the data is not an image Pillow can read: send a PNG or JPEG file") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise BadInput(f"the image is damaged or truncated ({exc}); send the whole file") from exc
    has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    converted = img.convert("LA" if has_alpha else "L")
    if max(converted.size) > working_side:
        converted.thumbnail((working_side, working_side), Image.Resampling.BOX)
    return np.asarray(converted, dtype=np.uint8), (height, width)
