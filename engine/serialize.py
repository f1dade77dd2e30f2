"""Save and load a model: architecture and metadata as JSON, weights as .npz."""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from engine.architecture import build_model
from engine.model import Sequential
from engine.ood import DigitTest

FORMAT_VERSION = 1
BUNDLED_WEIGHTS = Path(__file__).parent / "weights" / "mnist_cnn.npz"


class ModelFileError(ValueError):
    """A model file is missing, corrupt, or does not match its architecture."""


def model_version(weights: Path) -> str:
    """The id of a weights file: the first 12 hex digits of its SHA-256 (what the app reports)."""
    return hashlib.sha256(Path(weights).read_bytes()).hexdigest()[:12]


def json_path_for(weights: Path) -> Path:
    """model.npz -> model.json beside it."""
    return Path(weights).with_suffix(".json")


def save_model(model: Sequential, weights: Path, metadata: dict[str, Any] | None = None) -> Path:
    """Write weights to `weights` (.npz) and architecture + metadata to the .json beside it."""
    weights = Path(weights)
    weights.parent.mkdir(parents=True, exist_ok=True)
    arrays = {f"{name}.{key}": p for name, key, p in model.parameters()}
    np.savez_compressed(weights, **arrays)
    doc = {
        "format": "convlens-model",
        "format_version": FORMAT_VERSION,
        "architecture": model.describe(),
        "metadata": metadata or {},
    }
    json_path_for(weights).write_text(json.dumps(doc, indent=1))
    return weights


def read_description(weights: Path) -> dict[str, Any]:
    """The JSON document saved beside `weights`, checked for format and version."""
    path = json_path_for(weights)
    if not path.is_file():
        raise ModelFileError(f"missing architecture file {path} (it is saved beside the .npz)")
    try:
        doc = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != "convlens-model":
        raise ModelFileError(f"{path} is not a ConvLens model description")
    if doc.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{path} has format version {doc.get('format_version')!r}; this ConvLens reads "
            f"version {FORMAT_VERSION}: retrain with `convlens train` or upgrade ConvLens"
        )
    return doc


def load_model(weights: Path = BUNDLED_WEIGHTS) -> tuple[Sequential, dict[str, Any]]:
    """Read a saved model -> (Sequential with its weights, metadata)."""
    weights = Path(weights)
    doc = read_description(weights)
    try:
        model = build_model(doc["architecture"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{json_path_for(weights)} describes no valid model: {exc}") from exc
    if not weights.is_file():
        raise ModelFileError(f"missing weights file {weights}")
    try:
        with np.load(weights, allow_pickle=False) as data:
            stored = {k: data[k] for k in data.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise ModelFileError(f"{weights} is not a readable .npz weights file: {exc}") from exc
    expected = {f"{name}.{key}": p for name, key, p in model.parameters()}
    missing = sorted(set(expected) - set(stored))
    extra = sorted(set(stored) - set(expected))
    if missing or extra:
        raise ModelFileError(
            f"{weights} does not match its architecture: missing {missing}, unexpected {extra}"
        )
    for key, p in expected.items():
        if stored[key].shape != p.shape:
            raise ModelFileError(
                f"{weights}: {key} has shape {stored[key].shape}, the architecture needs {p.shape}"
            )
        if not np.all(np.isfinite(stored[key])):
            raise ModelFileError(f"{weights}: {key} contains NaN or infinite values")
        p[...] = stored[key]
    metadata = doc.get("metadata", {})
    model.temperature = temperature_of(metadata)
    try:  # a model without one (trained on /train) is judged by its ink's shape only
        model.digit_test = DigitTest.from_metadata(metadata) if "digit_test" in metadata else None
    except TypeError as exc:
        raise ModelFileError(f"{json_path_for(weights)}: bad digit_test entry: {exc}") from exc
    return model, metadata


def temperature_of(metadata: dict[str, Any]) -> float:
    """The calibration temperature a model file stores (1 when it stores none)."""
    t = (metadata.get("calibration") or {}).get("temperature", 1.0)
    if not (isinstance(t, int | float) and np.isfinite(t) and t > 0):
        raise ModelFileError(f"the stored calibration temperature must be a positive number: {t!r}")
    return float(t)


def previous_models(weights: Path) -> list[dict[str, Any]]:
    """What a model file replaces: its version, accuracy and date, then its own predecessors."""
    metadata = read_description(weights).get("metadata", {})
    entry = {
        "version": model_version(weights),
        "test_accuracy": metadata.get("test_accuracy"),
        "trained_at": metadata.get("trained_at"),
        "architecture": "conv {} -> conv {} -> dense {}".format(
            *_widths(read_description(weights)["architecture"])
        ),
    }
    for key in ("drawn", "calibration"):
        if key in metadata:
            entry[key] = metadata[key]
    return [entry, *metadata.get("previous_models", [])]


def _widths(architecture: dict[str, Any]) -> list[int]:
    """Output widths of the conv and first dense layers of a described model."""
    out = [
        layer.get("out_channels", layer.get("out_features"))
        for layer in architecture["layers"]
        if layer["kind"] in ("conv2d", "dense")
    ]
    return (out + [None, None, None])[:3]
