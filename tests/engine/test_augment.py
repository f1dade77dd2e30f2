"""Random distortions: exact on identities and whole-pixel shifts, bounded, reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from engine.augment import (
    affine_warp,
    augment_batch,
    elastic_displacements,
    gaussian_matrix,
    thicken_or_thin,
)


def identity(n: int) -> np.ndarray:
    return np.tile(np.eye(2), (n, 1, 1))


def shifted_with_zeros(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    out = np.roll(image, (dy, dx), axis=(0, 1))
    if dy > 0:
        out[:dy] = 0
    elif dy < 0:
        out[dy:] = 0
    if dx > 0:
        out[:, :dx] = 0
    elif dx < 0:
        out[:, dx:] = 0
    return out


def test_identity_returns_the_image(rng):
    images = rng.random((3, 28, 28)).astype(np.float32)
    out = affine_warp(images, identity(3), np.zeros((3, 2)))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, images)


def test_identity_on_odd_and_non_square_images(rng):
    images = rng.random((2, 7, 10)).astype(np.float32)
    np.testing.assert_array_equal(affine_warp(images, identity(2), np.zeros((2, 2))), images)


@pytest.mark.parametrize(("dy", "dx"), [(1, 0), (0, -1), (2, -3), (-4, 5), (27, 0), (0, 0)])
def test_whole_pixel_shift_is_a_roll_with_zero_fill(rng, dy, dx):
    images = rng.random((2, 28, 28)).astype(np.float32)
    out = affine_warp(images, identity(2), np.array([[dy, dx], [dy, dx]], dtype=float))
    for image, warped in zip(images, out, strict=True):
        np.testing.assert_array_equal(warped, shifted_with_zeros(image, dy, dx))


def test_each_image_gets_its_own_shift(rng):
    images = rng.random((2, 9, 9)).astype(np.float32)
    out = affine_warp(images, identity(2), np.array([[1.0, 0.0], [0.0, -2.0]]))
    np.testing.assert_array_equal(out[0], shifted_with_zeros(images[0], 1, 0))
    np.testing.assert_array_equal(out[1], shifted_with_zeros(images[1], 0, -2))


def test_quarter_turn_equals_rot90(rng):
    images = rng.random((1, 8, 8)).astype(np.float32)
    quarter = np.array([[[0.0, 1.0], [-1.0, 0.0]]])  # output -> source
    out = affine_warp(images, quarter, np.zeros((1, 2)))
    np.testing.assert_allclose(out[0], np.rot90(images[0]), atol=1e-6)


def test_bilinear_is_exact_on_a_linear_ramp():
    yy, xx = np.mgrid[:28, :28]
    ramp = (0.02 * yy + 0.01 * xx + 0.1).astype(np.float32)[None]
    angle = np.deg2rad(20)
    m = 0.5 * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    shift = np.array([[0.3, -0.7]])
    out = affine_warp(ramp, m[None], shift)[0]
    c = 13.5
    src_y = m[0, 0] * (yy - c) + m[0, 1] * (xx - c) + c - 0.3
    src_x = m[1, 0] * (yy - c) + m[1, 1] * (xx - c) + c + 0.7
    np.testing.assert_allclose(out, 0.02 * src_y + 0.01 * src_x + 0.1, atol=1e-5)


def naive_2x2(images, reduce):
    n, h, w = images.shape
    padded = np.pad(images, ((0, 0), (0, 1), (0, 1)))
    out = np.zeros_like(images)
    for k in range(n):
        for i in range(h):
            for j in range(w):
                out[k, i, j] = reduce(padded[k, i : i + 2, j : j + 2])
    return out


def test_thicken_or_thin(rng):
    images = rng.random((4, 6, 5)).astype(np.float32)
    np.testing.assert_array_equal(thicken_or_thin(images, rng, p=0.0), images)
    np.testing.assert_array_equal(thicken_or_thin(images, rng, p=1.0), naive_2x2(images, np.max))
    # p = 0.5: a draw below 0.5 thickens, between 0.5 and 0.75 thins, above stays
    draws = np.random.default_rng(5).random(4)
    out = thicken_or_thin(images, np.random.default_rng(5), p=0.5)
    grown, shrunk = naive_2x2(images, np.max), naive_2x2(images, np.min)
    for k, d in enumerate(draws):
        expected = grown[k] if d < 0.5 else shrunk[k] if d < 0.75 else images[k]
        np.testing.assert_array_equal(out[k], expected)


@pytest.fixture
def batch(rng):
    images = np.zeros((16, 28, 28), dtype=np.float32)
    images[:, 6:22, 12:16] = 1.0
    images[:, 6:9, 8:20] = rng.random((16, 3, 12))
    return images


def test_augment_batch_shape_range_and_input_untouched(batch):
    before = batch.copy()
    out = augment_batch(batch, np.random.default_rng(0))
    assert out.shape == batch.shape
    assert out.dtype == np.float32
    assert out.min() >= 0.0
    assert out.max() <= 1.0
    np.testing.assert_array_equal(batch, before)
    assert not np.array_equal(out, batch)
    # distortions are mild: most ink stays, and every image differs from the others
    ratio = out.sum(axis=(1, 2)) / batch.sum(axis=(1, 2))
    assert ((ratio > 0.3) & (ratio < 2.5)).all()
    assert len({o.tobytes() for o in out}) == len(out)


def test_augment_batch_is_deterministic_under_a_seed(batch):
    a = augment_batch(batch, np.random.default_rng(42))
    b = augment_batch(batch, np.random.default_rng(42))
    c = augment_batch(batch, np.random.default_rng(43))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_augment_batch_with_no_distortion_is_the_identity(batch):
    out = augment_batch(
        batch, np.random.default_rng(0), max_shift=0.0, max_degrees=0.0, scale_range=(1.0, 1.0)
    )
    # only the small random shear and the thicken/thin step remain: the centre column survives
    assert out[:, 10:20, 13:15].min() > 0.5


def test_elastic_fields_are_smooth_seeded_and_of_the_asked_size():
    dy, dx = elastic_displacements(4, 28, 28, np.random.default_rng(1), rms=1.5, sigma=4.0)
    again = elastic_displacements(4, 28, 28, np.random.default_rng(1), rms=1.5, sigma=4.0)
    np.testing.assert_array_equal(dy, again[0])
    assert dy.shape == dx.shape == (4, 28, 28)
    np.testing.assert_allclose(np.sqrt((dy**2).mean(axis=(1, 2))), 1.5, rtol=1e-6)
    # smooth: neighbouring pixels move almost together (raw noise would differ by ~the RMS)
    assert np.abs(np.diff(dy, axis=2)).mean() < 0.3
    assert np.abs(np.diff(dx, axis=1)).mean() < 0.3


def test_elastic_adds_to_the_affine_pass_and_keeps_the_range(batch):
    plain = augment_batch(batch, np.random.default_rng(7))
    elastic = augment_batch(batch, np.random.default_rng(7), elastic=1.0)
    again = augment_batch(batch, np.random.default_rng(7), elastic=1.0)
    np.testing.assert_array_equal(elastic, again)
    assert not np.array_equal(plain, elastic)
    assert elastic.min() >= 0.0 and elastic.max() <= 1.0
    ratio = elastic.sum(axis=(1, 2)) / batch.sum(axis=(1, 2))
    assert ((ratio > 0.3) & (ratio < 2.5)).all()


def test_gaussian_matrix_rows_sum_to_one_and_keep_a_constant():
    g = gaussian_matrix(28, 4.0)
    np.testing.assert_allclose(g.sum(axis=1), 1.0)
    np.testing.assert_allclose(g @ np.full(28, 3.0), 3.0)
