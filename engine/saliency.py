"""Which input pixels a class score depends on: the input gradient and Grad-CAM.

Both explain the class *logit* (the score before softmax), not its probability: the softmax
couples every class, so its gradient mixes "more of this class" with "less of the others".
Both run one forward_train + backward on the caller's arrays only; nothing is written on the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.losses import softmax
from engine.model import Sequential
from engine.preprocess import resize

METHODS = ("gradient", "gradcam")


@dataclass(frozen=True)
class Saliency:
    """A saliency map for one image and one class, with what the network predicted."""

    method: str  # "gradient" | "gradcam"
    class_index: int
    prediction: int
    probabilities: np.ndarray  # (K,)
    raw: np.ndarray  # (H, W) before normalising: signed d logit / d pixel, or the Grad-CAM map
    saliency: np.ndarray  # (H, W) float32 in [0, 1]: |raw| / max |raw| (all zeros if raw is 0)
    input: np.ndarray  # (H, W) the network input (first channel), C-contiguous
    layer: str | None = None  # the layer Grad-CAM read; None for the gradient

    def as_dict(self) -> dict[str, Any]:
        """The API's payload: method, class, prediction, probabilities, layer, score, input,
        saliency, raw and its range; arrays stay NumPy."""
        return {
            "method": self.method,
            "class": self.class_index,
            "prediction": self.prediction,
            "probabilities": self.probabilities,
            "layer": self.layer,
            "score": "logit",
            "input": self.input,
            "saliency": self.saliency,
            "raw": self.raw,
            "raw_min": float(self.raw.min()),
            "raw_max": float(self.raw.max()),
        }


def _one_hot(logits: np.ndarray, class_index: int) -> np.ndarray:
    """(1, K) logits -> (1, K) d(logit[class]) / d(logits), in the logits' dtype."""
    k = logits.shape[1]
    if not 0 <= class_index < k:
        raise ValueError(f"class must be in 0..{k - 1}, got {class_index}")
    d = np.zeros_like(logits)
    d[0, class_index] = 1.0
    return d


def _normalised(raw: np.ndarray) -> np.ndarray:
    """Any map -> |map| / max |map| as float32 in [0, 1]."""
    mag = np.abs(raw)
    peak = float(mag.max())
    return (mag / peak if peak > 0 else mag).astype(np.float32)


def _forward(model: Sequential, image: np.ndarray) -> tuple[np.ndarray, list, list[np.ndarray]]:
    """(C, H, W) image -> ((1, K) logits, caches, every layer's output): the one forward pass."""
    outputs: list[np.ndarray] = []
    logits, caches = model.forward_train(image[None], outputs)
    return logits, caches, outputs


def _check_map_layer(model: Sequential, layer: str) -> int:
    """The index of `layer`; ValueError unless its output is C x H x W."""
    k = model.index(layer)
    if len(model.shapes[k + 1]) != 3:
        raise ValueError(
            f"Grad-CAM needs a layer with C x H x W output; {layer!r} has {model.shapes[k + 1]}"
        )
    return k


def _grad_cam(
    model: Sequential, k: int, logits: np.ndarray, caches: list, outputs: list[np.ndarray], cls: int
) -> np.ndarray:
    """A forward pass -> (h, w) ReLU(sum_c alpha_c * A_c) at layer k (see grad_cam_map)."""
    activations = outputs[k][0]  # (C', h, w)
    grad = model.backward_to(k, _one_hot(logits, cls), caches)[0]  # (C', h, w)
    alpha = grad.mean(axis=(1, 2))  # (C',)
    return np.maximum(np.tensordot(alpha, activations, axes=1), 0.0)  # (h, w)


def input_gradient(model: Sequential, image: np.ndarray, class_index: int) -> np.ndarray:
    """(C, H, W) image -> (C, H, W) d logit[class_index] / d image (dtype of the parameters)."""
    logits, caches, _ = _forward(model, image)
    dx, _ = model.backward(_one_hot(logits, class_index), caches)
    return dx[0]


def last_conv_layer(model: Sequential) -> str:
    """Name of the last conv2d layer (Grad-CAM's usual choice); ValueError if there is none."""
    convs = [layer.name for layer in model.layers if layer.kind == "conv2d"]
    if not convs:
        raise ValueError("the model has no conv2d layer for Grad-CAM")
    return convs[-1]


def grad_cam_map(model: Sequential, image: np.ndarray, class_index: int, layer: str) -> np.ndarray:
    """(C, H, W) image -> (h, w) ReLU(sum_c alpha_c * A_c) at `layer`'s resolution.

    A = the layer's output (C', h, w); alpha_c = the spatial mean of d logit / d A_c.
    """
    k = _check_map_layer(model, layer)
    return _grad_cam(model, k, *_forward(model, image), class_index)


def saliency(
    model: Sequential,
    image: np.ndarray,
    class_index: int | None = None,
    method: str = "gradient",
    layer: str | None = None,
) -> Saliency:
    """(C, H, W) network input -> Saliency of `class_index` (default: the predicted class).

    gradient: d logit / d pixel, summed over input channels; `saliency` is its magnitude.
    gradcam: Grad-CAM at `layer` (default: the last conv layer), upsampled to H x W with
    bilinear interpolation (engine.preprocess.resize), then ReLU'd again (interpolation keeps
    it non-negative; the ReLU only removes rounding).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}, got {method!r}")
    logits, caches, outputs = _forward(model, image)  # the only forward pass
    probabilities = softmax(logits)[0]
    prediction = int(probabilities.argmax())
    cls = prediction if class_index is None else int(class_index)
    if not 0 <= cls < probabilities.shape[0]:
        raise ValueError(f"class must be in 0..{probabilities.shape[0] - 1}, got {cls}")
    h, w = image.shape[1:]
    if method == "gradient":
        dx, _ = model.backward(_one_hot(logits, cls), caches)
        raw = dx[0].sum(axis=0)  # (H, W)
        used = None
    else:
        used = layer or last_conv_layer(model)
        k = _check_map_layer(model, used)
        cam = _grad_cam(model, k, logits, caches, outputs, cls)  # (h, w)
        raw = np.maximum(resize(cam.astype(np.float64), h, w), 0.0)  # (H, W)
    return Saliency(
        method=method,
        class_index=cls,
        prediction=prediction,
        probabilities=probabilities.astype(np.float32),
        raw=np.ascontiguousarray(raw, dtype=np.float32),
        saliency=_normalised(raw),
        input=np.ascontiguousarray(image[0]),
        layer=used,
    )
