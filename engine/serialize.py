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
    return model, doc.get("metadata", {})
