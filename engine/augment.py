"""Random distortions that make a model trained on MNIST robust to digits people draw."""

from __future__ import annotations

import numpy as np


def sample_bilinear(images: np.ndarray, src_y: np.ndarray, src_x: np.ndarray) -> np.ndarray:
    """(N, H, W) images read at (N, H, W) source rows/columns, bilinear, zeros outside; (N, H, W)."""
    n, h, w = images.shape
    y0, x0 = np.floor(src_y).astype(np.int64), np.floor(src_x).astype(np.int64)
    fy, fx = (src_y - y0).astype(np.float32), (src_x - x0).astype(np.float32)
    flat = np.pad(images, ((0, 0), (1, 1), (1, 1))).ravel()  # zeros outside the image
    base = (np.arange(n) * ((h + 2) * (w + 2)))[:, None, None]  # (N, 1, 1) image offsets
    row0 = base + np.clip(y0 + 1, 0, h + 1) * (w + 2)  # flat offsets of the two rows tapped
    row1 = base + np.clip(y0 + 2, 0, h + 1) * (w + 2)
    col0, col1 = np.clip(x0 + 1, 0, w + 1), np.clip(x0 + 2, 0, w + 1)
    top = flat[row0 + col0] * (1 - fx) + flat[row0 + col1] * fx
    bottom = flat[row1 + col0] * (1 - fx) + flat[row1 + col1] * fx
    return (top * (1 - fy) + bottom * fy).astype(np.float32)


def affine_coords(
    shape: tuple[int, int, int], matrices: np.ndarray, shifts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Source rows and columns (N, H, W) of x_src = M @ (x_out - c) + c - shift, per image."""
    _, h, w = shape
    cy, cx = (h - 1) / 2, (w - 1) / 2
    yy, xx = np.meshgrid(np.arange(h) - cy, np.arange(w) - cx, indexing="ij")  # (H, W)
    src_y = matrices[:, 0, 0, None, None] * yy + matrices[:, 0, 1, None, None] * xx
    src_x = matrices[:, 1, 0, None, None] * yy + matrices[:, 1, 1, None, None] * xx
    return src_y + cy - shifts[:, 0, None, None], src_x + cx - shifts[:, 1, None, None]


def affine_warp(images: np.ndarray, matrices: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Bilinear resample of (N, H, W) images by x_src = M @ (x_out - c) + c - shift; (N, H, W)."""
    return sample_bilinear(images, *affine_coords(images.shape, matrices, shifts))


def gaussian_matrix(n: int, sigma: float) -> np.ndarray:
    """(n, n) row-normalised Gaussian blur: G @ v smooths a length-n signal."""
    d = np.arange(n)[:, None] - np.arange(n)[None, :]
    g = np.exp(-0.5 * (d / sigma) ** 2)
    return g / g.sum(axis=1, keepdims=True)


def elastic_displacements(
    n: int, h: int, w: int, rng: np.random.Generator, rms: float = 1.5, sigma: float = 4.0
) -> tuple[np.ndarray, np.ndarray]:
    """Smooth random displacement fields (dy, dx), each (N, H, W) in pixels (Simard et al. 2003):
    uniform noise blurred by a Gaussian of `sigma` px, scaled to a root-mean-square of `rms` px."""
    gy, gx = gaussian_matrix(h, sigma), gaussian_matrix(w, sigma)
    fields = rng.uniform(-1, 1, (2, n, h, w))
    smooth = gy @ fields @ gx.T  # (2, N, H, W): blurred along rows and columns
    norm = np.sqrt((smooth**2).mean(axis=(2, 3), keepdims=True)) + 1e-12
    smooth = smooth / norm * rms
    return smooth[0], smooth[1]


def thicken_or_thin(images: np.ndarray, rng: np.random.Generator, p: float = 0.3) -> np.ndarray:
    """With probability p each, dilate or erode an image by a 2x2 max/min filter; (N, H, W)."""
    n = len(images)
    choice = rng.random(n)
    padded = np.pad(images, ((0, 0), (0, 1), (0, 1)))
    stack = np.stack(
        [padded[:, :-1, :-1], padded[:, 1:, :-1], padded[:, :-1, 1:], padded[:, 1:, 1:]]
    )
    out = images.copy()
    grow = choice < p
    shrink = (choice >= p) & (choice < 1.5 * p)
    out[grow] = stack.max(axis=0)[grow]
    out[shrink] = stack.min(axis=0)[shrink]
    return out


def augment_batch(
    images: np.ndarray,
    rng: np.random.Generator,
    max_shift: float = 2.5,
    max_degrees: float = 12.0,
    scale_range: tuple[float, float] = (0.85, 1.15),
    elastic: float = 0.0,
) -> np.ndarray:
    """(N, H, W) float images in [0, 1] -> randomly shifted, rotated, scaled, thickened copies;
    with probability `elastic` each image is also elastically distorted (same bilinear pass)."""
    n = len(images)
    angle = np.deg2rad(rng.uniform(-max_degrees, max_degrees, n))
    scale = rng.uniform(*scale_range, n)
    shear = rng.uniform(-0.1, 0.1, n)
    cos, sin = np.cos(angle) / scale, np.sin(angle) / scale
    # Inverse map (output -> source): rotation by -angle, scaled by 1/scale, plus a small shear.
    mats = np.empty((n, 2, 2))
    mats[:, 0, 0], mats[:, 0, 1] = cos, -sin + shear
    mats[:, 1, 0], mats[:, 1, 1] = sin, cos
    shifts = rng.uniform(-max_shift, max_shift, (n, 2))
    src_y, src_x = affine_coords(images.shape, mats, shifts)
    if elastic > 0:
        dy, dx = elastic_displacements(*images.shape, rng)
        keep = (rng.random(n) < elastic)[:, None, None]
        src_y, src_x = src_y + dy * keep, src_x + dx * keep
    warped = sample_bilinear(images, src_y, src_x)
    return np.clip(thicken_or_thin(warped, rng), 0.0, 1.0)
