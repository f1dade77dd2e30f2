"""What one unit of each spatial layer reads on every earlier spatial layer (input included)."""

from __future__ import annotations

from typing import Any

from engine.model import Sequential
from engine.shapes import Pair, receptive_field

Window = tuple[Pair, Pair, Pair]  # (kernel, stride, padding)
IDENTITY: Window = ((1, 1), (1, 1), (0, 0))  # an elementwise layer (ReLU) reads one unit


def _as_json(rf: dict[str, Pair]) -> dict[str, list[int]]:
    return {key: list(value) for key, value in rf.items()}


def layer_receptive_fields(model: Sequential) -> dict[str, dict[str, dict[str, list[int]]]]:
    """Every layer with a (C, H, W) output -> {earlier spatial layer or "input": rf}.

    Each rf is engine.shapes.receptive_field() of the windows between the two layers:
    unit (i, j) reads rows offset[0] + i * jump[0] ... + size[0] - 1 of that layer (and likewise
    for columns). Layers after the first non-spatial one (flatten, dense) are left out.
    """
    spatial: list[tuple[str, Window]] = []  # (name, window that produced it), in order
    out: dict[str, dict[str, dict[str, list[int]]]] = {}
    if len(model.input_shape) != 3:
        return out
    for k, layer in enumerate(model.layers):
        if len(model.shapes[k + 1]) != 3:
            break
        w = layer.window
        spatial.append((layer.name, (w.kernel, w.stride, w.padding) if w is not None else IDENTITY))
        sources = ["input"] + [name for name, _ in spatial[:-1]]
        windows = [win for _, win in spatial]
        out[layer.name] = {
            source: _as_json(receptive_field(windows[m:])) for m, source in enumerate(sources)
        }
    return out


def geometry_fields(model: Sequential) -> list[dict[str, Any]]:
    """Per layer, in order: {'receptive_fields': {source: rf} or None} for GET /api/model."""
    fields = layer_receptive_fields(model)
    return [{"receptive_fields": fields.get(layer.name)} for layer in model.layers]
