"""engine/strokes: the renderer, the stroke models, the seeded sets."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine.strokes import (
    DIGIT_STYLES,
    EVALUATION_SEED,
    NON_DIGIT_KINDS,
    RESERVED_SEEDS,
    TUNING_SEED,
    evaluation_digits,
    evaluation_non_digits,
    render,
    training_digits,
)
from engine.strokes.geometry import arc, bezier, line, resample
from engine.strokes.jitter import Jitter, apply_jitter, sample_jitter
from engine.strokes.render import INK, PAPER, ink_coverage
from engine.strokes.sets import non_digit_drawings


def supersampled(points: np.ndarray, width: float, size: int = 40, k: int = 16) -> np.ndarray:
    """Naive coverage of a round-capped polyline: k x k samples per pixel inside the pen."""
    s = (np.arange(size * k) + 0.5) / k
    xs, ys = np.meshgrid(s, s)
    inside = np.zeros_like(xs, dtype=bool)
    for p0, p1 in itertools.pairwise(points):
        d = p1 - p0
        t = np.clip(((xs - p0[0]) * d[0] + (ys - p0[1]) * d[1]) / (d @ d), 0, 1)
        inside |= np.hypot(xs - p0[0] - t * d[0], ys - p0[1] - t * d[1]) <= width / 2
    return inside.reshape(size, k, size, k).mean(axis=(1, 3))


def test_a_dot_is_a_filled_pen_circle():
    image = render([np.array([[0.5, 0.5]])])
    alpha = (PAPER - image.astype(float)) / (PAPER - INK)
    assert alpha.sum() == pytest.approx(np.pi * 10**2, rel=0.02)
    assert image[140, 140] == INK
    assert image[140, 152] == PAPER


def test_a_line_covers_its_capsule():
    image = render([line(0.25, 0.5, 0.75, 0.5)])
    alpha = (PAPER - image.astype(float)) / (PAPER - INK)
    assert alpha.sum() == pytest.approx(140 * 20 + np.pi * 10**2, rel=0.01)
    assert image.min() == INK and image.max() == PAPER


def test_coverage_matches_supersampling_of_one_path():
    pts = np.array([[5.0, 8.0], [30.0, 14.5], [12.3, 33.0]])
    ours = ink_coverage([pts], line_width=7, size=40)
    reference = supersampled(pts, 7)
    assert np.abs(ours - reference).mean() < 0.01
    assert ours.sum() == pytest.approx(reference.sum(), rel=0.02)


def test_primitives():
    np.testing.assert_allclose(line(0, 0, 1, 2, 3), [[0, 0], [0.5, 1], [1, 2]])
    np.testing.assert_allclose(arc(0, 0, 1, 2, 90, 90, 1), [[0, -2]], atol=1e-12)
    np.testing.assert_allclose(bezier((0, 0), (1, 1), n=3), [[0, 0], [0.5, 0.5], [1, 1]])
    pts = resample(line(0, 0, 1, 0), 0.25)
    np.testing.assert_allclose(pts[:, 0], [0, 0.25, 0.5, 0.75, 1.0])


def test_every_digit_and_style_is_generated_and_fits_the_paper():
    per_digit = max(len(s) for s in DIGIT_STYLES.values())
    drawings = list(evaluation_digits(per_digit))
    assert {d.style for d in drawings} == {
        f"{digit}/{style}" for digit, styles in DIGIT_STYLES.items() for style in styles
    }
    assert [d.label for d in drawings] == [k for k in range(10) for _ in range(per_digit)]
    for d in drawings:
        pts = np.concatenate(d.strokes)
        assert pts.min() >= 0 and pts.max() <= 1
        assert (d.image() < 128).sum() > 500


def test_every_non_digit_kind_is_generated():
    drawings = list(evaluation_non_digits(1))
    assert [d.style for d in drawings] == list(NON_DIGIT_KINDS)
    assert all(d.label == -1 for d in drawings)
    for d in drawings:
        assert (d.image() < 128).sum() > 100


def test_the_sets_are_deterministic():
    a = [d.image() for d in evaluation_digits(2)]
    b = [d.image() for d in evaluation_digits(2)]
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    c = [d.image() for d in non_digit_drawings(EVALUATION_SEED, 1)]
    e = [d.image() for d in evaluation_non_digits(1)]
    for x, y in zip(c, e, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("seed", sorted(RESERVED_SEEDS))
def test_reserved_seeds_are_refused_for_training(seed):
    with pytest.raises(ValueError, match="reserved"):
        training_digits(seed, 1)


def test_training_streams_differ_from_the_evaluation_set():
    evaluation = [d.image() for d in evaluation_digits(2)]
    for seed in (0, 1, TUNING_SEED + 1):
        training = [d.image() for d in training_digits(seed, 2)]
        assert all(not np.array_equal(x, y) for x in evaluation for y in training)
    assert EVALUATION_SEED != TUNING_SEED


def test_jitter_tags_and_identity():
    glyph = [line(0.5, 0.0, 0.5, 1.0)]
    plain = apply_jitter(glyph, Jitter(), np.random.default_rng(0))
    np.testing.assert_allclose(plain[0][[0, -1]], [[0.5, 0.2], [0.5, 0.8]])
    assert Jitter().tags == ()
    assert set(Jitter(height=0.3, line_width=28, slant=25).tags) == {"small", "thick", "slanted"}
    widths = [sample_jitter(np.random.default_rng(i)).line_width for i in range(200)]
    assert min(widths) >= 12 and max(widths) <= 30 and np.median(widths) == 20
