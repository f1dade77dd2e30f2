"""A network someone designs (layers in GET /api/model's vocabulary) -> a checked Sequential.

The spec is `{"layers": [{"kind": "conv2d", "hyperparameters": {...}}, ...]}`; input channels and
`in_features` are inferred. Every rule a teaching-size network must meet is checked here, and each
refusal is a SpecError naming the layer (1-based position and kind) and what to change. Output
sizes come from engine.shapes.window_geometry, as everywhere else.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.architecture import MNIST_CLASSES, build_layer
from engine.model import Sequential
from engine.shapes import KERNEL, POOL_WINDOW, window_geometry

INPUT_SHAPE = (1, 28, 28)
MAX_LAYERS = 16
MAX_CONV = 3  # conv blocks
CONV_KERNELS = (1, 32)  # out_channels
CONV_SIZE = (1, 7)  # kernel side
CONV_STRIDE = (1, 3)
POOL_SIZE = (1, 4)
POOL_STRIDE = (1, 4)
MAX_POOL = 3
MAX_HIDDEN_DENSE = 2
HIDDEN_UNITS = (4, 256)
OUTPUTS = 10
MAX_PARAMETERS = 500_000
MAX_MULTIPLY_ADDS = 10_000_000  # per image; the bundled network needs ~0.4 million
KINDS = ("conv2d", "relu", "maxpool2d", "avgpool2d", "flatten", "dense")
ALLOWED = {
    "conv2d": {"in_channels", "out_channels", "kernel_size", "stride", "padding"},
    "maxpool2d": {"size", "stride"},
    "avgpool2d": {"size", "stride"},
    "dense": {"in_features", "out_features"},
    "relu": set(),
    "flatten": set(),
}
SHORT_NAMES = {"conv2d": "conv", "maxpool2d": "pool", "avgpool2d": "pool", "dense": "fc"}


class SpecError(ValueError):
    """A network that cannot be built or trained here; `index` is the 0-based layer (or None)."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


def _where(index: int, kind: str) -> str:
    return f"layer {index + 1} ({kind})"


