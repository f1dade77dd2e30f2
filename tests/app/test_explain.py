"""POST /api/explain: one unit's arithmetic, equal to the engine's record and the forward pass."""

from __future__ import annotations

import numpy as np
import pytest

from engine.explain import explain_unit
from engine.preprocess import network_input
from tests.app.payloads import as_drawing, f32, png_data_url, stroke_image

DIGIT = stroke_image()  # 28 x 28, light on dark: sent with preprocess false
IMAGE = network_input(DIGIT, False)[None]  # (1, 28, 28)


def explain(client, layer: str, channel: int, row: int, col: int, **extra):
    payload = {
        "pixels": DIGIT.tolist(),
        "preprocess": False,
        "layer": layer,
        "channel": channel,
        "row": row,
        "col": col,
        **extra,
    }
    return client.post("/api/explain", json=payload)


def activation(client, layer: str, unit: tuple[int, int, int]) -> float:
    """The unit's value in /api/predict's activations of `layer`."""
    body = client.post(
        "/api/predict", json={"pixels": DIGIT.tolist(), "preprocess": False, "layers": [layer]}
    ).json()
    c, i, j = unit
    return body["layers"][0]["activations"][c][i][j]


UNITS = [
    ("conv1", (0, 14, 14)),
    ("conv1", (7, 0, 0)),
    ("conv1", (3, 27, 27)),
    ("conv2", (5, 7, 9)),
    ("conv2", (15, 13, 0)),
    ("pool1", (2, 7, 7)),
    ("pool2", (10, 3, 3)),
]


@pytest.mark.parametrize(("layer", "unit"), UNITS)
def test_record_equals_engine_explain_unit(client, model, layer, unit):
    r = explain(client, layer, *unit)
    assert r.status_code == 200
    body = r.json()
    want = explain_unit(model, IMAGE, layer, unit)
    np.testing.assert_array_equal(f32(body.pop("input")), IMAGE[0])
    assert {"kind", "layer", "result"} <= set(body)
    for key, value in want.items():
        if isinstance(value, np.ndarray):
            got = np.asarray(body[key], dtype=value.dtype)  # float32 and float64 both roundtrip
            np.testing.assert_array_equal(got, value, err_msg=key)
        else:
            assert body[key] == value, key


@pytest.mark.parametrize(("layer", "unit"), UNITS)
def test_result_is_the_forward_activation(client, layer, unit):
    body = explain(client, layer, *unit).json()
    want = activation(client, layer, unit)
    assert body["result"] == pytest.approx(want, rel=1e-5, abs=1e-6)
    assert np.float32(body["forward_value"]) == np.float32(want)


@pytest.mark.parametrize(("layer", "unit"), [u for u in UNITS if u[0].startswith("conv")])
def test_conv_products_and_sum(client, layer, unit):
    body = explain(client, layer, *unit).json()
    patch, kernel, products = f32(body["patch"]), f32(body["kernel"]), f32(body["products"])
    assert patch.shape == kernel.shape == products.shape
    np.testing.assert_array_equal(products, patch * kernel)
    assert body["sum"] == pytest.approx(float(products.sum(dtype=np.float64)), rel=1e-12)
    assert body["result"] == pytest.approx(body["sum"] + body["bias"], rel=1e-6, abs=1e-7)


@pytest.mark.parametrize(("layer", "unit"), [u for u in UNITS if u[0].startswith("conv")])
def test_relu_after_conv_is_max_of_result_and_zero(client, layer, unit):
    body = explain(client, layer, *unit).json()
    act = body["activation"]
    assert act["kind"] == "relu"
    assert act["layer"] == {"conv1": "relu1", "conv2": "relu2"}[layer]
    assert act["value"] == max(body["forward_value"], 0.0)
    assert act["value"] == pytest.approx(max(body["result"], 0.0), rel=1e-5, abs=1e-6)
    assert np.float32(act["value"]) == np.float32(activation(client, act["layer"], unit))


def test_conv_reads_the_image_and_its_kernel(client, model):
    body = explain(client, "conv1", 4, 10, 12).json()
    assert body["kind"] == "conv2d" and body["input_layer"] == "input"
    np.testing.assert_array_equal(f32(body["kernel"]), model.layer("conv1").params["W"][4])
    assert body["bias"] == float(model.layer("conv1").params["b"][4])
    np.testing.assert_array_equal(f32(body["patch"])[0], IMAGE[0, 9:12, 11:14])


