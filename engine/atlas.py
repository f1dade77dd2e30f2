"""The filter atlas: for every conv kernel, the input patches of a data set that excite it most.

One unit per image: each image contributes its strongest unit of a kernel (the maximum over
positions of the conv output, before the ReLU). Going down from the strongest, a patch is kept
only when it differs from every patch kept so far (unit-normalised pixels at least NEAR apart),
so a kernel that fires on solid ink shows one solid square and then eight other shapes, each
from a different digit. Each patch keeps its source digit (28 x 28) to be shown around it.
The atlas is cached outside the repository, beside the user's MNIST folder:
<data dir>/../atlas/<model version>.npz (MNIST pixels are never part of ConvLens itself).
"""

from __future__ import annotations

import os
import threading
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.data import load_mnist, make_dir, resolve_data_dir, unit_float32
from engine.filelock import exclusive
from engine.layers import Conv2D
from engine.model import Sequential
from engine.serialize import BUNDLED_WEIGHTS
from engine.shapes import Pair, receptive_field, receptive_window

TOP = 9
FORMAT_VERSION = 2  # 2: distinct patches and their source digits; part of the file name
NEAR = 0.2  # L2 distance between unit-norm patches under which two count as the same shape
CANDIDATES = 400  # strongest images per kernel searched for distinct patches


class AtlasMissing(FileNotFoundError):
    """The atlas for this model has not been computed (the message says how to compute it)."""


@dataclass(frozen=True)
class KernelPatches:
    """The `top` input patches that excite one kernel most, strongest first."""

    layer: str
    kernel: int
    patches: np.ndarray  # (top, rf_h, rf_w) float32 input pixels, zeros outside the image
    activations: np.ndarray  # (top,) conv output at the unit (before the ReLU)
    indices: np.ndarray  # (top,) position of each image in the data set
    positions: np.ndarray  # (top, 2) (row, col) of the unit in the feature map
    receptive_field: dict[str, Pair]  # size, jump, offset (see engine.shapes.receptive_field)
    digits: np.ndarray  # (top, H, W) uint8 source images, 0-255 (light ink on dark)

    def as_dict(self, model_version: str) -> dict[str, Any]:
        """The API's payload for the atlas of `model_version`, with each patch's window (its
        top-left input pixel, row and column); arrays stay NumPy."""
        return {
            "layer": self.layer,
            "kernel": self.kernel,
            "model_version": model_version,
            "receptive_field": {key: list(value) for key, value in self.receptive_field.items()},
            "patches": np.ascontiguousarray(self.patches),
            "activations": np.ascontiguousarray(self.activations),
            "indices": np.ascontiguousarray(self.indices),
            "positions": np.ascontiguousarray(self.positions),
            "digits": np.ascontiguousarray(self.digits),
            "windows": [
                list(receptive_window(self.receptive_field, i, j))
                for i, j in self.positions.tolist()
            ],
        }


def atlas_path(version: str, data_dir: str | Path | None = None) -> Path:
    """<resolved MNIST folder>/../atlas/<version>-v<FORMAT_VERSION>.npz (a new format is a new
    file: an old cache is never read as a new one)."""
    return resolve_data_dir(data_dir).parent / "atlas" / f"{version}-v{FORMAT_VERSION}.npz"


def atlas_available(version: str, data_dir: str | Path | None = None) -> bool:
    """Whether the atlas file of this model version exists (it may still be unreadable)."""
    return atlas_path(version, data_dir).is_file()


def atlas_command(data_dir: str | Path | None = None, weights: Path | None = None) -> str:
    """The exact `convlens atlas` command that computes the atlas for these paths."""
    command = f"convlens atlas --data {resolve_data_dir(data_dir)}"
    if weights is not None and Path(weights).resolve() != BUNDLED_WEIGHTS.resolve():
        command += f" --weights {weights}"
    return command


