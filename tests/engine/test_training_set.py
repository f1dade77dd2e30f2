"""Synthetic training digits: drawn by writers apart from evaluation and tuning, rendered and
preprocessed exactly like the page's input, cached faithfully, mixed in deterministically."""

from __future__ import annotations

import numpy as np
import pytest

from engine.losses import NO_CLASS
from engine.mixed_data import CALIBRATION_PER_DIGIT, calibration_set, synthetic_training_extra
from engine.preprocess import preprocess
from engine.strokes.nondigits import NON_DIGIT_KINDS
from engine.strokes.sets import (
    EVALUATION_SEED,
    RESERVED_SEEDS,
    TUNING_SEED,
    digit_drawings,
    training_digits,
)
from engine.strokes.training_set import (
    TRAINING_SEED_BASE,
    cache_path,
    render_training_digits,
    render_training_non_digits,
    synthetic_digits,
    to_network_image,
    training_seed,
)
from engine.train import TrainConfig, to_input, train
from tests.engine.test_train import small_cnn


@pytest.mark.parametrize("run_seed", [0, 1, 2, 7, 42, 1000, 12345])
def test_training_writers_are_never_the_evaluation_or_tuning_seeds(run_seed):
    assert training_seed(run_seed) not in RESERVED_SEEDS
    assert training_seed(run_seed) == TRAINING_SEED_BASE + run_seed


def test_a_run_seed_that_maps_onto_a_reserved_seed_is_refused():
    for reserved in (EVALUATION_SEED, TUNING_SEED):
        with pytest.raises(ValueError, match="reserved"):
            training_seed(reserved - TRAINING_SEED_BASE)
        with pytest.raises(ValueError, match="reserved"):
            training_digits(reserved, 1)


def test_training_non_digits_are_labelled_no_class_and_refuse_reserved_seeds():
    images, labels = render_training_non_digits(training_seed(0), 1)
    assert images.shape == (len(NON_DIGIT_KINDS), 28, 28)
    assert (labels == NO_CLASS).all()
    with pytest.raises(ValueError, match="reserved"):
        render_training_non_digits(EVALUATION_SEED, 1)


def test_training_drawings_differ_from_every_evaluation_drawing():
    train_images, _ = render_training_digits(training_seed(0), 3)
    eval_images = np.stack([to_network_image(d) for d in digit_drawings(EVALUATION_SEED, 3)])
    same = (train_images[:, None] == eval_images[None]).all(axis=(2, 3))
    assert not same.any()


def test_training_images_are_the_page_input_of_the_rendered_drawing():
    drawing = next(iter(training_digits(training_seed(0), 1)))
    expected = preprocess(drawing.image())
    got = to_network_image(drawing)
    assert got.dtype == np.uint8 and got.shape == (28, 28)
    np.testing.assert_allclose(got / 255.0, expected, atol=0.5 / 255 + 1e-9)


def test_labels_follow_the_digits_and_the_cache_returns_what_was_rendered(tmp_path):
    data = tmp_path / "mnist"
    images, labels = synthetic_digits(training_seed(3), 2, 0, data)
    np.testing.assert_array_equal(labels, np.repeat(np.arange(10), 2))
    assert cache_path(f"digits-{training_seed(3)}-0-2", data).is_file()
    cached, cached_labels = synthetic_digits(training_seed(3), 2, 0, data)
    np.testing.assert_array_equal(cached, images)
    np.testing.assert_array_equal(cached_labels, labels)
    fresh, _ = render_training_digits(training_seed(3), 2)
    np.testing.assert_array_equal(fresh, images)


def test_calibration_drawings_come_after_the_trained_ones(tmp_path):
    data = tmp_path / "mnist"
    config = TrainConfig(seed=0, synthetic_per_digit=2, validation=10)
    extra_x, extra_y = synthetic_training_extra(config, data)
    assert extra_x.shape == (20, 1, 28, 28) and extra_x.dtype == np.float32
    mnist_x = np.zeros((60, 28, 28), dtype=np.uint8)
    mnist_y = np.arange(60) % 10
    cal_x, cal_y = calibration_set(mnist_x, mnist_y, config, data)
    assert len(cal_y) == 10 + 10 * CALIBRATION_PER_DIGIT
    drawn = cal_x[10:]
    same = (drawn[:, None] == extra_x[None]).all(axis=(2, 3, 4))
    assert not same.any()
    assert synthetic_training_extra(TrainConfig(synthetic_per_digit=0), data) is None


def test_two_small_mixed_runs_are_identical(tmp_path, rng):
    data = tmp_path / "mnist"
    x = to_input((rng.random((200, 28, 28)) * 255).astype(np.uint8))
    y = rng.integers(0, 10, 200).astype(np.uint8)
    config = TrainConfig(
        epochs=1,
        batch_size=32,
        seed=5,
        validation=40,
        elastic=0.5,
        synthetic_per_digit=3,
        non_digits_per_kind=1,
    )
    models = []
    for _ in range(2):
        model = small_cnn(seed=1)
        train(model, x, y, config, progress=False, extra=synthetic_training_extra(config, data))
        models.append(model)
    other = small_cnn(seed=1)
    train(other, x, y, config, progress=False)  # the same run without the drawings
    for (_, _, a), (_, _, b) in zip(models[0].parameters(), models[1].parameters(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(
        not np.array_equal(a, c)
        for (_, _, a), (_, _, c) in zip(models[0].parameters(), other.parameters(), strict=True)
    )
