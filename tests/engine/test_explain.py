"""Step records agree with the forward pass, unit by unit, and say exactly what they read."""

from __future__ import annotations

import numpy as np
import pytest

from engine.architecture import mnist_cnn
from engine.explain import conv_records, convolve, explain_unit, pool, pool_records, unit_records
from engine.layers import AvgPool2D, Conv2D, MaxPool2D, ReLU


def close(a, b):
    return np.isclose(a, b, rtol=1e-5, atol=1e-6)


def random_conv(rng, c=2, f=3, kernel=3, stride=2, padding=1):
    layer = Conv2D(c, f, kernel, stride=stride, padding=padding, rng=rng)
    layer.params["b"] = rng.standard_normal(f).astype(np.float32)
    return layer


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "hw"),
    [
        (3, 2, 1, (7, 6)),
        ((3, 2), (1, 2), (2, 1), (5, 5)),
        (3, 1, "same", (4, 5)),
        (2, 1, 0, (4, 4)),
    ],
)
def test_conv_records_agree_with_forward_for_every_unit(rng, kernel, stride, padding, hw):
    layer = random_conv(rng, kernel=kernel, stride=stride, padding=padding)
    x = rng.standard_normal((2, *hw)).astype(np.float32)
    y = layer.forward(x[None])[0][0]  # (F, Ho, Wo)
    records = conv_records(layer, x)
    assert len(records) == y.size
    xp = np.pad(x, ((0, 0), (layer.padding[0],) * 2, (layer.padding[1],) * 2))
    for r in records:
        f, i, j = r["channel"], r["row"], r["col"]
        assert r["kind"] == "conv2d"
        assert close(r["result"], y[f, i, j]), (f, i, j)
        assert r["patch"].shape == (2, *layer.kernel_size)
        np.testing.assert_array_equal(r["kernel"], layer.params["W"][f])
        np.testing.assert_array_equal(r["products"], r["patch"] * r["kernel"])
        assert r["sum"] == pytest.approx(float(r["products"].sum()), rel=1e-6, abs=1e-6)
        assert r["bias"] == pytest.approx(float(layer.params["b"][f]))
        assert close(r["sum"] + r["bias"], r["result"])
        w = r["window"]
        assert (w["height"], w["width"]) == layer.kernel_size
        assert w["padded_row"] == i * layer.stride[0]
        assert w["padded_col"] == j * layer.stride[1]
        assert w["row"] == w["padded_row"] - layer.padding[0]
        assert w["col"] == w["padded_col"] - layer.padding[1]
        top, left = w["padded_row"], w["padded_col"]
        np.testing.assert_array_equal(
            r["patch"], xp[:, top : top + w["height"], left : left + w["width"]]
        )


def test_padded_border_unit_reads_zeros_outside_the_image(rng):
    layer = random_conv(rng, kernel=3, stride=2, padding=(2, 1))
    x = (rng.random((2, 5, 5)) + 1.0).astype(np.float32)  # every real pixel is >= 1
    (record,) = conv_records(layer, x, [(1, 0, 0)])
    w = record["window"]
    assert (w["row"], w["col"]) == (-2, -1)
    assert (w["padded_row"], w["padded_col"]) == (0, 0)
    patch = record["patch"]  # (C, 3, 3): rows 0-1 and col 0 hang over the padding
    assert (patch[:, :2, :] == 0).all()
    assert (patch[:, :, 0] == 0).all()
    np.testing.assert_array_equal(patch[:, 2, 1:], x[:, 0, 0:2])
    assert (record["products"][:, :2, :] == 0).all()
    y = layer.forward(x[None])[0][0]
    assert close(record["result"], y[1, 0, 0])


