"""app/routers/steps.py: POST /api/explain, /api/convolve and /api/pool.

Explain: one unit's arithmetic, equal to the engine's record and the forward pass. Convolve and
pool: the numbers against naive NumPy loops, as the playground uses them; then the errors and
limits.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.explain import explain_unit
from engine.preprocess import network_input
from tests.app.payloads import as_drawing, f32, png_data_url, stroke_image

# ---------------------------------------------------------------- POST /api/explain

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
    np.testing.assert_array_equal(want["input"], IMAGE[0])
    assert {"kind", "layer", "result", "input"} <= set(body)
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
    assert f32(body["patch"]).shape == (16, 3, 3)


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
        ("conv1", (16, 0, 0), ["channel 16", "0..15"]),
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


# ---------------------------------------------------------------- POST /api/convolve and /api/pool against naive loops


def naive_conv(x: np.ndarray, k: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """(C, H, W), (F, C, kh, kw) -> (F, Ho, Wo), one multiply-add at a time."""
    c, h, w = x.shape
    f, _, kh, kw = k.shape
    xp = np.zeros((c, h + 2 * padding, w + 2 * padding), dtype=np.float64)
    xp[:, padding : padding + h, padding : padding + w] = x
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (w + 2 * padding - kw) // stride + 1
    out = np.zeros((f, ho, wo))
    for m in range(f):
        for i in range(ho):
            for j in range(wo):
                total = 0.0
                for ch in range(c):
                    for a in range(kh):
                        for b in range(kw):
                            total += xp[ch, i * stride + a, j * stride + b] * k[m, ch, a, b]
                out[m, i, j] = total
    return out


def naive_maxpool(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    """(C, H, W) -> (C, Ho, Wo), the largest value of each window."""
    c, h, w = x.shape
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.zeros((c, ho, wo))
    for ch in range(c):
        for i in range(ho):
            for j in range(wo):
                best = -np.inf
                for a in range(size):
                    for b in range(size):
                        best = max(best, x[ch, i * stride + a, j * stride + b])
                out[ch, i, j] = best
    return out


# The playground's presets: (input size, channels, kernels, kernel size, stride, padding) and the
# output side each one promises in its text.
PRESETS = {
    "5x5-2x2": ((5, 1, 1, 2, 1, 0), 4),
    "rgb-10": ((5, 3, 10, 3, 1, 0), 3),
    "maxpool": ((6, 1, 1, 3, 1, 0), 4),
    "stride2": ((7, 1, 1, 3, 2, 0), 3),
    "padding1": ((5, 1, 1, 3, 1, 1), 5),
    "stride2-padding1": ((5, 1, 1, 3, 2, 1), 3),
}


def convolve(client, x: np.ndarray, k: np.ndarray, stride, padding):
    return client.post(
        "/api/convolve",
        json={"input": x.tolist(), "kernels": k.tolist(), "stride": stride, "padding": padding},
    )


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_match_naive_loops(client, rng, name):
    (size, c, f, ks, stride, padding), side = PRESETS[name]
    x = rng.integers(0, 10, (c, size, size)).astype(np.float32)
    k = rng.integers(-1, 2, (f, c, ks, ks)).astype(np.float32)
    r = convolve(client, x, k, stride, padding)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["output_shape"] == [f, side, side]
    assert body["formula"].endswith(f"= {side}")
    np.testing.assert_allclose(f32(body["output"]), naive_conv(x, k, stride, padding), atol=1e-4)
    assert len(body["steps"]) == f * side * side


def test_steps_come_in_kernel_row_col_order_and_add_up(client, rng):
    x = rng.normal(size=(3, 6, 6)).astype(np.float32)
    k = rng.normal(size=(2, 3, 3, 3)).astype(np.float32)
    body = convolve(client, x, k, 2, 1).json()
    out = f32(body["output"])  # (2, 3, 3)
    order = [(s["channel"], s["row"], s["col"]) for s in body["steps"]]
    assert order == [(m, i, j) for m in range(2) for i in range(3) for j in range(3)]
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    for s in body["steps"]:
        w = s["window"]
        assert (w["padded_row"], w["padded_col"]) == (2 * s["row"], 2 * s["col"])
        assert (w["row"], w["col"]) == (w["padded_row"] - 1, w["padded_col"] - 1)
        patch = xp[:, w["padded_row"] : w["padded_row"] + 3, w["padded_col"] : w["padded_col"] + 3]
        np.testing.assert_allclose(f32(s["patch"]), patch, atol=1e-5)
        np.testing.assert_allclose(f32(s["products"]), patch * k[s["channel"]], atol=1e-4)
        assert s["sum"] == pytest.approx(float(np.sum(f32(s["products"]))), abs=1e-3)
        assert s["result"] == pytest.approx(out[s["channel"], s["row"], s["col"]], abs=1e-4)


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", [0, 1, 2])
def test_random_geometries_match_naive_loops(client, rng, stride, padding):
    for _ in range(3):
        size = int(rng.integers(3, 13))
        ks = int(rng.integers(1, min(5, size + 2 * padding) + 1))
        c, f = int(rng.choice([1, 3])), int(rng.integers(1, 11))
        x = rng.integers(-5, 10, (c, size, size)).astype(np.float32)
        k = rng.normal(size=(f, c, ks, ks)).astype(np.float32)
        r = convolve(client, x, k, stride, padding)
        assert r.status_code == 200, r.text
        want = naive_conv(x, k, stride, padding)
        assert r.json()["output_shape"] == list(want.shape)
        np.testing.assert_allclose(f32(r.json()["output"]), want, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize(("size", "stride"), [(2, 2), (2, 1), (3, 3), (3, 2)])
def test_max_pool_matches_naive_loops(client, rng, size, stride):
    x = rng.normal(size=(4, 7, 7)).astype(np.float32)
    r = client.post("/api/pool", json={"input": x.tolist(), "size": size, "stride": stride})
    assert r.status_code == 200, r.text
    body = r.json()
    want = naive_maxpool(x, size, stride)
    np.testing.assert_allclose(f32(body["output"]), want, atol=1e-6)
    assert body["output_shape"] == list(want.shape)
    for s in body["steps"]:
        values = f32(s["values"])
        a, b = s["argmax"]
        assert values[a, b] == values.max() == pytest.approx(s["result"])


def test_two_by_two_max_pool_halves_a_four_by_four_map(client):
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    body = client.post("/api/pool", json={"input": x.tolist(), "size": 2, "stride": 2}).json()
    assert body["output"] == [[[5.0, 7.0], [13.0, 15.0]]]
    assert body["formula"] == "floor((4 - 2 + 2*0) / 2) + 1 = 2"


def test_kernel_larger_than_padded_input_is_a_400_with_a_message(client, expect_error):
    x = np.ones((1, 3, 3), dtype=np.float32)
    k = np.ones((1, 1, 5, 5), dtype=np.float32)
    expect_error(convolve(client, x, k, 1, 0), 400, "does not fit", "padding")
    assert convolve(client, x, k, 1, 1).status_code == 200  # 3 + 2*1 = 5: fits once


def test_pool_window_larger_than_map_is_a_400(client, expect_error):
    x = np.ones((1, 3, 3), dtype=np.float32).tolist()
    r = client.post("/api/pool", json={"input": x, "size": 4, "stride": 4})
    expect_error(r, 400, "does not fit")


def test_stride_zero_is_a_422(client, expect_error):
    x = np.ones((1, 4, 4), dtype=np.float32)
    expect_error(
        convolve(client, x, np.ones((1, 1, 2, 2)), 0, 0),
        422,
        "stride",
        "greater than or equal to 1",
    )


def test_over_the_limits_is_a_413(client, expect_error):
    big = np.zeros((1, 40, 40), dtype=np.float32)
    expect_error(convolve(client, big, np.ones((1, 1, 3, 3)), 1, 0), 413, "largest side")
    x = np.zeros((1, 5, 5), dtype=np.float32)
    expect_error(convolve(client, x, np.ones((17, 1, 3, 3)), 1, 0), 413, "kernels")


def test_channel_mismatch_is_a_400(client, expect_error):
    x = np.zeros((3, 5, 5), dtype=np.float32)
    r = convolve(client, x, np.ones((1, 1, 3, 3)), 1, 0)
    expect_error(r, 400, "kernels have 1 channels but the input has 3")


# ---------------------------------------------------------------- POST /api/convolve and /api/pool: errors and limits

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
            {"input": grid(1, 4, 4), "kernels": kernels(1, 1, 1, 1), "padding": 1024},
            ["step records", "larger stride"],
        ),
    ],
)
def test_convolve_over_limits_is_413(client, expect_error, payload, words):
    expect_error(client.post("/api/convolve", json=payload), 413, *words)


def test_answers_that_would_be_megabytes_are_413_before_any_work(client, expect_error):
    """A 30 KB request (8 x 32 x 32, 4 kernels 7 x 7, padding 3) once returned 22 MB."""
    payload = {"input": grid(8, 32, 32), "kernels": kernels(4, 8, 7, 7), "padding": 3}
    r = client.post("/api/convolve", json=payload)
    expect_error(r, 413, "4096 steps of 1176", "CONVLENS_MAX_STEP_NUMBERS", "fewer kernels")
    r = client.post("/api/pool", json={"input": grid(16, 32, 32), "size": 20, "stride": 1})
    expect_error(r, 413, "2704 steps of 400", "smaller window")


def test_the_playgrounds_largest_setting_fits_the_answer_limit(client):
    """3 channels, 12 x 12, 10 kernels 5 x 5, padding 2: 1440 steps of 225 numbers."""
    payload = {"input": grid(3, 12, 12), "kernels": kernels(10, 3, 5, 5), "padding": 2}
    r = client.post("/api/convolve", json=payload)
    assert r.status_code == 200 and len(r.json()["steps"]) == 1440
    assert len(r.content) < 2_500_000


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
        ({"kernels": kernels(1, 1, 5, 3)}, ["does not fit"]),
        ({"kernels": kernels(1, 1, 2, 2), "padding": "same"}, ["odd kernel"]),
    ],
)
def test_convolve_impossible_geometry_is_400(client, expect_error, change, words):
    payload = {"input": grid(1, 4, 4), "kernels": kernels(1, 1, 2, 2), **change}
    expect_error(client.post("/api/convolve", json=payload), 400, *words)


@pytest.mark.parametrize(
    ("change", "words"),
    [({"size": 5}, ["does not fit"]), ({"size": [1, 5], "stride": [2, 1]}, ["does not fit"])],
)
def test_pool_impossible_geometry_is_400(client, expect_error, change, words):
    payload = {"input": grid(1, 4, 4), **change}
    expect_error(client.post("/api/pool", json=payload), 400, *words)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"input": [[[]]]}, ["at least 1 item"]),
        ({"input": []}, ["at least 1 item"]),
        ({"kernels": []}, ["at least 1 item"]),
        ({"input": [[1, 2], [3, 4]]}, ["list"]),
        ({"input": [[[1e7, 0], [0, 0]]]}, ["less than or equal to 1000000"]),
        ({"padding": -1}, ["padding", "greater than or equal to 0"]),
        ({"stride": [1, 0]}, ["stride", "greater than or equal to 1"]),
        ({"stride": 2**62}, ["stride", "less than or equal to 1024"]),
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
        ({"size": [2, 2, 2]}, ["at most 2"]),
        ({"size": 0}, ["greater than or equal to 1"]),
        ({"size": 2, "stride": [2, 0]}, ["greater than or equal to 1"]),
        ({"stride": 2**62}, ["less than or equal to 1024"]),
        ({"input": [[[-1e9]]]}, ["greater than or equal to -1000000"]),
    ],
)
def test_pool_schema_errors_are_422(client, expect_error, change, words):
    payload = {"input": grid(1, 4, 4), **change}
    expect_error(client.post("/api/pool", json=payload), 422, *words)


@pytest.mark.parametrize(
    ("path", "change", "words"),
    [
        ("/api/convolve", {"input": [[[1, 2], [3]]]}, ["input is ragged"]),
        ("/api/convolve", {"kernels": [[[[1, 0], [0]]]]}, ["kernels is ragged"]),
        ("/api/convolve", {"bias": [1.0, 2.0]}, ["bias", "one value per kernel"]),
        ("/api/pool", {"input": [[[1, 2], [3]]]}, ["input is ragged"]),
    ],
)
def test_ragged_or_mismatched_arrays_are_400(client, expect_error, path, change, words):
    """The schema cannot say "rectangular": such requests fit it and are a documented 400."""
    payload = {
        "input": grid(1, 4, 4),
        **({"kernels": kernels(1, 1, 2, 2)} if "conv" in path else {}),
    }
    expect_error(client.post(path, json={**payload, **change}), 400, *words)


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
