"""Every layer against a naive loop, central-difference gradient checks, and no state in forward."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from engine.layers import LAYER_TYPES, AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, ReLU
from tests.gradcheck import numeric_grad


def naive_conv(x, w, b, stride, padding):
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    (sh, sw), (ph, pw) = stride, padding
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph : ph + h, pw : pw + wd] = x
    ho = (h + 2 * ph - kh) // sh + 1
    wo = (wd + 2 * pw - kw) // sw + 1
    y = np.zeros((n, f, ho, wo))
    for s in range(n):
        for k in range(f):
            for i in range(ho):
                for j in range(wo):
                    total = b[k]
                    for ch in range(c):
                        for a in range(kh):
                            for q in range(kw):
                                total += xp[s, ch, i * sh + a, j * sw + q] * w[k, ch, a, q]
                    y[s, k, i, j] = total
    return y


def naive_pool(x, size, stride, reduce):
    n, c, h, w = x.shape
    (kh, kw), (sh, sw) = size, stride
    ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
    y = np.zeros((n, c, ho, wo))
    for s in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    y[s, ch, i, j] = reduce(x[s, ch, i * sh : i * sh + kh, j * sw : j * sw + kw])
    return y


CONV_CASES = [
    # in_channels, out_channels, kernel, stride, padding, (H, W)
    (1, 1, 3, 1, 0, (5, 5)),
    (3, 4, 3, 1, 1, (6, 6)),
    (2, 3, 3, 2, 1, (7, 7)),
    (2, 2, 3, 2, (2, 1), (6, 5)),
    (3, 2, (3, 2), 1, 0, (6, 5)),
    (2, 3, (3, 2), (2, 1), (1, 0), (7, 6)),
    (2, 3, 5, 1, "same", (6, 7)),
    (1, 2, (3, 5), 1, "same", (4, 6)),
    (2, 2, 4, 3, "valid", (9, 8)),
]


@pytest.mark.parametrize(("c", "f", "kernel", "stride", "padding", "hw"), CONV_CASES)
def test_conv_forward_matches_naive_loops(rng, c, f, kernel, stride, padding, hw):
    layer = Conv2D(c, f, kernel, stride=stride, padding=padding, rng=rng)
    layer.params["b"] = rng.standard_normal(f).astype(np.float32)
    x = rng.standard_normal((2, c, *hw)).astype(np.float32)
    y, _ = layer.forward(x)
    expected = naive_conv(
        x.astype(np.float64),
        layer.params["W"].astype(np.float64),
        layer.params["b"].astype(np.float64),
        layer.stride,
        layer.padding,
    )
    assert y.dtype == np.float32
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def test_same_padding_keeps_the_spatial_size(rng):
    layer = Conv2D(1, 2, (5, 3), padding="same", rng=rng)
    assert layer.padding == (2, 1)
    y, _ = layer.forward(rng.standard_normal((1, 1, 9, 4)).astype(np.float32))
    assert y.shape == (1, 2, 9, 4)


def test_conv_rejects_wrong_channel_count(rng):
    layer = Conv2D(3, 2, 3, rng=rng)
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        layer.forward(np.zeros((1, 2, 5, 5), dtype=np.float32))
    with pytest.raises(ValueError, match="expects"):
        layer.forward(np.zeros((2, 5, 5), dtype=np.float32))


POOL_CASES = [
    # size, stride, (H, W)
    (2, None, (6, 6)),
    (2, 2, (5, 5)),
    (3, 2, (7, 7)),
    (3, 1, (5, 6)),
    ((2, 3), (1, 2), (6, 7)),
    (3, 3, (8, 10)),
]


@pytest.mark.parametrize(("size", "stride", "hw"), POOL_CASES)
def test_maxpool_forward_matches_naive_loops(rng, size, stride, hw):
    layer = MaxPool2D(size, stride)
    x = rng.standard_normal((2, 3, *hw)).astype(np.float32)
    y, _ = layer.forward(x)
    expected = naive_pool(x, layer.size, layer.stride, np.max)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize(("size", "stride", "hw"), POOL_CASES)
def test_avgpool_forward_matches_naive_loops(rng, size, stride, hw):
    layer = AvgPool2D(size, stride)
    x = rng.standard_normal((2, 3, *hw)).astype(np.float32)
    y, _ = layer.forward(x)
    expected = naive_pool(x.astype(np.float64), layer.size, layer.stride, np.mean)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def test_maxpool_handles_negative_inputs_and_ties():
    x = np.array([[[[-3.0, -1.0], [-2.0, -5.0]]]], dtype=np.float32)
    y, cache = MaxPool2D(2).forward(x)
    assert y[0, 0, 0, 0] == -1.0
    ties = np.full((1, 1, 2, 2), 4.0)
    y, cache = MaxPool2D(2).forward(ties)
    dx, _ = MaxPool2D(2).backward(np.ones((1, 1, 1, 1)), cache)
    # the whole gradient goes to a single (the first) maximum
    np.testing.assert_array_equal(dx[0, 0], [[1.0, 0.0], [0.0, 0.0]])


def test_dense_forward_matches_formula(rng):
    layer = Dense(5, 3, rng=rng)
    layer.params["b"] = rng.standard_normal(3).astype(np.float32)
    x = rng.standard_normal((4, 5)).astype(np.float32)
    y, _ = layer.forward(x)
    w, b = layer.params["W"], layer.params["b"]
    expected = np.array(
        [[sum(x[s, i] * w[o, i] for i in range(5)) + b[o] for o in range(3)] for s in range(4)]
    )
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"\(N, 5\)"):
        layer.forward(np.zeros((4, 6), dtype=np.float32))


def test_relu_and_flatten_forward(rng):
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    y, _ = ReLU().forward(x)
    np.testing.assert_array_equal(y, np.where(x > 0, x, 0))
    assert (y >= 0).all()
    flat, _ = Flatten().forward(x)
    assert flat.shape == (2, 60)
    assert flat[1, 2 * 20 + 3 * 5 + 4] == x[1, 2, 3, 4]  # channel, row, col order
    assert Flatten().output_shape((3, 4, 5)) == (60,)


def test_parameter_counts_and_configs():
    conv = Conv2D(3, 8, (3, 2), stride=2, padding="valid", name="c")
    assert conv.parameter_count() == 8 * 3 * 3 * 2 + 8
    assert conv.describe() == {
        "kind": "conv2d",
        "name": "c",
        "in_channels": 3,
        "out_channels": 8,
        "kernel_size": [3, 2],
        "stride": [2, 2],
        "padding": [0, 0],
    }
    assert Dense(10, 4).parameter_count() == 44
    assert MaxPool2D(3, 2).hyperparameters() == {"size": [3, 3], "stride": [2, 2]}
    assert MaxPool2D(2).stride == (2, 2)
    assert set(LAYER_TYPES) == {"conv2d", "relu", "maxpool2d", "avgpool2d", "flatten", "dense"}


# ---------------------------------------------------------------- gradient checks


def check_layer_gradients(layer, x, rng):
    """Compare backward() with central differences for dx and every parameter."""
    for key in layer.params:
        layer.params[key] = layer.params[key].astype(np.float64)
    y, _ = layer.forward(x)
    g = rng.standard_normal(y.shape)

    def loss():
        return float(np.sum(layer.forward(x)[0] * g))

    _, cache = layer.forward(x)
    dx, grads = layer.backward(g, cache)
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, numeric_grad(loss, x), rtol=1e-5, atol=1e-7)
    assert set(grads) == set(layer.params)
    for key, p in layer.params.items():
        assert grads[key].shape == p.shape
        np.testing.assert_allclose(grads[key], numeric_grad(loss, p), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    ("c", "f", "kernel", "stride", "padding", "hw"),
    [
        (2, 3, 3, 1, 0, (5, 5)),
        (2, 3, 3, 2, 1, (6, 7)),
        (2, 2, (3, 2), (2, 1), (2, 1), (5, 6)),
        (1, 2, 3, 1, "same", (4, 4)),
    ],
)
def test_conv_gradients(rng, c, f, kernel, stride, padding, hw):
    layer = Conv2D(c, f, kernel, stride=stride, padding=padding, rng=rng)
    layer.params["b"] = rng.standard_normal(f)
    check_layer_gradients(layer, rng.standard_normal((2, c, *hw)), rng)


@pytest.mark.parametrize(
    ("cls", "size", "stride", "hw"),
    [
        (MaxPool2D, 2, 2, (4, 6)),
        (MaxPool2D, 3, 2, (7, 7)),
        (MaxPool2D, 2, 2, (5, 5)),
        (MaxPool2D, 3, 1, (5, 5)),
        (AvgPool2D, 2, 2, (4, 6)),
        (AvgPool2D, 3, 2, (7, 7)),
        (AvgPool2D, 2, 2, (5, 5)),
        (AvgPool2D, (2, 3), 1, (4, 5)),
    ],
)
def test_pool_gradients(rng, cls, size, stride, hw):
    check_layer_gradients(cls(size, stride), rng.standard_normal((2, 2, *hw)), rng)


def test_dense_gradients(rng):
    layer = Dense(6, 4, rng=rng)
    layer.params["b"] = rng.standard_normal(4)
    check_layer_gradients(layer, rng.standard_normal((3, 6)), rng)


def test_relu_gradient(rng):
    x = rng.standard_normal((2, 3, 4))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink
    check_layer_gradients(ReLU(), x, rng)


def test_flatten_gradient(rng):
    check_layer_gradients(Flatten(), rng.standard_normal((2, 3, 2, 2)), rng)


# ---------------------------------------------------------------- forward writes no state


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        (Conv2D(2, 3, 3, stride=2, padding=1), (2, 2, 7, 7)),
        (MaxPool2D(3, 2), (2, 2, 7, 7)),
        (AvgPool2D(2), (2, 2, 6, 6)),
        (Dense(8, 3), (2, 8)),
        (ReLU(), (2, 3, 4)),
        (Flatten(), (2, 3, 4)),
    ],
    ids=lambda v: getattr(v, "kind", None),
)
def test_forward_writes_no_state(rng, layer, shape):
    x = rng.standard_normal(shape).astype(np.float32)
    x_before = x.copy()
    attrs_before = set(vars(layer))
    params_before = copy.deepcopy(layer.params)
    ids_before = {k: id(v) for k, v in layer.params.items()}
    y1, _ = layer.forward(x)
    y2, _ = layer.forward(x)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(x, x_before)
    assert set(vars(layer)) == attrs_before
    assert {k: id(v) for k, v in layer.params.items()} == ids_before
    for key, p in layer.params.items():
        np.testing.assert_array_equal(p, params_before[key])


def test_backward_uses_only_its_own_cache(rng):
    # Two interleaved forwards (as in parallel requests): each backward sees its own input.
    layer = Conv2D(1, 2, 3, padding=1, rng=rng)
    x1 = rng.standard_normal((1, 1, 5, 5)).astype(np.float32)
    x2 = rng.standard_normal((1, 1, 5, 5)).astype(np.float32)
    g = np.ones((1, 2, 5, 5), dtype=np.float32)
    _, cache1 = layer.forward(x1)
    _, grads_alone = layer.backward(g, cache1)
    _, cache1 = layer.forward(x1)
    layer.forward(x2)
    _, grads_interleaved = layer.backward(g, cache1)
    np.testing.assert_array_equal(grads_alone["W"], grads_interleaved["W"])
