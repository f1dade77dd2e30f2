"""POST /api/robustness: the engine's sweep over HTTP, and bad requests as 422s with messages."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.strokes.sets import evaluation_digits
from engine.transforms import sweep
from tests.app.payloads import f32, png_data_url


@pytest.fixture(scope="module")
def drawing() -> np.ndarray:
    """(280, 280) uint8 canvas picture of a drawn 4."""
    return next(d for d in evaluation_digits(1) if d.label == 4).image()


def test_sweep_answers_match_the_engine(client, model, drawing):
    values = [-60, -20, 0, 20, 60]
    r = client.post(
        "/api/robustness",
        json={"image": png_data_url(drawing), "transform": "rotate", "values": values},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["transform"] == "rotate"
    expected = sweep(model, drawing, "rotate", values)
    assert [p["value"] for p in body["results"]] == values
    for got, want in zip(body["results"], expected, strict=True):
        assert got["prediction"] == want.prediction
        np.testing.assert_allclose(f32(got["probabilities"]), want.probabilities, atol=1e-6)
        assert np.asarray(got["input"]).shape == (28, 28)
        np.testing.assert_allclose(f32(got["input"]), want.input, atol=1e-6)


def test_pixels_work_too_and_erasing_everything_reads_nothing(client):
    pixels = np.zeros((28, 28))
    pixels[5:23, 13:15] = 1.0
    r = client.post(
        "/api/robustness",
        json={"pixels": pixels.tolist(), "transform": "erase", "values": [0.0, 1.0]},
    )
    assert r.status_code == 200, r.text
    kept, erased = r.json()["results"]
    assert kept["prediction"] == 1
    assert erased["prediction"] is None and sum(erased["probabilities"]) == 0


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"transform": "twist"}, ["transform", "rotate"]),
        ({"values": list(range(65))}, ["values", "64"]),
        ({"values": []}, ["values", "1"]),
        ({"values": [10, float("nan")]}, ["values"]),
        ({"values": [200]}, ["values", "180"]),
        ({"values": "30"}, ["values", "list"]),
    ],
)
def test_bad_requests_are_422_with_a_message(client, expect_error, change, words):
    body = {"pixels": [[0, 1], [1, 0]], "transform": "rotate", "values": [0], **change}
    content = json.dumps(body)  # NaN goes out as the bare token NaN
    r = client.post(
        "/api/robustness", content=content, headers={"content-type": "application/json"}
    )
    expect_error(r, 422, *words)


@pytest.mark.parametrize(
    ("transform", "values", "words"),
    [("noise", [90, 61, 0], ["noise", "0..0.5"]), ("erase", [-30, 0], ["erase", "0..1"])],
)
def test_values_outside_the_transforms_range_are_400_with_a_message(
    client, expect_error, transform, values, words
):
    body = {"pixels": [[0, 1], [1, 0]], "transform": transform, "values": values}
    expect_error(client.post("/api/robustness", json=body), 400, *words)


def test_an_empty_drawing_is_a_400(client, expect_error):
    r = client.post(
        "/api/robustness",
        json={"pixels": np.zeros((20, 20)).tolist(), "transform": "scale", "values": [1.0]},
    )
    expect_error(r, 400, "empty")
