"""Any drawing or photo of a digit -> the 28x28 image the network expects, made the MNIST way."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image

GLYPH_BOX = 20  # MNIST digits are scaled so that their longer side is 20 px
CANVAS = 28  # ... and centred by centre of mass in a 28 x 28 field
INK_THRESHOLD = 0.2
MIN_CONTRAST = 0.1  # ink must differ from the background by at least this much


EMPTY = "the drawing is empty or nearly empty: draw a digit with a thicker or longer stroke"


class EmptyDrawingError(ValueError):
    """The image holds no digit to read (blank, or only a few specks of ink)."""


def to_unit_float(image: np.ndarray) -> np.ndarray:
    """uint8 (0-255) or float (0-1) array -> float64 in [0, 1]; ValueError otherwise."""
    image = np.asarray(image)
    if image.dtype == np.bool_:
        return image.astype(np.float64)
    if np.issubdtype(image.dtype, np.integer):
        if image.size and (image.min() < 0 or image.max() > 255):
            raise ValueError("integer pixel values must lie in 0..255")
        return image.astype(np.float64) / 255.0
    if not np.issubdtype(image.dtype, np.floating):
        raise ValueError(f"pixels must be numbers, got dtype {image.dtype}")
    if not np.all(np.isfinite(image)):
        raise ValueError("pixels must be finite numbers (no NaN or infinity)")
    if image.size and (image.min() < 0 or image.max() > 1):
        raise ValueError("float pixel values must lie in [0, 1]")
    return image.astype(np.float64)


def gray_map(image: np.ndarray) -> np.ndarray:
    """(H, W) or (H, W, 1-4 channels) image -> (H, W) float64 gray in [0, 1], alpha composited."""
    img = to_unit_float(image)
    if img.ndim == 3 and img.shape[2] in (1, 2, 3, 4):
        has_alpha = img.shape[2] in (2, 4)
        colour = img[..., :-1] if has_alpha else img
        gray = (
            colour[..., 0]
            if colour.shape[2] == 1
            else colour[..., :3] @ np.array([0.299, 0.587, 0.114])
        )
        if has_alpha and img[..., -1].min() < 1.0:
            alpha = img[..., -1]
            # Composite strokes over the opposite of their own colour, so they read as ink.
            stroke = float((gray * alpha).sum() / max(alpha.sum(), 1e-9))
            background = 1.0 if stroke < 0.5 else 0.0
            gray = gray * alpha + background * (1 - alpha)
    elif img.ndim == 2:
        gray = img
    else:
        raise ValueError(
            f"an image must be 2-D (H, W) or (H, W, channels) with 1-4 channels, got {img.shape}"
        )
    if min(gray.shape) < 1:
        raise ValueError("the image has no pixels")
    return gray


def _median(values: np.ndarray) -> float:
    """(n,) -> np.median(values), the same float, without np.median's ~50 us of checks."""
    ordered = np.sort(values)
    mid = len(ordered) // 2
    return float(ordered[mid] if len(ordered) % 2 else np.mean(ordered[mid - 1 : mid + 1]))


@dataclass(frozen=True)
class InkLevels:
    """How gray levels (0..`full`) read as ink in [0, 1]: ink = clip((g' - floor) / span, 0, 1)
    with g' = full - g on light paper, g' = g on dark paper; span 0 means no ink at all."""

    light_paper: bool
    floor: float
    span: float
    full: float

    @classmethod
    def of(cls, gray: np.ndarray, full: float) -> InkLevels:
        """The levels of a (H, W) gray image whose white is `full` (255 for uint8, else 1)."""
        border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
        background = _median(border)
        light = background > full / 2
        floor = min(background, full - background)
        peak = full - float(gray.min()) if light else float(gray.max())
        span = peak - floor
        return cls(light, floor, span if span >= MIN_CONTRAST * full else 0.0, full)

    def ink(self, gray: np.ndarray) -> np.ndarray:
        """(h, w) gray -> (h, w) float32 ink in [0, 1] (zeros when there is no ink)."""
        g = gray.astype(np.float32)
        if self.span == 0:
            return np.zeros_like(g)
        if self.light_paper:
            np.subtract(np.float32(self.full - self.floor), g, out=g)
        else:
            g -= np.float32(self.floor)
        g *= np.float32(1 / self.span)
        return np.minimum(np.maximum(g, 0.0, out=g), 1.0, out=g)

    def inkiest(self, gray: np.ndarray, axis: int) -> np.ndarray:
        """(H, W) gray -> the inkiest gray level of each row (axis=1) or column (axis=0)."""
        return gray.min(axis=axis) if self.light_paper else gray.max(axis=axis)

    def mask(self, gray: np.ndarray) -> np.ndarray:
        """Gray levels (any shape) -> bool of the same shape, True where ink > INK_THRESHOLD."""
        if self.span == 0:
            return np.zeros(gray.shape, dtype=bool)
        level = self.floor + INK_THRESHOLD * self.span  # in ink units
        if self.light_paper:  # ink > level  <=>  gray < full - level
            cut = self.full - level
            return gray < (math.ceil(cut) if gray.dtype == np.uint8 else cut)
        return gray > (math.floor(level) if gray.dtype == np.uint8 else level)


