"""Dense and softmax records agree with naive NumPy and with the forward pass."""

from __future__ import annotations

import numpy as np
import pytest

from engine.architecture import mnist_cnn
from engine.explain import dense_record, explain_vector_unit, softmax_record
from engine.layers import Dense
from engine.receptive_field import layer_receptive_fields
from engine.shapes import receptive_window


def test_dense_record_sums_every_contribution_and_the_bias(rng):
    layer = Dense(20, 5, rng=rng)
    layer.params["b"] = rng.standard_normal(5).astype(np.float32)
    x = rng.standard_normal(20).astype(np.float32)
    y = layer.forward(x[None])[0][0]
    for u in range(5):
        r = dense_record(layer, x, u, top=4)
        naive = sum(float(x[i]) * float(layer.params["W"][u, i]) for i in range(20))
        assert np.isclose(r["sum"], naive, rtol=1e-9, atol=1e-12)
        assert np.isclose(r["sum"] + r["bias"], y[u], rtol=1e-5, atol=1e-6)
        assert np.isclose(r["result"], y[u], rtol=1e-6, atol=1e-6)
        listed = sum(t["product"] for t in r["top"])
        assert np.isclose(listed + r["rest"], r["sum"], atol=1e-9)
        assert np.isclose(r["positive_sum"] + r["negative_sum"], r["sum"], atol=1e-9)


def test_dense_record_lists_the_largest_contributions_first(rng):
    layer = Dense(30, 2, rng=rng)
    x = rng.standard_normal(30).astype(np.float32)
    r = dense_record(layer, x, 1, top=6)
    sizes = [abs(t["product"]) for t in r["top"]]
    assert sizes == sorted(sizes, reverse=True)
    everything = np.abs(x.astype(np.float64) * layer.params["W"][1].astype(np.float64))
    assert np.isclose(sizes[0], everything.max())
    assert np.isclose(sizes[-1], np.sort(everything)[-6])
    for t in r["top"]:
        assert t["value"] == float(x[t["index"]])
        assert t["weight"] == float(layer.params["W"][1, t["index"]])


@pytest.mark.parametrize(("unit", "top", "word"), [(2, 3, "out of range"), (0, 0, "top")])
def test_dense_record_refuses_bad_units(rng, unit, top, word):
    with pytest.raises(ValueError, match=word):
        dense_record(Dense(4, 2, rng=rng), np.zeros(4, np.float32), unit, top)


def test_softmax_record_is_exp_over_sum(rng):
    z = rng.standard_normal(10).astype(np.float32) * 5
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    r = softmax_record(z, p, 3)
    naive = [np.exp(float(v) - float(z.max())) for v in z]
    assert np.allclose(r["exps"], naive)
    assert np.isclose(r["exp_sum"], sum(naive))
    assert np.isclose(r["exps"][3] / r["exp_sum"], r["result"], rtol=1e-6)
    with pytest.raises(ValueError, match="out of range"):
        softmax_record(z, p, 10)


def test_softmax_record_divides_by_the_temperature(rng):
    z = rng.standard_normal(10).astype(np.float32) * 5
    p = np.exp(z / 2 - (z / 2).max()) / np.exp(z / 2 - (z / 2).max()).sum()
    r = softmax_record(z, p, 4, temperature=2.0)
    assert r["temperature"] == 2.0
    assert np.allclose(r["shifted"], z / 2 - (z / 2).max())
    assert np.isclose(r["exps"][4] / r["exp_sum"], r["result"], rtol=1e-6)


@pytest.fixture(scope="module")
def net():
    return mnist_cnn(seed=3)


@pytest.fixture(scope="module")
def image():
    return np.random.default_rng(1).random((1, 28, 28)).astype(np.float32)


def test_fc1_unit_matches_trace_and_points_into_pool2(net, image):
    traces = net.trace(image[None])
    r = explain_vector_unit(net, image, "fc1", 7, top=10)
    assert r["input_layer"] == "flatten"
    assert r["source_layer"] == "pool2"
    assert np.isclose(r["result"], r["forward_value"], rtol=1e-5, atol=1e-5)
    assert np.isclose(r["forward_value"], traces[net.index("fc1")].output[0, 7])
    assert r["activation"]["value"] == max(0.0, r["forward_value"])
    pool2 = traces[net.index("pool2")].output[0]
    for t in r["top"]:
        c, i, j = t["position"]
        assert np.isclose(pool2[c, i, j], t["value"])


def test_fc2_unit_reads_relu3_and_softmax_matches_trace(net, image):
    traces = net.trace(image[None])
    r = explain_vector_unit(net, image, "fc2", 4)
    assert r["source_layer"] == "relu3" and "activation" not in r
    assert [t["position"] for t in r["top"]] == [[t["index"]] for t in r["top"]]
    s = explain_vector_unit(net, image, "softmax", 4)
    assert np.allclose(s["probabilities"], traces[-1].output[0], rtol=1e-6)
    assert np.allclose(s["logits"], traces[-2].output[0])
    assert np.isclose(s["exps"][4] / s["exp_sum"], s["result"], rtol=1e-5)
    with pytest.raises(ValueError, match="conv2d"):
        explain_vector_unit(net, image, "conv1", 0)


def test_receptive_fields_match_the_windows_conv_units_read(net):
    fields = layer_receptive_fields(net)
    assert set(fields) == {"conv1", "relu1", "pool1", "conv2", "relu2", "pool2"}
    assert fields["conv1"]["input"] == {"size": [3, 3], "jump": [1, 1], "offset": [-1, -1]}
    assert fields["relu2"]["conv2"] == {"size": [1, 1], "jump": [1, 1], "offset": [0, 0]}
    rf = fields["conv2"]["pool1"]
    bounds = net.layer("conv2").window.bounds(5, 2)
    top_left = receptive_window({k: tuple(v) for k, v in rf.items()}, 5, 2)
    assert top_left == (bounds["row"], bounds["col"])
    # a unit of pool2 at (i, j) reads input rows 4i - 3 .. 4i + 6 (10 x 10 pixels)
    assert fields["pool2"]["input"] == {"size": [10, 10], "jump": [4, 4], "offset": [-3, -3]}
