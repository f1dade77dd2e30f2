"""Step records: how one conv or pooling output unit was computed, number by number."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.im2col import windows
from engine.layers import AvgPool2D, Conv2D, Layer, MaxPool2D
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
