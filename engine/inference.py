"""One prediction with every layer's activations, as the API and the page read them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.encode import Encoding, encode_array, relu_reference
from engine.model import LayerTrace, Sequential
from engine.ood import DigitTest, assess, is_digit


@dataclass(frozen=True)
class LayerActivations:
    """One layer's output for one image."""

    name: str
    kind: str
    shape: tuple[int, ...]
    activations: np.ndarray  # (*shape) float32, C-contiguous
    min: float
    max: float
    source: str | None = None  # the layer whose output this one read (None for the first)

    def as_dict(self, encoding: Encoding = "lists", sent: frozenset[str] = frozenset()) -> dict:
        """{name, kind, shape, activations, min, max}; activations as engine.encode puts them
        (a ReLU whose source layer is among the `sent` ones as a reference, in "f16")."""
        if encoding == "f16" and self.kind == "relu" and self.source in sent:
            activations: Any = relu_reference(self.shape, self.source)
        else:
            activations = encode_array(self.activations, encoding)
        return {
            "name": self.name,
            "kind": self.kind,
            "shape": list(self.shape),
            "activations": activations,
            "min": self.min,
            "max": self.max,
        }


@dataclass(frozen=True)
class Prediction:
    """The predicted class, the class probabilities and the requested layers' outputs."""

    prediction: int
    label: str  # the predicted class's name
    probabilities: np.ndarray  # (K,)
    input: np.ndarray  # (H, W) the network input (first channel), C-contiguous
    layers: list[LayerActivations]
    digit_score: float = 1.0  # how much the input looks like one digit (engine/ood.py)
    is_digit: bool = True

    def as_dict(self, encoding: Encoding = "lists") -> dict[str, Any]:
        """{prediction, label, probabilities, is_digit, digit_score, input, layers: [...]}; the
        layers' activations in `encoding` (see engine.encode), the rest as NumPy arrays."""
        sent = frozenset(layer.name for layer in self.layers)
        return {
            "prediction": self.prediction,
            "label": self.label,
            "probabilities": self.probabilities,
            "is_digit": self.is_digit,
            "digit_score": self.digit_score,
            "input": self.input,
            "layers": [layer.as_dict(encoding, sent) for layer in self.layers],
        }


def layer_names(model: Sequential) -> list[str]:
    """Names that trace() reports: every layer, then 'softmax'."""
    return [layer.name for layer in model.layers] + ["softmax"]


def select_layers(model: Sequential, wanted: str | list[str]) -> list[str]:
    """'all' or a list of names -> validated names in network order (KeyError for unknown)."""
    known = layer_names(model)
    if wanted == "all":
        return known
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise KeyError(f"unknown layer(s) {unknown}; layers are {known}")
    return [name for name in known if name in set(wanted)]


def _activations(trace: LayerTrace, source: LayerActivations | None) -> LayerActivations:
    """One trace's first sample; a ReLU right after an answered layer takes its min and max
    from it (max(0, .) of each: no pass over the values)."""
    out = np.ascontiguousarray(trace.output[0], dtype=np.float32)
    if trace.kind == "relu" and source is not None:
        low, high = max(source.min, 0.0), max(source.max, 0.0)
    else:
        low, high = float(out.min()), float(out.max())
    return LayerActivations(
        trace.name,
        trace.kind,
        tuple(trace.output_shape),
        out,
        low,
        high,
        source.name if source else None,
    )


def predict(model: Sequential, image: np.ndarray, layers: str | list[str] = "all") -> Prediction:
    """(C, H, W) network input -> Prediction with the named layers (see select_layers)."""
    names = set(select_layers(model, layers))
    traces = model.trace(image[None])
    probabilities = traces[-1].output[0]
    prediction = int(probabilities.argmax())
    test = model.digit_test
    score = assess(traces[-2].output[0], image[0], test)
    return Prediction(
        prediction=prediction,
        label=model.class_names[prediction],
        probabilities=probabilities.astype(np.float32),
        input=np.ascontiguousarray(image[0]),
        layers=_answered(traces, names),
        digit_score=round(score, 6),
        is_digit=is_digit(score, (test or DigitTest()).threshold),
    )


def _answered(traces: list[LayerTrace], names: set[str]) -> list[LayerActivations]:
    """The traces named in `names`, in order, each knowing the layer before it when answered."""
    out: list[LayerActivations] = []
    previous: LayerActivations | None = None
    for trace in traces:
        current = _activations(trace, previous) if trace.name in names else None
        if current is not None:
            out.append(current)
        previous = current
    return out
