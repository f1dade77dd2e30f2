"""The model ConvLens ships: it loads, says how good it is, and is that good."""

from __future__ import annotations

import numpy as np
import pytest

from engine.architecture import mnist_cnn
from engine.data import load_mnist
from engine.serialize import BUNDLED_WEIGHTS, load_model
from engine.train import evaluate, to_input


@pytest.fixture(scope="module")
def bundled():
    """(model, metadata) of engine/weights/mnist_cnn.npz."""
    assert BUNDLED_WEIGHTS.is_file(), f"{BUNDLED_WEIGHTS} is missing: run `convlens train`"
    return load_model(BUNDLED_WEIGHTS)


def test_bundled_model_has_the_shipped_architecture(bundled):
    model, _ = bundled
    assert model.describe() == mnist_cnn(seed=0).describe()
    for name, key, p in model.parameters():
        assert p.dtype == np.float32, f"{name}.{key}"
        assert np.isfinite(p).all(), f"{name}.{key}"


def test_bundled_metadata_reports_its_test_results(bundled):
    _, metadata = bundled
    assert metadata["test_accuracy"] >= 0.99
    confusion = np.array(metadata["confusion_matrix"])
    assert confusion.shape == (10, 10)
    assert confusion.sum() == 10_000
    assert (confusion >= 0).all()
    # MNIST's test set has these many images of each digit.
    np.testing.assert_array_equal(
        confusion.sum(axis=1), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    )
    assert confusion.trace() / 10_000 == pytest.approx(metadata["test_accuracy"], abs=1e-9)
    per_class = np.array(metadata["per_class_accuracy"])
    assert per_class.shape == (10,)
    np.testing.assert_allclose(per_class, confusion.diagonal() / confusion.sum(axis=1), atol=1e-6)
    assert per_class.min() >= 0.97


@pytest.mark.slow
def test_bundled_model_is_at_least_99_percent_accurate(bundled, mnist_dir):
    model, metadata = bundled
    images, labels = load_mnist("test", mnist_dir, download=False)
    assert len(images) == 10_000
    result = evaluate(model, to_input(images), labels)
    assert result["accuracy"] >= 0.99
    assert np.array(result["confusion_matrix"]).sum() == 10_000
    # Same weights, same images: the number it ships with is the number it gets (to a few
    # images of float rounding, should the kernels change).
    assert result["accuracy"] == pytest.approx(metadata["test_accuracy"], abs=5e-4)
