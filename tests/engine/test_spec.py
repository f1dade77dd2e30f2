"""engine.spec: a designed network -> a checked Sequential, and every way a spec is refused."""

from __future__ import annotations

import numpy as np
import pytest

from engine.layers import AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, ReLU
from engine.model import Sequential
from engine.spec import (
    MAX_MULTIPLY_ADDS,
    MAX_PARAMETERS,
    SpecError,
    build_spec,
    check_spec,
    multiply_adds,
    spec_of,
    summary,
)


def conv(out=4, k=5, stride=1, padding=0, **extra):
    hyper = {"out_channels": out, "kernel_size": k, "stride": stride, "padding": padding, **extra}
    return {"kind": "conv2d", "hyperparameters": hyper}


def pool(size=2, stride=None, kind="maxpool2d"):
    hyper = {"size": size} | ({"stride": stride} if stride is not None else {})
    return {"kind": kind, "hyperparameters": hyper}


def dense(out=10, **extra):
    return {"kind": "dense", "hyperparameters": {"out_features": out, **extra}}


RELU, FLAT = {"kind": "relu"}, {"kind": "flatten"}
TINY = [conv(), RELU, pool(), FLAT, dense()]


def spec(*layers):
    return {"layers": list(layers)}


def test_tiny_net_is_built_with_inferred_inputs():
    model = build_spec(spec(*TINY))
    assert [lay.kind for lay in model.layers] == ["conv2d", "relu", "maxpool2d", "flatten", "dense"]
    assert [lay.name for lay in model.layers] == ["conv1", "relu1", "pool1", "flatten", "fc1"]
    assert model.layers[0].in_channels == 1
    assert model.layers[-1].in_features == 4 * 12 * 12
    assert model.shapes[-1] == (10,)
    assert model.parameter_count() == 4 * 26 + 10 * 577
    assert summary(model) == "conv 4@5x5 → maxpool 2x2 → dense 10"


def test_the_bundled_architecture_round_trips_through_its_spec():
    from engine.architecture import mnist_cnn

    reference = mnist_cnn()
    rebuilt = build_spec(spec_of(reference))
    assert rebuilt.describe() == reference.describe()


def test_ann_without_convolutions_and_every_option():
    model = build_spec(spec(FLAT, dense(64), RELU, dense(32), RELU, dense(10)))
    assert model.shapes[1:] == [(784,), (64,), (64,), (32,), (32,), (10,)]
    model = build_spec(
        spec(
            conv(8, [3, 5], [1, 2], "same"),
            RELU,
            pool([2, 2], 1, "avgpool2d"),
            conv(16, 3, 2, [1, 0]),
            {"kind": "relu", "name": "act"},
            FLAT,
            dense(10),
        )
    )
    assert isinstance(model.layers[2], AvgPool2D) and model.layers[4].name == "act"
    assert model.layers[0].padding == (1, 2)
    assert model.shapes[1] == (8, 28, 14)


def test_same_seed_same_weights_and_different_seed_different():
    a, b, c = build_spec(spec(*TINY), 3), build_spec(spec(*TINY), 3), build_spec(spec(*TINY), 4)
    assert np.array_equal(a.layers[0].params["W"], b.layers[0].params["W"])
    assert not np.array_equal(a.layers[0].params["W"], c.layers[0].params["W"])


def test_multiply_adds_counts_conv_and_dense_naively():
    model = Sequential([Conv2D(1, 2, 3), ReLU(), MaxPool2D(2), Flatten(), Dense(2 * 13 * 13, 10)])
    naive = 2 * 26 * 26 * 9 + 10 * 2 * 13 * 13
    assert multiply_adds(model) == naive


