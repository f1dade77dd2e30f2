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
        ("/api/pool", {"input": [[[0, 1], [2]]], "size": 1}, ["ragged"]),
        (
            "/api/explain",
            {"pixels": [[0, 1]], "layer": "conv1", "channel": -1, "row": 0, "col": 0},
            ["greater than or equal to 0"],
        ),
    ],
    ids=["huge", "negative-huge", "huge-input", "string", "ragged-pool", "negative-unit"],
)
def test_numbers_out_of_range_are_422(client, expect_error, path, payload, words) -> None:
    expect_error(client.post(path, json=payload), 422, *words)