def _int(value: Any, what: str, where: str, bounds: tuple[int, int]) -> int:
    """A whole number within bounds, else SpecError saying the allowed range."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"{where}: {what} must be a whole number, got {value!r}")
    lo, hi = bounds
    if not lo <= value <= hi:
        raise SpecError(f"{where}: {what} is {value}; use a value from {lo} to {hi}")
    return value


def _pair(value: Any, what: str, where: str, bounds: tuple[int, int]) -> tuple[int, int]:
    """An int or a [rows, cols] pair, each within bounds."""
    items = value if isinstance(value, (list, tuple)) else [value, value]
    if len(items) != 2:
        raise SpecError(f"{where}: {what} must be a number or a pair [rows, cols], got {value!r}")
    a, b = (_int(v, what, where, bounds) for v in items)
    return (a, b)


def _padding(value: Any, kernel: tuple[int, int], where: str) -> tuple[int, int] | str:
    """0 .. kernel // 2 per side, or 'same' (odd kernels) / 'valid'."""
    if value in ("same", "valid"):
        if value == "same" and (kernel[0] % 2 == 0 or kernel[1] % 2 == 0):
            raise SpecError(
                f"{where}: padding 'same' needs an odd kernel size, got "
                f"{kernel[0]}x{kernel[1]}; use an odd size or a number for the padding"
            )
        return value
    if isinstance(value, str):
        raise SpecError(f"{where}: padding must be a number, a pair, 'same' or 'valid'")
    pad = _pair(value, "padding", where, (0, max(kernel) // 2))
    for p, k in zip(pad, kernel, strict=True):
        if p > k // 2:
            raise SpecError(
                f"{where}: padding {p} is more than half the kernel ({k}); use 0 to {k // 2}"
            )
    return pad


def _hyperparameters(item: Any, index: int) -> tuple[str, dict[str, Any]]:
    """One spec entry -> (kind, hyperparameters), checking the entry's form."""
    if not isinstance(item, dict):
        raise SpecError(f"layer {index + 1}: each layer must be an object with a `kind`", index)
    kind = item.get("kind")
    if kind not in KINDS:
        raise SpecError(
            f"layer {index + 1}: unknown kind {kind!r}; use one of {', '.join(KINDS)}", index
        )
    extra = set(item) - {"kind", "hyperparameters", "name"}
    if extra:
        raise SpecError(f"{_where(index, kind)}: unknown field(s) {sorted(extra)}", index)
    hyper = item.get("hyperparameters") or {}
    if not isinstance(hyper, dict):
        raise SpecError(f"{_where(index, kind)}: `hyperparameters` must be an object", index)
    unknown = set(hyper) - ALLOWED[kind]
    if unknown:
        known = ", ".join(sorted(ALLOWED[kind])) or "none"
        raise SpecError(
            f"{_where(index, kind)}: unknown hyperparameter(s) {sorted(unknown)}; "
            f"a {kind} layer takes: {known}",
            index,
        )
    return kind, hyper


def _layer_config(
    kind: str, hyper: dict[str, Any], shape: tuple[int, ...], where: str
) -> tuple[dict[str, Any], tuple[int, ...], int]:
    """Checked hyperparameters + the incoming shape -> (build_layer() config without the name,
    output shape, parameter count)."""
    if kind in ("conv2d", "maxpool2d", "avgpool2d") and len(shape) != 3:
        raise SpecError(f"{where}: comes after flatten; put conv and pooling layers before it")
    if kind == "conv2d":
        for key in ("out_channels", "kernel_size"):
            if key not in hyper:
                raise SpecError(f"{where}: needs `{key}`")
        if "in_channels" in hyper and hyper["in_channels"] != shape[0]:
            raise SpecError(
                f"{where}: in_channels is {hyper['in_channels']!r} but {shape[0]} channel(s) "
                "come in; leave it out (it is inferred)"
            )
        kernel = _pair(hyper["kernel_size"], "kernel_size", where, CONV_SIZE)
        config = {
            "in_channels": shape[0],
            "out_channels": _int(hyper["out_channels"], "out_channels", where, CONV_KERNELS),
            "kernel_size": kernel,
            "stride": _pair(hyper.get("stride", 1), "stride", where, CONV_STRIDE),
            "padding": _padding(hyper.get("padding", 0), kernel, where),
        }
        geometry = window_geometry(kernel, config["stride"], config["padding"], KERNEL)
        config["padding"] = geometry.padding
    elif kind in ("maxpool2d", "avgpool2d"):
        size = _pair(hyper.get("size", 2), "size", where, POOL_SIZE)
        stride = _pair(hyper.get("stride", size), "stride", where, POOL_STRIDE)
        config = {"size": size, "stride": stride}
        geometry = window_geometry(size, stride, 0, POOL_WINDOW)
    elif kind == "dense":
        if len(shape) != 1:
            raise SpecError(f"{where}: needs a flat input; put a flatten layer before it")
        if "out_features" not in hyper:
            raise SpecError(f"{where}: needs `out_features`")
        if "in_features" in hyper and hyper["in_features"] != shape[0]:
            raise SpecError(
                f"{where}: in_features is {hyper['in_features']!r} but {shape[0]} values come "
                "in; leave it out (it is inferred)"
            )
        out = _int(hyper["out_features"], "out_features", where, (1, HIDDEN_UNITS[1]))
        return {"in_features": shape[0], "out_features": out}, (out,), out * (shape[0] + 1)
    else:
        if kind == "flatten":
            if len(shape) != 3:
                raise SpecError(f"{where}: the input is flat already; use one flatten layer only")
            return {}, (int(np.prod(shape)),), 0
        return {}, shape, 0
    try:
        hw = geometry.output_hw(shape[1:])
    except ValueError as exc:
        h, w = shape[1:]
        k, p = geometry.kernel, geometry.padding
        if kind == "conv2d":
            padded = f" (padded to {h + 2 * p[0]}x{w + 2 * p[1]})" if max(p) else ""
            raise SpecError(
                f"{where}: its {h}x{w} input{padded} is smaller than the {k[0]}x{k[1]} kernel; "
                "use a smaller kernel, more padding, or fewer pooling layers and strides before it"
            ) from exc
        raise SpecError(
            f"{where}: its {h}x{w} input is smaller than the {k[0]}x{k[1]} window; use a smaller "
            "window, or fewer pooling layers or conv strides before it, or padding in the convs"
        ) from exc
    if kind == "conv2d":
        f, k = config["out_channels"], geometry.kernel
        return config, (f, *hw), f * (shape[0] * k[0] * k[1] + 1)
    return config, (shape[0], *hw), 0


def _check_structure(kinds: list[str]) -> None:
    """The block rules: conv/pool count, hidden dense layers and their widths, output last."""
    counts = {k: kinds.count(k) for k in KINDS}
    if counts["conv2d"] > MAX_CONV:
        index = [i for i, k in enumerate(kinds) if k == "conv2d"][MAX_CONV]
        raise SpecError(
            f"{_where(index, 'conv2d')}: at most {MAX_CONV} conv layers; remove one", index
        )
    pools = [i for i, k in enumerate(kinds) if k in ("maxpool2d", "avgpool2d")]
    if len(pools) > MAX_POOL:
        index = pools[MAX_POOL]
        raise SpecError(
            f"{_where(index, kinds[index])}: at most {MAX_POOL} pooling layers; remove one", index
        )
    dense = [i for i, k in enumerate(kinds) if k == "dense"]
    if not dense or dense[-1] != len(kinds) - 1:
        index = len(kinds) - 1
        raise SpecError(
            f"{_where(index, kinds[index])}: the last layer must be dense with {OUTPUTS} outputs "
            "(one score per digit); add it",
            index,
        )
    if len(dense) - 1 > MAX_HIDDEN_DENSE:
        index = dense[MAX_HIDDEN_DENSE]
        raise SpecError(
            f"{_where(index, 'dense')}: at most {MAX_HIDDEN_DENSE} hidden dense layers before "
            "the output; remove one",
            index,
        )


def check_spec(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """{'layers': [...]} -> build_layer() configs with names and inferred inputs; SpecError."""
    layers = spec.get("layers") if isinstance(spec, dict) else None
    if not isinstance(layers, list) or not layers:
        raise SpecError("the architecture needs a non-empty list of `layers`")
    if len(layers) > MAX_LAYERS:
        raise SpecError(f"the architecture has {len(layers)} layers; use at most {MAX_LAYERS}")
    parsed = [_hyperparameters(item, i) for i, item in enumerate(layers)]
    _check_structure([kind for kind, _ in parsed])
    configs, counters, names, counts, macs = [], {}, set(), [], []
    shape: tuple[int, ...] = INPUT_SHAPE
    dense_left = sum(kind == "dense" for kind, _ in parsed)
    for i, ((kind, hyper), item) in enumerate(zip(parsed, layers, strict=True)):
        where = _where(i, kind)
        try:
            config, shape, count = _layer_config(kind, hyper, shape, where)
        except SpecError as exc:
            raise SpecError(str(exc), i) from exc
        if kind == "dense":
            dense_left -= 1
            units = config["out_features"]
            if dense_left == 0 and units != OUTPUTS:
                raise SpecError(
                    f"{where}: the output layer has {units} units; it needs {OUTPUTS} (one per digit)",
                    i,
                )
            if dense_left > 0 and not HIDDEN_UNITS[0] <= units <= HIDDEN_UNITS[1]:
                raise SpecError(
                    f"{where}: a hidden dense layer has {HIDDEN_UNITS[0]} to {HIDDEN_UNITS[1]} "
                    f"units, got {units}",
                    i,
                )
        short = SHORT_NAMES.get(kind, kind)
        counters[short] = counters.get(short, 0) + 1
        name = item.get("name")
        if name is None:
            name = short if kind == "flatten" else f"{short}{counters[short]}"
        if not isinstance(name, str) or not name or len(name) > 32 or name in names:
            raise SpecError(f"{where}: its name must be a unique string of 1-32 characters", i)
        names.add(name)
        configs.append({"kind": kind, "name": name, **config})
        counts.append(count)
        macs.append(_multiply_adds(kind, config, shape))
    if sum(counts) > MAX_PARAMETERS:
        big = max(range(len(counts)), key=counts.__getitem__)
        raise SpecError(
            f"{_where(big, configs[big]['kind'])}: the network has {sum(counts):,} parameters, "
            f"more than the {MAX_PARAMETERS:,} allowed, and this layer holds {counts[big]:,}; "
            "add pooling or a stride before the flatten, or use fewer kernels or dense units",
            big,
        )
    if sum(macs) > MAX_MULTIPLY_ADDS:
        big = max(range(len(macs)), key=macs.__getitem__)
        raise SpecError(
            f"{_where(big, configs[big]['kind'])}: the network needs {sum(macs):,} multiply-adds "
            f"per image, more than the {MAX_MULTIPLY_ADDS:,} allowed (training would take hours), "
            f"and this layer does {macs[big]:,}; add pooling or a stride before it, or use fewer "
            "kernels",
            big,
        )
    return configs


def _multiply_adds(kind: str, config: dict[str, Any], out_shape: tuple[int, ...]) -> int:
    """Multiply-adds of one image through a layer with this config and output shape."""
    if kind == "conv2d":
        kh, kw = config["kernel_size"]
        return int(np.prod(out_shape)) * config["in_channels"] * kh * kw
    if kind == "dense":
        return config["in_features"] * config["out_features"]
    return 0


def build_spec(spec: dict[str, Any], seed: int = 0) -> Sequential:
    """{'layers': [...]} -> a checked, freshly initialised Sequential on (1, 28, 28) digits."""
    configs = check_spec(spec)
    rng = np.random.default_rng(seed)
    layers = []
    for config in configs:
        config = dict(config)
        if config["kind"] in ("conv2d", "dense"):
            config["rng"] = rng
        layers.append(build_layer(config))
    return Sequential(layers, input_shape=INPUT_SHAPE, class_names=MNIST_CLASSES)


def spec_of(model: Sequential) -> dict[str, Any]:
    """A Sequential -> its spec ({'layers': [{kind, name, hyperparameters}]}), as GET /api/model."""
    return {
        "layers": [
            {"kind": layer.kind, "name": layer.name, "hyperparameters": layer.hyperparameters()}
            for layer in model.layers
        ]
    }


def multiply_adds(model: Sequential) -> int:
    """Multiply-adds of one forward pass of one image (conv and dense layers)."""
    return sum(
        _multiply_adds(layer.kind, layer.hyperparameters(), out)
        for layer, out in zip(model.layers, model.shapes[1:], strict=True)
    )


def summary(model: Sequential) -> str:
    """The layers in a few words, e.g. 'conv 4@5x5 → maxpool 2x2 → dense 10'."""
    parts = []
    for layer in model.layers:
        if layer.kind == "conv2d":
            kh, kw = layer.kernel_size
            parts.append(f"conv {layer.out_channels}@{kh}x{kw}")
        elif layer.kind in ("maxpool2d", "avgpool2d"):
            parts.append(f"{layer.kind[:3]}pool {layer.size[0]}x{layer.size[1]}")
        elif layer.kind == "dense":
            parts.append(f"dense {layer.out_features}")
    return " → ".join(parts)