@pytest.mark.parametrize(
    ("layers", "index", "words"),
    [
        ([], None, ["non-empty"]),
        ([RELU] * 17, None, ["at most 16"]),
        (["conv"], 0, ["layer 1", "object"]),
        ([{"kind": "conv3d"}, FLAT, dense()], 0, ["layer 1", "unknown kind", "conv2d"]),
        ([{"kind": "relu", "extra": 1}, FLAT, dense()], 0, ["unknown field"]),
        ([{"kind": "relu", "hyperparameters": 3}, FLAT, dense()], 0, ["must be an object"]),
        ([conv(dilation=2), FLAT, dense()], 0, ["layer 1 (conv2d)", "dilation", "kernel_size"]),
        (
            [{"kind": "conv2d", "hyperparameters": {"kernel_size": 3}}, FLAT, dense()],
            0,
            ["out_channels"],
        ),
        (
            [{"kind": "conv2d", "hyperparameters": {"out_channels": 3}}, FLAT, dense()],
            0,
            ["kernel_size"],
        ),
        ([conv(out=33), FLAT, dense()], 0, ["out_channels is 33", "1 to 32"]),
        ([conv(out=0), FLAT, dense()], 0, ["out_channels is 0"]),
        ([conv(k=8), FLAT, dense()], 0, ["kernel_size is 8", "1 to 7"]),
        ([conv(k=[3, 3, 3]), FLAT, dense()], 0, ["pair"]),
        ([conv(k=2.5), FLAT, dense()], 0, ["whole number"]),
        ([conv(k=True), FLAT, dense()], 0, ["whole number"]),
        ([conv(stride=4), FLAT, dense()], 0, ["stride is 4", "1 to 3"]),
        ([conv(k=3, padding=2), FLAT, dense()], 0, ["padding", "0 to 1"]),
        ([conv(k=4, padding="same"), FLAT, dense()], 0, ["odd kernel"]),
        ([conv(padding="full"), FLAT, dense()], 0, ["'same'"]),
        ([conv(in_channels=3), FLAT, dense()], 0, ["in_channels", "inferred"]),
        ([conv(), pool(5), FLAT, dense()], 1, ["layer 2 (maxpool2d)", "size is 5", "1 to 4"]),
        ([conv(), pool(2, 5), FLAT, dense()], 1, ["stride is 5"]),
        (
            [conv(k=7, stride=3), pool(2), pool(2), pool(4), FLAT, dense()],
            3,
            ["layer 4 (maxpool2d)", "2x2 input is smaller than the 4x4 window", "fewer pooling"],
        ),
        (
            [conv(k=7, stride=3), pool(4), conv(k=5), FLAT, dense()],
            2,
            ["layer 3 (conv2d)", "2x2 input is smaller than the 5x5 kernel", "more padding"],
        ),
        ([conv()] * 4 + [FLAT, dense()], 3, ["layer 4 (conv2d)", "at most 3 conv"]),
        ([conv(k=1), pool(1)] + [pool(1)] * 3 + [FLAT, dense()], 4, ["at most 3 pooling"]),
        ([FLAT, dense(8), dense(8), dense(8), dense(10)], 3, ["at most 2 hidden"]),
        ([FLAT, dense(8), RELU], 2, ["layer 3 (relu)", "last layer must be dense"]),
        ([FLAT, dense(12)], 1, ["output layer has 12 units", "needs 10"]),
        ([FLAT, dense(3), dense(10)], 1, ["hidden dense layer", "4 to 256", "got 3"]),
        ([FLAT, dense(257), dense(10)], 1, ["out_features is 257"]),
        ([conv(), dense()], 1, ["layer 2 (dense)", "flatten"]),
        ([FLAT, conv(), FLAT, dense()], 1, ["comes after flatten"]),
        ([conv(), FLAT, FLAT, dense()], 2, ["flat already"]),
        ([FLAT, dense(in_features=9)], 1, ["in_features", "inferred"]),
        ([{"kind": "relu", "name": ""}, FLAT, dense()], 0, ["name"]),
        ([{"kind": "relu", "name": "x"}, {"kind": "flatten", "name": "x"}, dense()], 1, ["unique"]),
        (
            [conv(32, 7, 1, 3), conv(32, 7, 1, 3), pool(4), FLAT, dense(10)],
            1,
            ["layer 2 (conv2d)", "multiply-adds", f"{MAX_MULTIPLY_ADDS:,} allowed", "pooling"],
        ),
        (
            [conv(32, 3, 1, "same"), FLAT, dense(256), dense(10)],
            2,
            ["layer 3 (dense)", f"{MAX_PARAMETERS:,} allowed", "add pooling"],
        ),
    ],
)
def test_every_refusal_names_the_layer_and_what_to_change(layers, index, words):
    with pytest.raises(SpecError) as caught:
        build_spec(spec(*layers))
    assert isinstance(caught.value, ValueError)
    assert caught.value.index == index
    for word in words:
        assert word in str(caught.value), (word, str(caught.value))


def test_a_spec_that_is_not_an_object_is_refused():
    for bad in (None, [], {"layers": "conv"}, {"layer": []}):
        with pytest.raises(SpecError, match="layers"):
            check_spec(bad)


def test_checking_builds_no_weights_for_a_refused_giant():
    """The parameter cap is checked on the arithmetic, before any weight is allocated."""
    giant = spec(conv(32, 1), FLAT, dense(256), dense(256), dense(10))
    with pytest.raises(SpecError, match="parameters"):
        check_spec(giant)


def test_output_shapes_match_the_layers_own_arithmetic(rng):
    """check_spec's shapes are those of the built layers run on a real batch."""
    layers = [conv(6, 3, 2, 1), RELU, pool(3, 2, "avgpool2d"), conv(5, 2, 1, 1), FLAT, dense(10)]
    model = build_spec(spec(*layers))
    x = rng.random((2, 1, 28, 28)).astype(np.float32)
    outputs: list[np.ndarray] = []
    model.forward_train(x, outputs)
    assert [o.shape[1:] for o in outputs] == model.shapes[1:]
    assert isinstance(model.layers[-1], Dense)
