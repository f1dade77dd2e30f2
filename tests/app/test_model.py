"""GET /api/model and GET /api/model/layers/{name}/kernels."""

from __future__ import annotations

import numpy as np
import pytest

from tests.app.payloads import f32


def test_model_describes_every_layer(client, model):
    r = client.get("/api/model")
    assert r.status_code == 200
    body = r.json()
    assert body["input_shape"] == [1, 28, 28]
    assert body["class_names"] == [str(d) for d in range(10)]
    assert body["parameter_count"] == model.parameter_count()
    assert [lay["name"] for lay in body["layers"]] == [lay.name for lay in model.layers]
    for got, want in zip(body["layers"], model.describe_layers(), strict=True):
        assert got["kind"] == want["kind"]
        assert got["input_shape"] == list(want["input_shape"])
        assert got["output_shape"] == list(want["output_shape"])
        assert got["parameter_count"] == want["parameter_count"]
    assert sum(lay["parameter_count"] for lay in body["layers"]) == body["parameter_count"]


def test_model_layers_carry_the_output_size_formula_of_convolve_and_pool(client):
    """conv/pool layers: the text /api/convolve and /api/pool give for that geometry; else null."""
    layers = {lay["name"]: lay for lay in client.get("/api/model").json()["layers"]}
    assert layers["conv1"]["formula"] == "floor((28 - 3 + 2*1) / 1) + 1 = 28"
    assert layers["pool2"]["formula"] == "floor((14 - 2 + 2*0) / 2) + 1 = 7"
    assert [n for n, lay in layers.items() if lay["formula"] is None] == [
        n for n, lay in layers.items() if lay["kind"] not in ("conv2d", "maxpool2d", "avgpool2d")
    ]
    conv1, pool1 = layers["conv1"]["hyperparameters"], layers["pool1"]["hyperparameters"]
    zeros = np.zeros((1, 28, 28)).tolist()
    conv = client.post(
        "/api/convolve",
        json={
            "input": zeros,
            "kernels": np.zeros((1, 1, *conv1["kernel_size"])).tolist(),
            "stride": conv1["stride"],
            "padding": conv1["padding"],
        },
    ).json()
    assert conv["formula"] == layers["conv1"]["formula"]
    pooled = client.post(
        "/api/pool", json={"input": zeros, "size": pool1["size"], "stride": pool1["stride"]}
    ).json()
    assert pooled["formula"] == layers["pool1"]["formula"]


def test_model_reports_training_record(client):
    body = client.get("/api/model").json()
    assert 0.9 < body["test_accuracy"] <= 1.0
    assert isinstance(body["metadata"], dict) and body["metadata"]


def test_shapes_chain_from_layer_to_layer(client):
    layers = client.get("/api/model").json()["layers"]
    for prev, nxt in zip(layers, layers[1:], strict=False):
        assert prev["output_shape"] == nxt["input_shape"]


@pytest.mark.parametrize("name", ["conv1", "conv2", "fc1", "fc2"])
def test_kernels_equal_the_weights(client, model, name):
    r = client.get(f"/api/model/layers/{name}/kernels")
    assert r.status_code == 200
    body = r.json()
    layer = model.layer(name)
    w, b = layer.params["W"], layer.params["b"]
    assert body["layer"] == name
    assert body["kind"] == layer.kind
    assert body["shape"] == list(w.shape)
    np.testing.assert_array_equal(f32(body["weights"]), w)
    np.testing.assert_array_equal(f32(body["bias"]), b)
    assert body["min"] == pytest.approx(float(w.min()))
    assert body["max"] == pytest.approx(float(w.max()))


def test_conv_kernels_are_f_c_kh_kw(client):
    body = client.get("/api/model/layers/conv1/kernels").json()
    assert body["shape"] == [16, 1, 3, 3]
    assert np.asarray(body["weights"]).shape == (16, 1, 3, 3)


def test_unknown_layer_is_404_listing_the_layers(client, expect_error):
    r = client.get("/api/model/layers/conv9/kernels")
    expect_error(r, 404, "conv9", "conv1", "fc2")


def test_layer_without_weights_is_404_naming_layers_with_weights(client, expect_error):
    r = client.get("/api/model/layers/relu1/kernels")
    expect_error(r, 404, "no weights", "conv1", "fc1")