def ink_map(image: np.ndarray) -> np.ndarray:
    """(H, W) or (H, W, 1-4 channels) image -> (H, W) ink in [0, 1], 0 = background."""
    gray = gray_map(image)
    return InkLevels.of(gray, 1.0).ink(gray).astype(np.float64)


SMALL_SIDE = 64  # resample matrices between sides up to this are kept (at most 32 KiB each)


def resample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) weights of an anti-aliased triangle filter (bilinear when enlarging);
    read-only."""
    if n_in <= SMALL_SIDE and n_out <= SMALL_SIDE:
        return _small_resample_matrix(n_in, n_out)
    return _resample_matrix(n_in, n_out)


@lru_cache(maxsize=SMALL_SIDE * SMALL_SIDE)
def _small_resample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """resample_matrix for small sides, made once per size pair (drawings' ink boxes)."""
    return _resample_matrix(n_in, n_out)


def _resample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """resample_matrix, computed."""
    scale = n_in / n_out
    support = max(scale, 1.0)
    centres = (np.arange(n_out) + 0.5) * scale  # (n_out,)
    taps = np.arange(n_in) + 0.5  # (n_in,)
    w = np.clip(1.0 - np.abs(taps[None, :] - centres[:, None]) / support, 0.0, None)
    sums = w.sum(axis=1, keepdims=True)
    w[sums[:, 0] == 0, np.clip(centres.astype(int), 0, n_in - 1)[sums[:, 0] == 0]] = 1.0
    w /= np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
    w.setflags(write=False)
    return w


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """(H, W) -> (height, width), anti-aliased."""
    rows = resample_matrix(image.shape[0], height)
    cols = resample_matrix(image.shape[1], width)
    return rows @ image @ cols.T


def resize_float32(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """(H, W) float32 -> (height, width) float32: resize()'s filter, run by Pillow's C code."""
    small = Image.fromarray(image).resize((width, height), Image.Resampling.BILINEAR)
    return np.array(small, dtype=np.float32)  # a writable copy


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(H, W) non-negative -> (row, col) of its centre of mass."""
    total = image.sum()
    rows = np.arange(image.shape[0]) @ image.sum(axis=1) / total
    cols = np.arange(image.shape[1]) @ image.sum(axis=0) / total
    return float(rows), float(cols)


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels: top row, left column, height, width (may be fractional)."""

    top: float
    left: float
    height: float
    width: float

    def scaled(self, row_factor: float, col_factor: float) -> Box:
        """The same box with rows times row_factor and columns times col_factor."""
        return Box(
            self.top * row_factor,
            self.left * col_factor,
            self.height * row_factor,
            self.width * col_factor,
        )

    def as_dict(self) -> dict[str, float]:
        """{top, left, height, width}."""
        return {"top": self.top, "left": self.left, "height": self.height, "width": self.width}


@dataclass(frozen=True)
class Placement:
    """Where preprocess() put the drawing: the ink crop `source` (input image pixels) was
    scaled onto `target` (pixels of the 28 x 28); each axis maps linearly, edge to edge."""

    source: Box
    target: Box

    def scaled(self, row_factor: float, col_factor: float | None = None) -> Placement:
        """The placement for an input that was `factor` times larger than the one read."""
        col = row_factor if col_factor is None else col_factor
        return Placement(self.source.scaled(row_factor, col), self.target)

    def for_sent_size(self, read_shape: tuple[int, int], sent_shape: tuple[int, int]) -> Placement:
        """The placement in the pixels of the image as sent, when a resized copy was read."""
        return self.scaled(sent_shape[0] / read_shape[0], sent_shape[1] / read_shape[1])

    def as_dict(self) -> dict[str, dict[str, float]]:
        """{source: {top, left, height, width}, target: {...}}."""
        return {"source": self.source.as_dict(), "target": self.target.as_dict()}


def preprocess_with_placement(
    image: np.ndarray, min_ink_fraction: float = 0.0005
) -> tuple[np.ndarray, Placement]:
    """Any image -> ((28, 28) float32 in [0, 1], where the ink crop went in it).

    A (H, W) uint8 image (a decoded drawing) is read as it is; only the ink's bounding box is
    turned into floats. Anything else goes through gray_map() first.
    """
    image = np.asarray(image)
    if image.dtype == np.uint8 and image.ndim == 2 and min(image.shape) > 0:
        gray, full = image, 255.0
    else:
        gray, full = gray_map(image), 1.0
    levels = InkLevels.of(gray, full)
    rows, cols = levels.mask(levels.inkiest(gray, 1)), levels.mask(levels.inkiest(gray, 0))
    needed = max(4, int(min_ink_fraction * gray.size))
    if not rows.any():
        raise EmptyDrawingError(EMPTY)
    r0, r1 = _span(rows)
    c0, c1 = _span(cols)
    box = gray[r0:r1, c0:c1]  # every ink pixel is inside this box
    if np.count_nonzero(levels.mask(box)) < needed:
        raise EmptyDrawingError(EMPTY)
    h, w = box.shape
    scale = GLYPH_BOX / max(h, w)
    gh, gw = max(1, round(h * scale)), max(1, round(w * scale))
    glyph = _glyph(box, levels, gh, gw)
    cy, cx = centre_of_mass(glyph)
    top = int(np.clip(round(CANVAS / 2 - cy), 0, CANVAS - gh))
    left = int(np.clip(round(CANVAS / 2 - cx), 0, CANVAS - gw))
    out = np.zeros((CANVAS, CANVAS), dtype=np.float32)
    out[top : top + gh, left : left + gw] = glyph
    return out, Placement(Box(r0, c0, h, w), Box(top, left, gh, gw))


def _glyph(box: np.ndarray, levels: InkLevels, height: int, width: int) -> np.ndarray:
    """(h, w) gray ink box -> (height, width) float32 ink in [0, 1], resized anti-aliased.

    The ink levels are a clipped linear map of gray. When no pixel of the box lies beyond the
    paper's level (nothing to clip: a drawing on plain paper), the map commutes with the
    resampling, so a uint8 box is resized as it is by Pillow's 8-bit C code (a quarter of the
    bytes of the float path; its two 8-bit passes round within one gray level) and only the
    small glyph is mapped.
    """
    if box.dtype == np.uint8 and levels.span > 0 and _within_paper(box, levels):
        small = Image.fromarray(box).resize((width, height), Image.Resampling.BILINEAR)
        return levels.ink(np.asarray(small))
    glyph = resize_float32(levels.ink(box), height, width)
    return np.minimum(np.maximum(glyph, 0.0, out=glyph), 1.0, out=glyph)


def _within_paper(box: np.ndarray, levels: InkLevels) -> bool:
    """True when no gray level in `box` reads as less ink than the paper (ink < 0 unclipped)."""
    if levels.light_paper:
        return int(box.max()) <= levels.full - levels.floor
    return int(box.min()) >= levels.floor


def _span(hits: np.ndarray) -> tuple[int, int]:
    """(n,) bool with at least one True -> (first, last + 1) index of the Trues."""
    return int(hits.argmax()), len(hits) - int(hits[::-1].argmax())


def preprocess(image: np.ndarray, min_ink_fraction: float = 0.0005) -> np.ndarray:
    """Any image -> (28, 28) float32 in [0, 1]: crop to ink, longer side 20 px, centre of mass."""
    return preprocess_with_placement(image, min_ink_fraction)[0]


def pixels_to_unit(pixels: np.ndarray) -> np.ndarray:
    """2-D numbers in [0, 1] or [0, 255] (read as 0-255 when any value exceeds 1) -> [0, 1]."""
    arr = np.asarray(pixels, dtype=np.float64)
    if arr.ndim != 2 or min(arr.shape) < 1:
        raise ValueError(f"pixels must be a non-empty 2-D array (rows of numbers), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("pixels must be finite numbers (no NaN or infinity)")
    if arr.min() < 0 or arr.max() > 255:
        raise ValueError("pixel values must lie in [0, 1] or in [0, 255]")
    return arr / 255.0 if arr.max() > 1 else arr


def network_input(image: np.ndarray, apply_preprocessing: bool = True) -> np.ndarray:
    """An image -> (28, 28) float32 network input; without preprocessing it must be 28 x 28."""
    return network_input_with_placement(image, apply_preprocessing)[0]


def network_input_with_placement(
    image: np.ndarray, apply_preprocessing: bool = True
) -> tuple[np.ndarray, Placement | None]:
    """An image -> ((28, 28) float32 network input, its Placement or None without preprocessing)."""
    if apply_preprocessing:
        return preprocess_with_placement(image)
    ink = ink_map(image) if np.asarray(image).ndim == 3 else to_unit_float(image)
    if ink.shape != (CANVAS, CANVAS):
        raise ValueError(
            f"without preprocessing the image must be exactly {CANVAS} x {CANVAS} "
            f"(light ink on a dark background, like MNIST), got {ink.shape[0]} x {ink.shape[1]}; "
            "send preprocess: true to resize and centre it"
        )
    return ink.astype(np.float32), None