def test_border_unit_window_reaches_into_the_padding(client):
    body = explain(client, "conv1", 0, 0, 0).json()
    win = body["window"]
    assert (win["row"], win["col"]) == (-1, -1)
    assert (win["padded_row"], win["padded_col"]) == (0, 0)
    assert (win["height"], win["width"]) == (3, 3)
    patch = f32(body["patch"])[0]
    assert (patch[0] == 0).all() and (patch[:, 0] == 0).all()  # zeros from the padding
    far = explain(client, "conv1", 0, 27, 27).json()["window"]
    assert (far["row"], far["col"]) == (26, 26)


def test_conv2_reads_pool1(client):
    body = explain(client, "conv2", 0, 0, 0).json()
    assert body["input_layer"] == "pool1"
    assert f32(body["patch"]).shape == (8, 3, 3)


@pytest.mark.parametrize(("layer", "unit"), [u for u in UNITS if u[0].startswith("pool")])
def test_maxpool_argmax_is_at_the_max(client, layer, unit):
    body = explain(client, layer, *unit).json()
    assert body["kind"] == "maxpool2d"
    values = f32(body["values"])
    assert values.shape == (2, 2)
    r, c = body["argmax"]
    assert values[r, c] == values.max() == np.float32(body["result"])
    win = body["window"]
    assert (win["row"], win["col"]) == (2 * unit[1], 2 * unit[2])
    assert body["input_layer"] == {"pool1": "relu1", "pool2": "relu2"}[layer]
    assert "activation" not in body or body["activation"] is None


def test_pool_values_come_from_the_previous_layer(client):
    _, i, j = 2, 7, 7
    relu = client.post(
        "/api/predict", json={"pixels": DIGIT.tolist(), "preprocess": False, "layers": ["relu1"]}
    ).json()["layers"][0]["activations"]
    body = explain(client, "pool1", 2, i, j).json()
    np.testing.assert_array_equal(
        f32(body["values"]), f32(relu)[2, 2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
    )


def test_explain_with_an_image_and_preprocessing(client):
    payload = {"image": png_data_url(as_drawing(DIGIT)), "layer": "conv1", "channel": 1}
    r = client.post("/api/explain", json={**payload, "row": 5, "col": 5})
    assert r.status_code == 200
    assert len(r.json()["input"]) == 28


# ---- errors ----


@pytest.mark.parametrize("layer", ["relu1", "flatten", "fc1"])
def test_layer_without_steps_is_400(client, expect_error, layer):
    expect_error(explain(client, layer, 0, 0, 0), 400, layer, "conv2d")


def test_unknown_layer_is_404(client, expect_error):
    expect_error(explain(client, "conv7", 0, 0, 0), 404, "conv7", "conv1")


@pytest.mark.parametrize(
    ("layer", "unit", "words"),
    [
        ("conv1", (8, 0, 0), ["channel 8", "0..7"]),
        ("conv1", (0, 28, 0), ["row 28", "0..27"]),
        ("pool2", (0, 0, 7), ["col 7", "0..6"]),
    ],
)
def test_unit_out_of_range_is_400(client, expect_error, layer, unit, words):
    expect_error(explain(client, layer, *unit), 400, "out of range", *words)


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"channel": -1}, "greater than or equal to 0"),
        ({"row": "top"}, "integer"),
        ({"layer": None}, "string"),
    ],
)
def test_bad_unit_fields_are_422(client, expect_error, change, word):
    payload = {"pixels": DIGIT.tolist(), "layer": "conv1", "channel": 0, "row": 0, "col": 0}
    expect_error(client.post("/api/explain", json={**payload, **change}), 422, word)


def test_missing_unit_is_422(client, expect_error):
    body = expect_error(client.post("/api/explain", json={"pixels": DIGIT.tolist()}), 422)
    missing = {e["loc"][-1] for e in body["detail"] if e["type"] == "missing"}
    assert missing == {"layer", "channel", "row", "col"}


def test_explain_nan_pixels_is_422(client, expect_error):
    raw = b'{"pixels": [[NaN, 0]], "layer": "conv1", "channel": 0, "row": 0, "col": 0}'
    r = client.post("/api/explain", content=raw, headers={"content-type": "application/json"})
    expect_error(r, 422, "finite")


def test_explain_bad_image_is_400(client, expect_error):
    payload = {"image": "%%%", "layer": "conv1", "channel": 0, "row": 0, "col": 0}
    expect_error(client.post("/api/explain", json=payload), 400, "base64")


def test_explain_text_body_is_415(client, expect_error):
    r = client.post("/api/explain", content=b"conv1", headers={"content-type": "text/plain"})
    expect_error(r, 415, "application/json")
