"""The hardening list's remaining cases: each a clear 4xx, the server healthy afterwards."""

from __future__ import annotations

import numpy as np
import pytest

from tests.app.payloads import png_data_url


@pytest.mark.parametrize(
    ("image", "words"),
    [
        (np.zeros((1, 1), dtype=np.uint8), ["empty"]),  # a 1 x 1 image
        (np.zeros((280, 280), dtype=np.uint8), ["empty"]),  # all black
        (np.full((280, 280), 255, dtype=np.uint8), ["empty"]),  # all white
    ],
    ids=["1x1", "all-black", "all-white"],
)
def test_images_without_a_digit_are_400(client, expect_error, image, words) -> None:
    expect_error(client.post("/api/predict", json={"image": png_data_url(image)}), 400, *words)


@pytest.mark.parametrize(
    ("path", "payload", "words"),
    [
        ("/api/predict", {"pixels": [[0, 1e308], [0, 0]]}, ["less than or equal to 255"]),
        ("/api/predict", {"pixels": [[0, -1e308], [0, 0]]}, ["greater than or equal to 0"]),
        (
            "/api/convolve",
            {"input": [[[1e300, 0], [0, 0]]], "kernels": [[[[1]]]]},
            ["less than or equal to"],
        ),
        ("/api/convolve", {"input": [[["a", 0], [0, 0]]], "kernels": [[[[1]]]]}, ["number"]),
        ("/api/pool", {"input": [[[0, 1], [2, 3]]], "size": 0}, ["greater than or equal to 1"]),
        (
            "/api/explain",
            {"pixels": [[0, 1]], "layer": "conv1", "channel": -1, "row": 0, "col": 0},
            ["greater than or equal to 0"],
        ),
    ],
    ids=["huge", "negative-huge", "huge-input", "string", "zero-pool-size", "negative-unit"],
)
def test_numbers_out_of_range_are_422(client, expect_error, path, payload, words) -> None:
    expect_error(client.post(path, json=payload), 422, *words)


BLANK = [[0] * 28] * 28


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        (
            "/api/explain",
            {"pixels": BLANK, "layer": "conv1", "channel": True, "row": 0, "col": 0},
            "channel",
        ),
        (
            "/api/convolve",
            {"input": [[[1, 2], [3, 4]]], "kernels": [[[[1]]]], "stride": True},
            "stride",
        ),
        (
            "/api/convolve",
            {"input": [[[1, 2], [3, 4]]], "kernels": [[[[1]]]], "bias": [False]},
            "bias",
        ),
        ("/api/convolve", {"input": [[[1, "2"], [3, 4]]], "kernels": [[[[1]]]]}, "input"),
        ("/api/pool", {"input": [[[1, 2], [3, 4]]], "size": True}, "size"),
        ("/api/pool", {"input": [[[1, 2], [3, 4]]], "size": 1.5}, "size"),
        ("/api/predict", {"pixels": [["1"] * 28] * 28, "preprocess": False}, "pixels"),
        ("/api/predict", {"pixels": BLANK, "preprocess": "yes"}, "preprocess"),
        ("/api/predict", {"pixels": BLANK, "preprocess": 1}, "preprocess"),
        ("/api/saliency", {"pixels": BLANK, "class": True, "preprocess": False}, "class"),
        ("/api/saliency", {"pixels": BLANK, "class": "3", "preprocess": False}, "class"),
    ],
)
def test_booleans_and_numeric_strings_are_not_numbers(
    client, expect_error, path, payload, field
) -> None:
    body = expect_error(client.post(path, json=payload), 422)
    assert any(field in err["loc"] for err in body["detail"]), body


def test_integers_still_count_as_numbers(client) -> None:
    r = client.post("/api/convolve", json={"input": [[[1, 2], [3, 4]]], "kernels": [[[[2]]]]})
    assert r.status_code == 200 and r.json()["output"] == [[[2.0, 4.0], [6.0, 8.0]]]
    r = client.post("/api/convolve", json={"input": [[[1.5]]], "kernels": [[[[2]]]], "bias": [1]})
    assert r.status_code == 200 and r.json()["output"] == [[[4.0]]]


def test_ragged_pixels_are_400(client, expect_error) -> None:
    expect_error(client.post("/api/predict", json={"pixels": [[0, 1], [0]]}), 400, "ragged")