@pytest.mark.parametrize(
    ("cls", "size", "stride", "hw"),
    [
        (MaxPool2D, 2, 2, (6, 6)),
        (MaxPool2D, 3, 2, (7, 7)),
        (MaxPool2D, 2, 2, (5, 5)),
        (MaxPool2D, 3, 1, (5, 4)),
        (AvgPool2D, 2, 2, (5, 5)),
        (AvgPool2D, (3, 2), (2, 1), (7, 6)),
    ],
)
def test_pool_records_agree_with_forward_for_every_unit(rng, cls, size, stride, hw):
    layer = cls(size, stride)
    x = rng.standard_normal((3, *hw)).astype(np.float32)
    y = layer.forward(x[None])[0][0]
    records = pool_records(layer, x)
    assert len(records) == y.size
    for r in records:
        c, i, j = r["channel"], r["row"], r["col"]
        assert r["kind"] == layer.kind
        assert close(r["result"], y[c, i, j])
        w = r["window"]
        assert (w["row"], w["col"]) == (i * layer.stride[0], j * layer.stride[1])
        expected = x[c, w["row"] : w["row"] + w["height"], w["col"] : w["col"] + w["width"]]
        np.testing.assert_array_equal(r["values"], expected)
        if cls is MaxPool2D:
            a, b = r["argmax"]
            assert r["values"][a, b] == r["values"].max() == r["result"]
        else:
            assert "argmax" not in r
            assert close(r["result"], float(expected.mean()))


def test_maxpool_argmax_points_at_the_max():
    x = np.zeros((1, 4, 4), dtype=np.float32)
    x[0, 1, 0] = 5.0
    x[0, 2, 3] = 7.0
    records = pool_records(MaxPool2D(2), x)
    assert records[0]["argmax"] == [1, 0]
    assert records[0]["result"] == 5.0
    assert records[3]["argmax"] == [0, 1]
    assert records[3]["result"] == 7.0


def test_selected_units_only(rng):
    layer = random_conv(rng)
    x = rng.standard_normal((2, 7, 7)).astype(np.float32)
    records = conv_records(layer, x, [(2, 3, 1), (0, 0, 0)])
    assert [(r["channel"], r["row"], r["col"]) for r in records] == [(2, 3, 1), (0, 0, 0)]


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        ((3, 0, 0), "channel 3 is out of range"),
        ((0, 4, 0), "row 4 is out of range"),
        ((0, 0, -1), "col -1 is out of range"),
    ],
)
def test_out_of_range_units_raise(rng, unit, message):
    layer = random_conv(rng)  # 7 x 7 input, stride 2, padding 1 -> 3 x 4 x 4
    x = rng.standard_normal((2, 7, 7)).astype(np.float32)
    with pytest.raises(ValueError, match=message):
        conv_records(layer, x, [unit])
    with pytest.raises(ValueError, match="0..3"):
        pool_records(MaxPool2D(2), rng.standard_normal((3, 8, 8)), [(0, 4, 0)])


def test_unit_records_rejects_other_layers(rng):
    with pytest.raises(ValueError, match="relu layer"):
        unit_records(ReLU(), rng.standard_normal((1, 4, 4)))


@pytest.fixture(scope="module")
def bundled_architecture():
    return mnist_cnn(seed=0)


@pytest.mark.parametrize(
    ("layer", "unit", "input_layer", "activation"),
    [
        ("conv1", (0, 0, 0), "input", "relu1"),
        ("conv1", (7, 13, 27), "input", "relu1"),
        ("conv2", (15, 6, 9), "pool1", "relu2"),
        ("pool1", (3, 13, 0), "relu1", None),
        ("pool2", (12, 6, 6), "relu2", None),
    ],
)
def test_explain_unit_in_the_bundled_architecture(
    bundled_architecture, layer, unit, input_layer, activation
):
    model = bundled_architecture
    image = np.random.default_rng(0).random((1, 28, 28)).astype(np.float32)
    record = explain_unit(model, image, layer, unit)
    c, i, j = unit
    traces = {t.name: t.output[0] for t in model.trace(image[None])}
    assert record["layer"] == layer
    assert record["input_layer"] == input_layer
    assert (record["channel"], record["row"], record["col"]) == unit
    assert close(record["forward_value"], traces[layer][c, i, j])
    assert close(record["result"], record["forward_value"])
    if activation is None:
        assert "activation" not in record
    else:
        assert record["activation"]["kind"] == "relu"
        assert record["activation"]["layer"] == activation
        assert close(record["activation"]["value"], max(record["forward_value"], 0.0))
        assert close(record["activation"]["value"], traces[activation][c, i, j])


