"""Decode images that clients send (data URL, base64, or file bytes) into pixel arrays."""

from __future__ import annotations

import base64
import binascii
import ctypes
import io
import os
import platform
import re
import threading
import warnings
from functools import lru_cache

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import BadInput, TooLarge, Unavailable, UnsupportedType

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
JPEG_MAX_REDUCTION = 8  # a JPEG can be decoded at 1/8 of its width and height
LARGE_DECODE_WAIT = 10.0  # seconds a request waits for a large-decode slot, then 503
ORIENTATION = 0x0112  # the EXIF orientation tag
M_MMAP_THRESHOLD = -3  # mallopt() parameter number (malloc.h)
MMAP_THRESHOLD = 1 << 20
_DATA_URL = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?:;[\w=.+-]+)*;base64,", re.I)


def configure_pillow(max_image_pixels: int) -> None:
    """Set Pillow's decompression-bomb limit, and make big image buffers go back to the system.

    Images are checked against `max_image_pixels` here after any reduced-size decoding, so
    Pillow only stops absurd headers (it refuses images twice its limit, at open). glibc raises
    its mmap threshold each time a big block is freed, after which big blocks come from heaps it
    keeps: a fixed threshold (unless MALLOC_MMAP_THRESHOLD_ is set) keeps every buffer of 1 MiB
    or more mmapped, so it is returned on free and a worker shrinks back after large images.
    """
    Image.MAX_IMAGE_PIXELS = max_image_pixels * JPEG_MAX_REDUCTION**2
    if _LIBC is not None and "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        _LIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


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
        try:  # what browsers send has no whitespace: skip the scan for it
            data = base64.b64decode(text, validate=True)
        except binascii.Error:
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
    data: bytes,
    max_pixels: int,
    max_side: int = 8192,
    working_side: int = 1024,
    large_decodes: int = 2,
) -> tuple[np.ndarray, tuple[int, int]]:
    """PNG/JPEG/... bytes -> ((H, W) or (H, W, 2) uint8, (height, width) of the image sent).

    Gray (H, W) unless the image has real transparency, then gray + alpha. The EXIF orientation
    is applied. Images larger than `working_side` are scaled down (anti-aliased; JPEGs are
    decoded at a reduced size) so that the cost of reading them is bounded whatever their size;
    the digit is 20 px tall in the end anyway. At most `large_decodes` such images are decoded at
    once per process; call release_free_memory() once their pixels are no longer needed.
    """
    if not data:
        raise BadInput("image is empty: send the bytes of a PNG or JPEG file")
    img, sent_size = _open(data, max_pixels, max_side, working_side)
    if img.size[0] * img.size[1] <= working_side**2:
        return _read(img, sent_size, working_side)
    slots = _large_decode_slots(large_decodes)
    if not slots.acquire(timeout=LARGE_DECODE_WAIT):
        raise Unavailable(
            f"the server is busy decoding other large images; try again, or send an image of at "
            f"most {working_side} x {working_side} pixels"
        )
    try:
        return _read(img, sent_size, working_side)
    finally:
        slots.release()


def _open(
    data: bytes, max_pixels: int, max_side: int, working_side: int
) -> tuple[Image.Image, tuple[int, int]]:
    """(image whose header passed the limits, set to decode at a reduced size where it can,
    (width, height) as sent)."""
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
                    f"image is {width} x {height} pixels; the largest side allowed is {max_side}: "
                    "send a smaller image (a 280 x 280 drawing is plenty)"
                )
            if img.format == "JPEG":  # DCT scaling: decode at 1/2, 1/4 or 1/8 of the size
                img.draft("L" if img.mode in ("L", "RGB") else None, (working_side,) * 2)
            if img.size[0] * img.size[1] > max_pixels:
                raise TooLarge(
                    f"image is {width} x {height} pixels; the limit is {max_pixels:,} pixels in "
                    "all (width x height): send a smaller image (a 280 x 280 drawing is plenty)"
                )
            return img, (width, height)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooLarge(f"image is too large to decode safely: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise BadInput("the data is not an image Pillow can read: send a PNG or JPEG file") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise BadInput(f"the image is damaged or truncated ({exc}); send the whole file") from exc


def _read(
    img: Image.Image, sent_size: tuple[int, int], working_side: int
) -> tuple[np.ndarray, tuple[int, int]]:
    """Decode an opened image -> (pixels, (height, width) as sent, EXIF orientation applied)."""
    width, height = sent_size
    try:
        img.load()
        if "exif" in img.info and img.getexif().get(ORIENTATION, 1) != 1:
            if img.getexif()[ORIENTATION] in (5, 6, 7, 8):  # a quarter turn: sides swap
                width, height = height, width
            img = ImageOps.exif_transpose(img)
    except (OSError, SyntaxError, ValueError) as exc:
        raise BadInput(f"the image is damaged or truncated ({exc}); send the whole file") from exc
    if img.mode in ("RGBA", "LA"):
        transparent = img.getchannel("A").getextrema()[0] < 255
    else:
        transparent = img.mode == "PA" or "transparency" in img.info
    img = img.convert("LA" if transparent else "L")
    if max(img.size) > working_side:
        img.thumbnail((working_side, working_side), Image.Resampling.BOX)
    return np.asarray(img, dtype=np.uint8), (height, width)


@lru_cache
def _large_decode_slots(count: int) -> threading.BoundedSemaphore:
    """The per-process semaphore that bounds how many large images are decoded at once."""
    return threading.BoundedSemaphore(max(1, count))


def release_free_memory() -> None:
    """Hand freed heap memory back to the system (glibc's malloc_trim; a no-op elsewhere)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


_LIBC = _libc()