def ensure_atlas(
    model: Sequential, version: str, data_dir: str | Path | None = None, download: bool = True
) -> Path:
    """The atlas file of `version`, computed from the MNIST test set (and saved) if absent.

    One computation per file however many processes ask: the others wait for a file lock, then
    find the file. DataError when the test set cannot be had.
    """
    path = atlas_path(version, data_dir)
    with exclusive(make_dir(path.parent) / f".{version}.lock"):
        if not path.is_file():
            images, _ = load_mnist("test", data_dir, download=download)
            save_atlas(compute_atlas(model, images), path, version)
    return path


def conv_layers(model: Sequential) -> list[str]:
    """Names of the conv2d layers, in network order."""
    return [layer.name for layer in model.layers if isinstance(layer, Conv2D)]


def layer_receptive_field(model: Sequential, name: str) -> dict[str, Pair]:
    """Which input rows/cols one unit of layer `name` reads (size, jump, offset)."""
    geometry = []
    for layer in model.layers[: model.index(name) + 1]:
        if layer.window is not None:
            geometry.append((layer.window.kernel, layer.window.stride, layer.window.padding))
        elif len(model.shapes[model.index(layer.name) + 1]) != 3:
            raise ValueError(f"layer {layer.name!r} before {name!r} has no spatial layout")
    return receptive_field(geometry)


def extract_patches(
    images: np.ndarray, indices: np.ndarray, positions: np.ndarray, rf: dict[str, Pair]
) -> np.ndarray:
    """(N, H, W) images -> (len(indices), rf_h, rf_w) windows the units read, zero-padded."""
    sh, sw = rf["size"]
    h, w = images.shape[1:]
    out = np.zeros((len(indices), sh, sw), dtype=np.float32)
    for k, (n, (i, j)) in enumerate(zip(indices, positions, strict=True)):
        top, left = receptive_window(rf, i, j)
        r0, r1 = max(top, 0), min(top + sh, h)
        c0, c1 = max(left, 0), min(left + sw, w)
        if r0 < r1 and c0 < c1:
            out[k, r0 - top : r1 - top, c0 - left : c1 - left] = images[n, r0:r1, c0:c1]
    return out


def pick_distinct(patches: np.ndarray, top: int, near: float = NEAR) -> tuple[np.ndarray, bool]:
    """(M, h, w) candidate patches, strongest first -> (sorted indices of `top` of them, whether
    all differ): each candidate in turn is kept unless its unit-normalised pixels lie within
    `near` (L2) of a kept one; when fewer than `top` differ, the strongest rejected fill up."""
    flat = patches.reshape(len(patches), -1).astype(np.float64)  # (M, h*w)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    unit = np.divide(flat, norms, out=np.zeros_like(flat), where=norms > 0)
    kept: list[int] = []
    for k in range(len(unit)):
        if not kept or np.linalg.norm(unit[kept] - unit[k], axis=1).min() >= near:
            kept.append(k)
            if len(kept) == top:
                break
    taken = set(kept)
    rest = [k for k in range(len(unit)) if k not in taken]
    chosen = np.array(sorted(kept + rest[: top - len(kept)]), dtype=np.int64)
    return chosen, len(kept) == top