def test_explain_unit_errors(bundled_architecture):
    image = np.zeros((1, 28, 28), dtype=np.float32)
    with pytest.raises(ValueError, match="row 28 is out of range"):
        explain_unit(bundled_architecture, image, "conv1", (0, 28, 0))
    with pytest.raises(ValueError, match="dense layer"):
        explain_unit(bundled_architecture, image, "fc1", (0, 0, 0))
    with pytest.raises(KeyError, match="no layer named"):
        explain_unit(bundled_architecture, image, "conv9", (0, 0, 0))


# ---------------------------------------------------------------- convolve() and pool()


def naive_convolve(x, kernels, bias, stride, padding):
    c, h, w = x.shape
    f, _, kh, kw = kernels.shape
    (sh, sw), (ph, pw) = stride, padding
    xp = np.zeros((c, h + 2 * ph, w + 2 * pw))
    xp[:, ph : ph + h, pw : pw + w] = x
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    out = np.zeros((f, ho, wo))
    for k in range(f):
        for i in range(ho):
            for j in range(wo):
                out[k, i, j] = bias[k]
                for ch in range(c):
                    for a in range(kh):
                        for b in range(kw):
                            out[k, i, j] += xp[ch, i * sh + a, j * sw + b] * kernels[k, ch, a, b]
    return out


@pytest.mark.parametrize(
    ("kernel_hw", "stride", "padding", "resolved"),
    [((3, 3), 1, 0, (0, 0)), ((3, 2), 2, (1, 2), (1, 2)), ((3, 3), (2, 1), "same", (1, 1))],
)
def test_convolve_matches_naive_loops(rng, kernel_hw, stride, padding, resolved):
    x = rng.standard_normal((2, 6, 7))
    kernels = rng.standard_normal((3, 2, *kernel_hw))
    bias = rng.standard_normal(3)
    out, records = convolve(x, kernels, bias, stride, padding)
    s = (stride, stride) if isinstance(stride, int) else stride
    expected = naive_convolve(x, kernels, bias, s, resolved)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    assert len(records) == out.size
    for r in records:
        assert close(r["result"], out[r["channel"], r["row"], r["col"]])


def test_convolve_without_bias_uses_zero(rng):
    x = rng.standard_normal((1, 4, 4))
    kernels = rng.standard_normal((1, 1, 2, 2))
    out, _ = convolve(x, kernels)
    expected = naive_convolve(x, kernels, [0.0], (1, 1), (0, 0))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_convolve_errors(rng):
    x = rng.standard_normal((2, 4, 4))
    with pytest.raises(ValueError, match="does not fit"):
        convolve(x, rng.standard_normal((1, 2, 5, 5)))
    with pytest.raises(ValueError, match="same C"):
        convolve(x, rng.standard_normal((1, 3, 3, 3)))
    with pytest.raises(ValueError, match="same C"):
        convolve(x[0], rng.standard_normal((1, 2, 3, 3)))
    with pytest.raises(ValueError, match="one value per kernel"):
        convolve(x, rng.standard_normal((2, 2, 3, 3)), bias=np.zeros(3))
    with pytest.raises(ValueError, match="odd kernel"):
        convolve(x, rng.standard_normal((1, 2, 2, 2)), padding="same")


@pytest.mark.parametrize(("mode", "reduce"), [("max", np.max), ("avg", np.mean)])
@pytest.mark.parametrize(("size", "stride"), [(2, None), (3, 2), ((2, 3), (1, 2))])
def test_pool_function_matches_naive_loops(rng, mode, reduce, size, stride):
    x = rng.standard_normal((2, 7, 7))
    out, records = pool(x, size, stride, mode)
    (kh, kw) = (size, size) if isinstance(size, int) else size
    s = stride if stride is not None else size
    sh, sw = (s, s) if isinstance(s, int) else s
    ho, wo = (7 - kh) // sh + 1, (7 - kw) // sw + 1
    expected = np.zeros((2, ho, wo))
    for c in range(2):
        for i in range(ho):
            for j in range(wo):
                expected[c, i, j] = reduce(x[c, i * sh : i * sh + kh, j * sw : j * sw + kw])
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    assert len(records) == out.size


def test_pool_function_errors(rng):
    x = rng.standard_normal((1, 4, 4))
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg'"):
        pool(x, 2, 2, "median")
    with pytest.raises(ValueError, match="does not fit"):
        pool(x, 5, 1, "max")
    with pytest.raises(ValueError, match="C x H x W"):
        pool(x[0], 2, 2, "max")
