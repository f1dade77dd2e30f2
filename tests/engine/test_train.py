"""Training learns, is reproducible for a seed, and evaluate() counts every image once."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.architecture import mnist_cnn
from engine.data import load_mnist
from engine.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU
from engine.model import Sequential
from engine.train import TrainConfig, evaluate, to_input, train


@pytest.fixture(scope="module")
def mnist_slice(mnist_dir):
    """1,000 training and 1,000 test images as network inputs."""
    x_train, y_train = load_mnist("train", mnist_dir, download=False)
    x_test, y_test = load_mnist("test", mnist_dir, download=False)
    return (
        to_input(x_train[:1000]),
        y_train[:1000].copy(),
        to_input(x_test[:1000]),
        y_test[:1000].copy(),
    )


def small_cnn(seed: int) -> Sequential:
    rng = np.random.default_rng(seed)
    return Sequential(
        [
            Conv2D(1, 4, 3, stride=2, padding=1, name="conv", rng=rng),
            ReLU(name="relu"),
            MaxPool2D(2, name="pool"),
            Flatten(name="flat"),
            Dense(4 * 7 * 7, 10, name="fc", rng=rng),
        ]
    )


def test_to_input():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    x = to_input(images)
    assert x.shape == (1, 1, 2, 2)
    assert x.dtype == np.float32
    np.testing.assert_allclose(x[0, 0], [[0.0, 1.0], [0.2, 0.4]])


@pytest.mark.slow
def test_short_training_run_learns(mnist_slice):
    x_train, y_train, x_test, y_test = mnist_slice
    model = mnist_cnn(seed=0)
    before = evaluate(model, x_test, y_test)["accuracy"]
    config = TrainConfig(epochs=2, batch_size=32, augment=False, validation=200)
    history = train(model, x_train, y_train, config, progress=False)
    after = evaluate(model, x_test, y_test)["accuracy"]
    assert before < 0.2
    assert after > 0.7
    assert len(history.train_loss) == 2
    assert history.train_loss[1] < history.train_loss[0]
    assert history.val_accuracy[1] > 0.7
    assert all(rate > 0 for rate in history.images_per_second)


def run(seed: int, x, y, augment: bool = True):
    model = small_cnn(seed=1)
    config = TrainConfig(epochs=1, batch_size=50, seed=seed, augment=augment, validation=100)
    history = train(model, x, y, config, progress=False)
    return model, history


def test_training_is_deterministic_for_a_seed(mnist_slice):
    x, y = mnist_slice[0][:400], mnist_slice[1][:400]
    model_a, history_a = run(0, x, y)
    model_b, history_b = run(0, x, y)
    model_c, _ = run(1, x, y)
    for (name, key, a), (_, _, b), (_, _, c) in zip(
        model_a.parameters(), model_b.parameters(), model_c.parameters(), strict=True
    ):
        np.testing.assert_array_equal(a, b, err_msg=f"{name}.{key}")
        assert not np.array_equal(a, c)
    a, b = dataclasses.asdict(history_a), dataclasses.asdict(history_b)
    for curve in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        assert a[curve] == b[curve]


def test_training_does_not_modify_the_data(mnist_slice):
    x, y = mnist_slice[0][:200], mnist_slice[1][:200]
    x_before, y_before = x.copy(), y.copy()
    run(0, x, y)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(y, y_before)


def naive_confusion(model, images, labels):
    confusion = np.zeros((10, 10), dtype=int)
    for image, label in zip(images, labels, strict=True):
        confusion[label, int(model.forward(image[None]).argmax())] += 1
    return confusion


def test_evaluate_counts_every_image(mnist_slice):
    _, _, x_test, y_test = mnist_slice
    model, _ = run(0, mnist_slice[0][:300], mnist_slice[1][:300], augment=False)
    x, y = x_test[:137], y_test[:137]
    result = evaluate(model, x, y, batch_size=50)  # the last batch is partial
    confusion = np.array(result["confusion_matrix"])
    assert confusion.shape == (10, 10)
    assert confusion.sum() == 137
    np.testing.assert_array_equal(confusion, naive_confusion(model, x, y))
    np.testing.assert_array_equal(confusion.sum(axis=1), np.bincount(y, minlength=10))
    assert result["accuracy"] == pytest.approx(confusion.trace() / 137)
    per_class = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
    np.testing.assert_allclose(result["per_class_accuracy"], per_class, atol=1e-6)
    assert result["loss"] > 0
    same = evaluate(model, x, y, batch_size=1000)
    assert same["confusion_matrix"] == result["confusion_matrix"]
    assert same["loss"] == pytest.approx(result["loss"], rel=1e-5)


def test_evaluate_of_nothing():
    result = evaluate(small_cnn(0), np.zeros((0, 1, 28, 28), np.float32), np.zeros(0, np.uint8))
    assert result["accuracy"] == 0.0
    assert np.array(result["confusion_matrix"]).sum() == 0
