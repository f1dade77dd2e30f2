"""POST /api/explain/vector and the receptive fields of GET /api/model, against the engine."""

from __future__ import annotations

import numpy as np
import pytest

from engine.explain import explain_vector_unit
from engine.preprocess import network_input
from engine.receptive_field import layer_receptive_fields
from tests.app.payloads import stroke_image

DIGIT = stroke_image()
IMAGE = network_input(DIGIT, False)[None]  # (1, 28, 28)


def explain(client, layer: str, unit: int, **extra):
    payload = {"pixels": DIGIT.tolist(), "preprocess": False, "layer": layer, "unit": unit}
    return client.post("/api/explain/vector", json={**payload, **extra})


@pytest.mark.parametrize(("layer", "unit"), [("fc1", 0), ("fc1", 127), ("fc2", 3), ("softmax", 9)])
def test_record_equals_the_engine(client, model, layer, unit):
    r = explain(client, layer, unit)
    assert r.status_code == 200, r.text
    body = r.json()
    expected = explain_vector_unit(model, IMAGE, layer, unit)
    assert body["kind"] == expected["kind"]
    assert body["result"] == pytest.approx(expected["result"])
    if layer != "softmax":
        assert [t["index"] for t in body["top"]] == [t["index"] for t in expected["top"]]
        assert body["sum"] + body["bias"] == pytest.approx(body["forward_value"], abs=1e-4)
    else:
        assert np.allclose(body["probabilities"], expected["probabilities"])


def test_contributions_are_what_predict_shows(client):
    body = explain(client, "fc1", 5, top=20).json()
    predicted = client.post(
        "/api/predict", json={"pixels": DIGIT.tolist(), "preprocess": False, "layers": "all"}
    ).json()
    pool2 = next(e for e in predicted["layers"] if e["name"] == "pool2")["activations"]
    fc1 = next(e for e in predicted["layers"] if e["name"] == "fc1")["activations"]
    assert len(body["top"]) == 20
    for t in body["top"]:
        c, i, j = t["position"]
        assert t["value"] == pytest.approx(pool2[c][i][j], rel=1e-5, abs=1e-6)
    assert body["result"] == pytest.approx(fc1[5], rel=1e-5, abs=1e-5)


def test_softmax_probability_is_exp_over_sum(client):
    body = explain(client, "softmax", 2).json()
    assert body["exps"][2] / body["exp_sum"] == pytest.approx(body["result"], rel=1e-5)
    assert sum(body["probabilities"]) == pytest.approx(1.0, abs=1e-5)


def test_unknown_layer_is_404(client, expect_error):
    expect_error(explain(client, "nope", 0), 404, "nope")


@pytest.mark.parametrize(
    ("layer", "unit", "words"),
    [
        ("conv1", 0, ["conv2d", "/api/explain"]),
        ("fc2", 10, ["out of range"]),
        ("softmax", 12, ["0..9"]),
    ],
)
def test_bad_units_are_400(client, expect_error, layer, unit, words):
    expect_error(explain(client, layer, unit), 400, *words)


@pytest.mark.parametrize("top", [0, 65, "3"])
def test_bad_top_is_422(client, expect_error, top):
    expect_error(explain(client, "fc1", 0, top=top), 422, "top")


def test_model_lists_receptive_fields(client, model):
    layers = client.get("/api/model").json()["layers"]
    fields = layer_receptive_fields(model)
    for layer in layers:
        assert layer["receptive_fields"] == fields.get(layer["name"])
    assert next(la for la in layers if la["name"] == "fc1")["receptive_fields"] is None


def test_openapi_examples_answer(client):
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/api/explain/vector"]["post"]["requestBody"]["content"]
    examples = body["application/json"]["examples"]
    assert set(examples) == {"dense", "softmax"}
    for example in examples.values():
        r = client.post("/api/explain/vector", json=example["value"])
        assert r.status_code == 200, r.text
        kind = {"fc1": "dense", "softmax": "softmax"}[example["value"]["layer"]]
        assert r.json()["kind"] == kind
