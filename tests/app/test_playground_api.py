"""POST /api/convolve and /api/pool, as the playground uses them, against naive NumPy loops."""

from __future__ import annotations

import numpy as np
import pytest

from tests.app.payloads import f32


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


def test_stride_zero_is_a_400(client, expect_error):
    x = np.ones((1, 4, 4), dtype=np.float32)
    expect_error(convolve(client, x, np.ones((1, 1, 2, 2)), 0, 0), 400, "stride")


def test_over_the_limits_is_a_413(client, expect_error):
    big = np.zeros((1, 40, 40), dtype=np.float32)
    expect_error(convolve(client, big, np.ones((1, 1, 3, 3)), 1, 0), 413, "largest side")
    x = np.zeros((1, 5, 5), dtype=np.float32)
    expect_error(convolve(client, x, np.ones((17, 1, 3, 3)), 1, 0), 413, "kernels")


def test_channel_mismatch_is_a_422(client):
    x = np.zeros((3, 5, 5), dtype=np.float32)
    r = convolve(client, x, np.ones((1, 1, 3, 3)), 1, 0)
    assert r.status_code == 422
    assert "channels" in r.text
