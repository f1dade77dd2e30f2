"""Step records: how one conv, pooling, dense or softmax output unit was computed."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.im2col import windows
from engine.layers import AvgPool2D, Conv2D, Dense, Flatten, Layer, MaxPool2D
from engine.model import Sequential

Unit = tuple[int, int, int]  # (channel, row, col) of an output map


def _all_units(shape: tuple[int, int, int]) -> list[Unit]:
    c, h, w = shape
    return [(k, i, j) for k in range(c) for i in range(h) for j in range(w)]


def _check_unit(unit: Unit, out_shape: tuple[int, int, int]) -> None:
    for value, size, what in zip(unit, out_shape, ("channel", "row", "col"), strict=True):
        if not 0 <= value < size:
            raise ValueError(
                f"{what} {value} is out of range: the output is {out_shape[0]} x "
                f"{out_shape[1]} x {out_shape[2]} (channel x row x col), so {what} must be "
                f"0..{size - 1}"
            )


def conv_records(layer: Conv2D, x: np.ndarray, units: list[Unit] | None = None) -> list[dict]:
    """(C, H, W) input of a Conv2D -> a record per output unit (f, i, j); all units by default."""
    out_shape = layer.output_shape(x.shape)
    units = _all_units(out_shape) if units is None else units
    for u in units:
        _check_unit(u, out_shape)
    win = windows(x[None], layer.kernel_size, layer.stride, layer.padding)[0]  # (C,Ho,Wo,kh,kw)
    kernels, bias = layer.params["W"], layer.params["b"]
    records = []
    for f, i, j in units:
        patch = np.ascontiguousarray(win[:, i, j])  # (C, kh, kw)
        products = patch * kernels[f]  # (C, kh, kw)
        total = float(products.sum(dtype=np.float64))
        records.append(
            {
                "kind": "conv2d",
                "channel": f,
                "row": i,
                "col": j,
                "window": layer.window.bounds(i, j),
                "patch": patch,
                "kernel": kernels[f],
                "products": products,
                "channel_sums": products.sum(axis=(1, 2), dtype=np.float64),
                "sum": total,
                "bias": float(bias[f]),
                "result": float(np.float32(total + float(bias[f]))),
            }
        )
    return records


def pool_records(
    layer: MaxPool2D | AvgPool2D, x: np.ndarray, units: list[Unit] | None = None
) -> list[dict]:
    """(C, H, W) input of a pooling layer -> a record per output unit (c, i, j)."""
    out_shape = layer.output_shape(x.shape)
    units = _all_units(out_shape) if units is None else units
    for u in units:
        _check_unit(u, out_shape)
    win = windows(x[None], layer.size, layer.stride)[0]  # (C, Ho, Wo, kh, kw)
    is_max = isinstance(layer, MaxPool2D)
    records = []
    for c, i, j in units:
        values = np.ascontiguousarray(win[c, i, j])  # (kh, kw)
        record: dict[str, Any] = {
            "kind": layer.kind,
            "channel": c,
            "row": i,
            "col": j,
            "window": layer.window.bounds(i, j),
            "values": values,
        }
        if is_max:
            r, q = np.unravel_index(int(values.argmax()), values.shape)
            record["argmax"] = [int(r), int(q)]
            record["result"] = float(values[r, q])
        else:
            record["result"] = float(np.float32(values.mean(dtype=np.float64)))
        records.append(record)
    return records


def unit_records(layer: Layer, x: np.ndarray, units: list[Unit] | None = None) -> list[dict]:
    """Records for a conv or pooling layer; ValueError for any other kind."""
    if isinstance(layer, Conv2D):
        return conv_records(layer, x, units)
    if isinstance(layer, (MaxPool2D, AvgPool2D)):
        return pool_records(layer, x, units)
    raise ValueError(
        f"layer {layer.name!r} is a {layer.kind} layer; step-by-step explanations exist for "
        "conv2d, maxpool2d and avgpool2d layers"
    )


def explain_unit(model: Sequential, image: np.ndarray, layer_name: str, unit: Unit) -> dict:
    """(C, H, W) network input + a unit of a conv/pool layer -> its record in the real model.

    Adds what the layer read (`input_layer`), the value the forward pass produced
    (`forward_value`), the network input's first channel (`input`), and for a conv followed by ReLU the value after the activation.
    """
    k = model.index(layer_name)
    layer = model.layers[k]
    traces = model.trace(image[None])
    layer_input = image if k == 0 else traces[k - 1].output[0]
    record = unit_records(layer, layer_input, [unit])[0]
    c, i, j = unit
    record["layer"] = layer.name
    record["input_layer"] = "input" if k == 0 else model.layers[k - 1].name
    record["forward_value"] = float(traces[k].output[0, c, i, j])
    nxt = model.layers[k + 1] if k + 1 < len(model.layers) else None
    if nxt is not None and nxt.kind == "relu":
        record["activation"] = {
            "kind": "relu",
            "layer": nxt.name,
            "value": float(traces[k + 1].output[0, c, i, j]),
        }
    record["input"] = np.ascontiguousarray(image[0])  # (H, W) the network input
    return record


def dense_record(layer: Dense, x: np.ndarray, unit: int, top: int = 12) -> dict:
    """(in,) input of a Dense layer + output unit -> its `top` largest contributions by size.

    Every contribution is input value x weight; `sum` adds all of them (float64), `rest` the
    ones not listed, and `result` is sum + bias as the float32 forward pass gives it.
    """
    if not 0 <= unit < layer.out_features:
        raise ValueError(
            f"unit {unit} is out of range: {layer.name} has {layer.out_features} units, so unit "
            f"must be 0..{layer.out_features - 1}"
        )
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    x = np.asarray(x, dtype=np.float32).reshape(-1)  # (in,)
    weights = layer.params["W"][unit]  # (in,)
    products = x.astype(np.float64) * weights.astype(np.float64)  # (in,)
    order = np.argsort(-np.abs(products), kind="stable")[:top]
    total = float(products.sum())
    bias = float(layer.params["b"][unit])
    return {
        "kind": "dense",
        "unit": unit,
        "inputs": int(x.size),
        "top": [
            {
                "index": int(i),
                "value": float(x[i]),
                "weight": float(weights[i]),
                "product": float(products[i]),
            }
            for i in order
        ],
        "positive_sum": float(products[products > 0].sum()),
        "negative_sum": float(products[products < 0].sum()),
        "rest": float(total - products[order].sum()),
        "sum": total,
        "bias": bias,
        "result": float(np.float32(total + bias)),
    }


def softmax_record(
    logits: np.ndarray, probabilities: np.ndarray, unit: int, temperature: float = 1.0
) -> dict:
    """(K,) logits z, their softmax(z / T) and a class -> exp(z / T - max) / sum, with the
    numbers (T: the model's calibration temperature; 1 when uncalibrated)."""
    k = logits.shape[0]
    if not 0 <= unit < k:
        raise ValueError(f"unit {unit} is out of range: there are {k} classes (0..{k - 1})")
    z = logits.astype(np.float64)  # (K,)
    scaled = z / temperature
    shifted = scaled - scaled.max()
    exps = np.exp(shifted)
    return {
        "kind": "softmax",
        "unit": unit,
        "logits": z,
        "temperature": float(temperature),
        "max_logit": float(scaled.max()),
        "shifted": shifted,
        "exps": exps,
        "exp_sum": float(exps.sum()),
        "probabilities": probabilities.astype(np.float64),
        "result": float(probabilities[unit]),
    }


def explain_vector_unit(
    model: Sequential, image: np.ndarray, layer_name: str, unit: int, top: int = 12
) -> dict:
    """(C, H, W) network input + a unit of a dense layer (or of "softmax") -> its record.

    Dense records add `input_layer`, `forward_value`, the ReLU after it (`activation`) and,
    per contribution, where it comes from: `source_layer` and each `position` there (a flatten
    input is traced back to the (channel, row, col) of the map that was flattened).
    """
    traces = model.trace(image[None])
    if layer_name == "softmax":
        record = softmax_record(traces[-2].output[0], traces[-1].output[0], unit, model.temperature)
        record["layer"] = "softmax"
        record["input_layer"] = model.layers[-1].name
        record["forward_value"] = float(traces[-1].output[0, unit])
        return record
    k = model.index(layer_name)
    layer = model.layers[k]
    if not isinstance(layer, Dense):
        raise ValueError(
            f"layer {layer_name!r} is a {layer.kind} layer; this explains dense layers and "
            "softmax (conv and pooling units: POST /api/explain)"
        )
    layer_input = image if k == 0 else traces[k - 1].output[0]
    record = dense_record(layer, layer_input, unit, top)
    record["layer"] = layer.name
    record["input_layer"] = "input" if k == 0 else model.layers[k - 1].name
    record["forward_value"] = float(traces[k].output[0, unit])
    source, shape = record["input_layer"], model.shapes[k]
    if k > 0 and isinstance(model.layers[k - 1], Flatten):
        source = "input" if k == 1 else model.layers[k - 2].name
        shape = model.shapes[k - 1]
    record["source_layer"] = source
    for term in record["top"]:
        term["position"] = [int(v) for v in np.unravel_index(term["index"], shape)]
    nxt = model.layers[k + 1] if k + 1 < len(model.layers) else None
    if nxt is not None and nxt.kind == "relu":
        record["activation"] = {
            "kind": "relu",
            "layer": nxt.name,
            "value": float(traces[k + 1].output[0, unit]),
        }
    return record


def convolve(
    x: np.ndarray,
    kernels: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
) -> tuple[np.ndarray, list[dict]]:
    """(C, H, W) input, (F, C, kh, kw) kernels -> ((F, Ho, Wo) maps, a record per unit)."""
    x = np.asarray(x, dtype=np.float32)
    kernels = np.asarray(kernels, dtype=np.float32)
    if x.ndim != 3 or kernels.ndim != 4 or kernels.shape[1] != x.shape[0]:
        raise ValueError(
            f"input must be C x H x W and kernels F x C x kh x kw with the same C; got input "
            f"{x.shape} and kernels {kernels.shape}"
        )
    layer = Conv2D(x.shape[0], kernels.shape[0], kernels.shape[2:], stride, padding, "conv")
    layer.params["W"] = kernels
    if bias is not None:
        bias = np.asarray(bias, dtype=np.float32)
        if bias.shape != (kernels.shape[0],):
            raise ValueError(f"bias must hold one value per kernel ({kernels.shape[0]})")
        layer.params["b"] = bias
    layer.output_shape(x.shape)  # raises a clear error if the kernel does not fit
    out, _ = layer.forward(x[None])
    return out[0], conv_records(layer, x)


def pool(
    x: np.ndarray, size: int | tuple[int, int], stride: int | tuple[int, int] | None, mode: str
) -> tuple[np.ndarray, list[dict]]:
    """(C, H, W) input -> ((C, Ho, Wo) pooled maps, a record per unit); mode 'max' or 'avg'."""
    if mode not in ("max", "avg"):
        raise ValueError(f"mode must be 'max' or 'avg', got {mode!r}")
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 3:
        raise ValueError(f"input must be C x H x W, got shape {x.shape}")
    layer = (MaxPool2D if mode == "max" else AvgPool2D)(size, stride, "pool")
    layer.output_shape(x.shape)
    out, _ = layer.forward(x[None])
    return out[0], pool_records(layer, x)
