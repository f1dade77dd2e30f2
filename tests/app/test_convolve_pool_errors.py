"""POST /api/convolve and /api/pool: the error and limit cases (the numbers are tested in
test_playground_api.py)."""

from __future__ import annotations

import numpy as np
import pytest

JSON = {"content-type": "application/json"}


def grid(c: int, h: int, w: int) -> list:
    return np.ones((c, h, w)).tolist()


def kernels(f: int, c: int, kh: int, kw: int) -> list:
    return np.ones((f, c, kh, kw)).tolist()


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"input": grid(9, 4, 4), "kernels": kernels(1, 9, 1, 1)}, ["9 channels", "8"]),
        ({"input": grid(1, 8, 8), "kernels": kernels(1, 1, 8, 8)}, ["8 x 8", "7"]),
        (
            {"input": grid(1, 32, 32), "kernels": kernels(16, 1, 1, 1), "padding": 0},
            ["16384 step records", "4096"],
        ),
        (
            {"input": grid(1, 4, 4), "kernels": kernels(1, 1, 1, 1), "padding": 10**6},
            ["step records", "larger stride"],
        ),
    ],
)
def test_convolve_over_limits_is_413(client, expect_error, payload, words):
    expect_error(client.post("/api/convolve", json=payload), 413, *words)


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"input": grid(17, 4, 4)}, ["17 channels", "16"]),
        ({"input": grid(1, 33, 4)}, ["33 x 4", "32"]),
        ({"input": grid(8, 32, 32), "size": 1}, ["8192 step records", "4096"]),
    ],
)
def test_pool_over_limits_is_413(client, expect_error, payload, words):
    expect_error(client.post("/api/pool", json=payload), 413, *words)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"padding": -1}, ["padding", "negative"]),
        ({"stride": [1, 0]}, ["stride", "at least 1"]),
        ({"kernels": kernels(1, 1, 5, 3)}, ["does not fit"]),
    ],
)
def test_convolve_impossible_geometry_is_400(client, expect_error, change, words):
    payload = {"input": grid(1, 4, 4), "kernels": kernels(1, 1, 2, 2), **change}
    expect_error(client.post("/api/convolve", json=payload), 400, *words)


@pytest.mark.parametrize(
    ("change", "words"),
    [({"size": 0}, ["at least 1"]), ({"size": 2, "stride": [2, 0]}, ["at least 1"])],
)
def test_pool_impossible_geometry_is_400(client, expect_error, change, words):
    payload = {"input": grid(1, 4, 4), **change}
    expect_error(client.post("/api/pool", json=payload), 400, *words)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"input": [[[1, 2], [3]]]}, ["input is ragged"]),
        ({"input": [[[]]]}, ["empty"]),
        ({"kernels": [[[[1, 0], [0]]]]}, ["kernels is ragged"]),
        ({"input": [[1, 2], [3, 4]]}, ["list"]),
        ({"input": [[[1e7, 0], [0, 0]]]}, ["less than or equal to 1000000"]),
        ({"bias": [1.0, 2.0]}, ["bias", "one value per kernel"]),
        ({"padding": "full"}, ["same", "valid"]),
        ({"stride": [1, 1, 1]}, ["at most 2"]),
        ({"stride": 1.5}, ["integer"]),
        ({"kernels": None}, ["list"]),
    ],
)
def test_convolve_schema_errors_are_422(client, expect_error, change, words):
    payload = {"input": grid(1, 4, 4), "kernels": kernels(1, 1, 2, 2), **change}
    expect_error(client.post("/api/convolve", json=payload), 422, *words)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"mode": "median"}, ["max", "avg"]),
        ({"input": [[[1, 2], [3]]]}, ["ragged"]),
        ({"size": [2, 2, 2]}, ["at most 2"]),
        ({"input": [[[-1e9]]]}, ["greater than or equal to -1000000"]),
    ],
)
def test_pool_schema_errors_are_422(client, expect_error, change, words):
    payload = {"input": grid(1, 4, 4), **change}
    expect_error(client.post("/api/pool", json=payload), 422, *words)


@pytest.mark.parametrize("path", ["/api/convolve", "/api/pool"])
@pytest.mark.parametrize("raw", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_finite_numbers_are_422(client, expect_error, path, raw):
    body = b'{"input": [[[1, ' + raw + b'], [0, 0]]], "kernels": [[[[1]]]]}'
    expect_error(client.post(path, content=body, headers=JSON), 422, "finite")


@pytest.mark.parametrize("path", ["/api/convolve", "/api/pool"])
def test_text_body_is_415(client, expect_error, path):
    r = client.post(path, content=b"1 2 3", headers={"content-type": "text/plain"})
    expect_error(r, 415, "application/json")


@pytest.mark.parametrize("path", ["/api/convolve", "/api/pool"])
def test_body_over_limit_is_413(client, expect_error, path):
    r = client.post(path, content=b"[" * (4 * 1024 * 1024 + 10), headers=JSON)
    expect_error(r, 413, "larger")


@pytest.mark.parametrize("path", ["/api/convolve", "/api/pool"])
def test_deeply_nested_json_is_a_client_error(client, path):
    body = b"[" * 100_000 + b"]" * 100_000  # json.loads hits the recursion limit
    r = client.post(path, content=body, headers=JSON)
    assert r.status_code in (400, 422)
    assert "body" in r.json()["detail"] or r.json()["detail"][0]["loc"][0] == "body"
    assert client.get("/api/health").status_code == 200


def test_get_is_405(client):
    assert client.get("/api/convolve").status_code == 405
    assert client.get("/api/pool").status_code == 405
