"""Saliency: the input gradient against central differences, and Grad-CAM's basic properties."""

from __future__ import annotations

import numpy as np
import pytest

from engine.architecture import build_model
from engine.data import load_mnist
from engine.model import Sequential
from engine.saliency import grad_cam_map, input_gradient, last_conv_layer, saliency
from engine.serialize import load_model
from tests.gradcheck import central_difference

EPS = 2.0**-16  # exact in float32 for pixels in [0, 1]: the perturbation itself is not rounded


@pytest.fixture(scope="module")
def model() -> Sequential:
    return load_model()[0]


@pytest.fixture(scope="module")
def model64(model) -> Sequential:
    """The bundled model with float64 parameters (the input is still float32 by contract)."""
    copy = build_model(model.describe())
    for (_, _, src), (_, _, dst) in zip(model.parameters(), copy.parameters(), strict=True):
        dst[...] = src
    for layer in copy.layers:
        layer.params = {k: v.astype(np.float64) for k, v in layer.params.items()}
    return copy


def stroke_digit(noise: float = 0.0) -> np.ndarray:
    """(1, 28, 28) float32: a soft slanted stroke with a bar, like a handwritten 7.

    With noise, a faint random background: no two max-pool candidates tie, so the logit is
    differentiable at the point and central differences have a gradient to agree with.
    """
    rows, cols = np.mgrid[0:28, 0:28]
    bar = np.exp(-((rows - 7) ** 2) / 3.0) * ((cols > 7) & (cols < 21))
    stem = np.exp(-((cols - (20 - 0.45 * (rows - 7))) ** 2) / 3.0) * ((rows > 6) & (rows < 23))
    speckle = noise * np.random.default_rng(0).random((28, 28))
    return np.clip(bar + stem + speckle, 0, 1).astype(np.float32)[None]


def logit(model: Sequential, image: np.ndarray, cls: int) -> float:
    return float(model.forward(image[None])[0, cls])


@pytest.mark.parametrize("cls", [7, 1])
def test_gradient_matches_central_differences(model64, cls):
    image = stroke_digit(noise=0.05)
    grad = input_gradient(model64, image, cls)
    assert grad.shape == image.shape and grad.dtype == np.float64
    rng = np.random.default_rng(0)
    strongest = np.argsort(np.abs(grad[0]).ravel())[::-1][:5]
    anywhere = rng.choice(28 * 28, size=5, replace=False)
    for flat in np.concatenate([strongest, anywhere]):
        r, c = divmod(int(flat), 28)
        numeric = central_difference(lambda: logit(model64, image, cls), image, (0, r, c), EPS)
        scale = max(1e-3, float(np.abs(grad).max()))
        assert abs(numeric - grad[0, r, c]) <= 1e-3 * scale, (r, c, numeric, grad[0, r, c])


def test_gradient_saliency_is_the_normalised_magnitude(model):
    image = stroke_digit()
    s = saliency(model, image, 3, "gradient")
    raw = input_gradient(model, image, 3)[0]
    np.testing.assert_allclose(s.raw, raw, rtol=1e-6)
    np.testing.assert_allclose(s.saliency, np.abs(raw) / np.abs(raw).max(), rtol=1e-5)
    assert s.class_index == 3 and s.method == "gradient" and s.layer is None
    assert s.saliency.shape == (28, 28) and s.saliency.max() == pytest.approx(1.0)


def test_default_class_is_the_prediction(model):
    image = stroke_digit()
    s = saliency(model, image)
    assert s.class_index == s.prediction == int(model.forward(image[None]).argmax())
    assert s.probabilities.sum() == pytest.approx(1.0, abs=1e-5)


def test_saliency_writes_no_state_on_the_model(model):
    before = [p.copy() for _, _, p in model.parameters()]
    attrs = [dict(vars(layer)) for layer in model.layers]
    saliency(model, stroke_digit(), 2, "gradient")
    saliency(model, stroke_digit(), 2, "gradcam")
    for (_, _, p), q in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p, q)
    assert [set(vars(layer)) for layer in model.layers] == [set(a) for a in attrs]


def test_grad_cam_shape_and_sign(model):
    assert last_conv_layer(model) == "conv2"
    image = stroke_digit()
    cam = grad_cam_map(model, image, 7, "conv2")
    assert cam.shape == (14, 14) and cam.min() >= 0
    s = saliency(model, image, 7, "gradcam")
    assert s.layer == "conv2" and s.saliency.shape == (28, 28)
    assert s.saliency.min() >= 0 and s.saliency.max() <= 1
    assert s.raw.min() >= 0


def test_grad_cam_by_hand_on_a_conv_layer(model):
    """alpha = mean gradient per channel; CAM = ReLU(sum alpha_c A_c), checked via backward()."""
    image = stroke_digit()
    k = model.index("conv1")
    logits, caches = model.forward_train(image[None])
    one_hot = np.eye(10, dtype=logits.dtype)[[4]]
    grad = model.backward_to(k, one_hot, caches)[0]  # (8, 28, 28)
    # backward_to(k) then layer k's own backward must equal the full input gradient
    dx, _ = model.layers[k].backward(grad[None], caches[k])
    np.testing.assert_allclose(dx[0], input_gradient(model, image, 4), rtol=1e-5, atol=1e-6)
    acts = model.trace(image[None])[k].output[0]
    want = np.maximum((grad.mean(axis=(1, 2))[:, None, None] * acts).sum(axis=0), 0)
    np.testing.assert_allclose(grad_cam_map(model, image, 4, "conv1"), want, rtol=1e-5, atol=1e-7)


def test_grad_cam_is_larger_on_the_digit_than_on_the_background(model, mnist_dir):
    images, labels = load_mnist("test", mnist_dir, download=False)
    image = (images[0].astype(np.float32) / 255.0)[None]
    s = saliency(model, image, int(labels[0]), "gradcam")
    ink, empty = images[0] > 128, images[0] == 0
    assert s.saliency[ink].mean() > 1.5 * s.saliency[empty].mean()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"class_index": 10}, "class must be in 0..9"),
        ({"class_index": -1}, "class must be in 0..9"),
        ({"method": "occlusion"}, "method must be one of"),
        ({"method": "gradcam", "layer": "fc1"}, "C x H x W"),
    ],
)
def test_bad_requests_say_what_to_change(model, kwargs, words):
    with pytest.raises(ValueError, match=words):
        saliency(model, stroke_digit(), **kwargs)


@pytest.mark.parametrize("method", ["gradient", "gradcam"])
def test_saliency_runs_one_forward_pass(model64, method, monkeypatch):
    """Probabilities, activations and gradients all come from a single pass through the layers."""
    first = model64.layers[0]
    calls = []

    def counted(method):
        def call(x):
            calls.append(x.shape)
            return method(x)

        return call

    monkeypatch.setattr(first, "forward", counted(first.forward))
    monkeypatch.setattr(first, "forward_train", counted(first.forward_train))
    s = saliency(model64, stroke_digit(), 2, method)
    assert len(calls) == 1 and s.saliency.shape == (28, 28)