def _strongest_per_image(maps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, F, h, w) conv outputs -> ((N, F) max value, (N, F, 2) its (row, col))."""
    n, f, h, w = maps.shape
    flat = maps.reshape(n, f, h * w)
    arg = flat.argmax(axis=2)  # (N, F); first maximum in row-major order
    best = np.take_along_axis(flat, arg[..., None], axis=2)[..., 0]
    return best, np.stack(np.divmod(arg, w), axis=-1)


def compute_atlas(
    model: Sequential,
    images: np.ndarray,
    top: int = TOP,
    batch_size: int = 500,
    progress: Callable[[Iterable[int]], Iterable[int]] | None = None,
) -> dict[str, list[KernelPatches]]:
    """(N, H, W) images in [0, 1] (or uint8) -> {conv layer: [KernelPatches per kernel]}."""
    if model.input_shape[0] != 1:
        raise ValueError("the atlas needs a one-channel (grayscale) model input")
    pixels = unit_float32(images)
    if len(pixels) < top:
        raise ValueError(f"need at least {top} images for the top {top}, got {len(pixels)}")
    names = conv_layers(model)
    if not names:
        raise ValueError("the model has no conv2d layer")
    ks = [model.index(name) for name in names]
    best = {name: [] for name in names}
    where = {name: [] for name in names}
    starts = range(0, len(pixels), batch_size)
    for start in progress(starts) if progress else starts:
        traces = model.trace(pixels[start : start + batch_size, None])
        for name, k in zip(names, ks, strict=True):
            value, pos = _strongest_per_image(traces[k].output)  # (B, F), (B, F, 2)
            best[name].append(value)
            where[name].append(pos)
    atlas = {}
    for name in names:
        value = np.concatenate(best[name])  # (N, F)
        pos = np.concatenate(where[name])  # (N, F, 2)
        rf = layer_receptive_field(model, name)
        atlas[name] = []
        for f in range(value.shape[1]):
            ranked = np.lexsort((np.arange(len(value)), -value[:, f]))  # ties: lower index
            count = max(top, CANDIDATES)
            while True:  # widen the search (x4) until nine differ or every image was tried
                candidates = ranked[:count]
                found = extract_patches(pixels, candidates, pos[candidates, f], rf)
                chosen, complete = pick_distinct(found, top)
                if complete or count >= len(ranked):
                    break
                count *= 4
            order = candidates[chosen]
            atlas[name].append(
                KernelPatches(
                    layer=name,
                    kernel=f,
                    patches=found[chosen],
                    activations=value[order, f].astype(np.float32),
                    indices=order.astype(np.int64),
                    positions=pos[order, f].astype(np.int64),
                    receptive_field=rf,
                    digits=np.round(pixels[order] * 255).astype(np.uint8),
                )
            )
    return atlas


def save_atlas(atlas: dict[str, list[KernelPatches]], path: Path, version: str) -> Path:
    """Write the atlas as one .npz (atomically: a partial file is never left behind)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {
        "format_version": np.array(FORMAT_VERSION),
        "model_version": np.array(version),
        "layers": np.array(list(atlas)),
    }
    for name, kernels in atlas.items():
        rf = kernels[0].receptive_field
        arrays[f"{name}.rf"] = np.array([rf["size"], rf["jump"], rf["offset"]])  # (3, 2)
        for key in ("patches", "activations", "indices", "positions", "digits"):
            arrays[f"{name}.{key}"] = np.stack([getattr(kp, key) for kp in kernels])
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.npz")
    try:
        np.savez_compressed(tmp, **arrays)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_atlas(path: Path, command: str = "convlens atlas") -> dict[str, list[KernelPatches]]:
    """Read an atlas saved by save_atlas(); AtlasMissing (naming `command`) when absent/corrupt."""
    path = Path(path)
    if not path.is_file():
        raise AtlasMissing(
            f"the filter atlas has not been computed for this model (no {path}); "
            f"run `{command}` once (it reads the MNIST test set; a few seconds)"
        )
    try:
        with np.load(path, allow_pickle=False) as data:
            stored = {k: data[k] for k in data.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise AtlasMissing(
            f"{path} is not a readable atlas ({exc}); run `{command}` again"
        ) from exc
    if int(stored.get("format_version", -1)) != FORMAT_VERSION:
        raise AtlasMissing(f"{path} has an old atlas format; run `{command}` again")
    atlas = {}
    for name in stored["layers"].tolist():
        size, jump, offset = (tuple(int(v) for v in row) for row in stored[f"{name}.rf"])
        rf = {"size": size, "jump": jump, "offset": offset}
        fields = {key: stored[f"{name}.{key}"] for key in ("patches", "activations", "indices")}
        atlas[name] = [
            KernelPatches(
                name,
                f,
                fields["patches"][f],
                fields["activations"][f],
                fields["indices"][f],
                stored[f"{name}.positions"][f],
                rf,
                stored[f"{name}.digits"][f],
            )
            for f in range(len(fields["patches"]))
        ]
    return atlas
