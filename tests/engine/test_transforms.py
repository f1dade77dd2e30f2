"""Changing a drawing for the robustness lab: identities, compositions, erasing, ranges."""

from __future__ import annotations

import numpy as np
import pytest

from engine.architecture import mnist_cnn
from engine.preprocess import EmptyDrawingError, preprocess
from engine.strokes.sets import evaluation_digits
from engine.transforms import TRANSFORMS, WORK_SIDE, check_values, sweep, transform_ink, working_ink


@pytest.fixture(scope="module")
def seven() -> np.ndarray:
    """(280, 280) uint8 canvas picture of a drawn 7."""
    return next(d for d in evaluation_digits(2) if d.label == 7).image()


def test_working_copy_is_the_ink_at_most_work_side(seven):
    ink = working_ink(seven)
    assert max(ink.shape) == WORK_SIDE
    assert ink.min() >= 0.0 and ink.max() <= 1.0
    assert ink[0, 0] == 0.0 and ink.max() > 0.9  # paper is 0, ink is 1


@pytest.mark.parametrize(
    ("transform", "neutral"),
    [("rotate", 0.0), ("scale", 1.0), ("shift_x", 0.0), ("shift_y", 0.0), ("thickness", 0.0)]
    + [("noise", 0.0), ("erase", 0.0)],
)
def test_the_neutral_value_is_the_identity(seven, transform, neutral):
    ink = working_ink(seven)
    out = transform_ink(ink, transform, np.array([neutral]))
    np.testing.assert_allclose(out[0], ink, atol=1e-6)


def test_rotation_by_90_twice_is_rotation_by_180(rng):
    ink = rng.random((31, 31))
    ninety = transform_ink(ink, "rotate", np.array([90.0]))[0]
    twice = transform_ink(ninety, "rotate", np.array([90.0]))[0]
    half_turn = transform_ink(ink, "rotate", np.array([180.0]))[0]
    np.testing.assert_allclose(twice, half_turn, atol=1e-6)
    np.testing.assert_allclose(half_turn, ink[::-1, ::-1], atol=1e-6)
    np.testing.assert_allclose(ninety, np.rot90(ink, k=-1), atol=1e-6)  # clockwise


def test_erase_removes_ink_from_the_top(seven):
    ink = working_ink(seven)
    half, whole = transform_ink(ink, "erase", np.array([0.5, 1.0]))
    assert half.sum() < 0.7 * ink.sum()
    rows = np.nonzero(ink.max(axis=1) > 0.2)[0]
    middle = (rows.min() + rows.max()) // 2
    assert half[: middle - 1].max() == 0.0
    np.testing.assert_array_equal(half[middle + 2 :], ink[middle + 2 :])
    assert whole.max() <= 0.2


def test_thicker_strokes_have_more_ink_thinner_less(seven):
    ink = working_ink(seven)
    thin, same, thick = transform_ink(ink, "thickness", np.array([-3.0, 0.0, 3.0]))
    assert thin.sum() < same.sum() < thick.sum()
    assert (thick >= ink - 1e-12).all() and (thin <= ink + 1e-12).all()


def test_noise_is_reproducible_and_grows_with_its_value(seven):
    ink = working_ink(seven)
    a = transform_ink(ink, "noise", np.array([0.1, 0.3]))
    b = transform_ink(ink, "noise", np.array([0.1, 0.3]))
    np.testing.assert_array_equal(a, b)
    assert np.abs(a[1] - ink).mean() > np.abs(a[0] - ink).mean() > 0


def test_ranges_and_names_are_checked():
    with pytest.raises(ValueError, match="unknown transform"):
        check_values("twist", [1.0])
    for name, (lo, hi, _) in TRANSFORMS.items():
        check_values(name, [lo, hi])
        with pytest.raises(ValueError, match="within"):
            check_values(name, [hi + 1])
        with pytest.raises(ValueError, match="finite"):
            check_values(name, [float("nan")])


def test_sweep_reads_every_version_with_one_batched_call(seven):
    model = mnist_cnn(seed=0)
    values = [-40.0, 0.0, 40.0]
    points = sweep(model, seven, "rotate", values)
    assert [p.value for p in points] == values
    x = np.stack([p.input for p in points])[:, None]
    np.testing.assert_allclose(x[1, 0], preprocess(1.0 - working_ink(seven)), atol=1e-6)
    np.testing.assert_allclose(
        np.stack([p.probabilities for p in points]), model.predict_proba(x), rtol=1e-5, atol=1e-7
    )
    gone = sweep(model, seven, "erase", [1.0])[0]
    assert gone.prediction is None and gone.probabilities.sum() == 0
    with pytest.raises(EmptyDrawingError):
        sweep(model, np.full((50, 50), 255, dtype=np.uint8), "rotate", [0.0])
