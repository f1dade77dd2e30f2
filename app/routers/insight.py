"""Why the model decides: saliency maps, what each filter looks for, and its mistakes."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from app.deps import JsonBody, LoadedModel, ModelDep, SettingsDep, TestSetDep
from app.errors import BadInput, NotFound, Unavailable, error_responses
from app.inputs import read_request
from app.responses import NumpyJSONResponse
from app.schemas.insight import (
    MisclassifiedResponse,
    SaliencyRequest,
    SaliencyResponse,
    TopPatchesResponse,
)
from engine.atlas import AtlasMissing, KernelPatches, atlas_command, atlas_path, load_atlas
from engine.confusion import cell_indices, predict_labels
from engine.saliency import saliency

router = APIRouter(prefix="/api", tags=["insight"])


@router.post(
    "/saliency",
    dependencies=[JsonBody],
    response_model=SaliencyResponse,
    responses=error_responses(400, 413, 415),
    summary="Which pixels the score of a class depends on",
)
def saliency_map(
    req: SaliencyRequest, loaded: ModelDep, settings: SettingsDep
) -> NumpyJSONResponse:
    """Send `image` or `pixels` (as for /api/predict), optionally `class` (default: the
    predicted digit) and `method`: "gradient" (the gradient of the class logit with respect to
    each input pixel) or "gradcam" (Grad-CAM on the last conv layer). The class score is the
    logit, before softmax. `saliency` is normalised to [0, 1]; `raw` keeps the sign and scale.
    `placement` says where the drawing went in the 28 x 28, to draw the map over it."""
    image, placement = read_request(req, settings)
    try:
        result = saliency(loaded.model, image, req.class_index, req.method)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return NumpyJSONResponse(
        {**result.as_dict(), "placement": placement.as_dict() if placement else None}
    )


@lru_cache(maxsize=4)
def _read_atlas(path: Path, mtime_ns: int, command: str) -> dict[str, list[KernelPatches]]:
    """The atlas file, read once per version of the file."""
    return load_atlas(path, command)


def kernel_patches(loaded: LoadedModel, settings, name: str, kernel: int) -> KernelPatches:
    """The atlas entry of one kernel; 404 for an unknown layer/kernel, 503 when not computed."""
    model = loaded.model
    try:
        layer = model.layer(name)
    except KeyError as exc:
        raise NotFound(exc.args[0]) from exc
    convs = [lay.name for lay in model.layers if lay.kind == "conv2d"]
    if name not in convs:
        raise NotFound(f"layer {name!r} is a {layer.kind} layer; top patches exist for {convs}")
    count = layer.params["W"].shape[0]
    if not 0 <= kernel < count:
        raise NotFound(f"{name} has kernels 0..{count - 1}, not {kernel}")
    path = atlas_path(loaded.version, settings.data)
    command = atlas_command(settings.data, settings.weights)
    try:
        mtime = path.stat().st_mtime_ns if path.is_file() else -1
        atlas = _read_atlas(path, mtime, command)
    except AtlasMissing as exc:
        raise Unavailable(str(exc)) from exc
    if name not in atlas or kernel >= len(atlas[name]):
        raise Unavailable(f"the atlas at {path} does not cover {name}; run `{command}` again")
    return atlas[name][kernel]


@router.get(
    "/model/layers/{name}/top-patches/{f}",
    response_model=TopPatchesResponse,
    responses=error_responses(404, 503),
    summary="What a filter looks for: the 9 MNIST test patches that excite it most",
)
def top_patches(
    loaded: ModelDep,
    settings: SettingsDep,
    name: Annotated[str, PathParam(description="A conv layer, e.g. conv1.")],
    f: Annotated[int, PathParam(description="Kernel index, 0 .. out_channels - 1.")],
) -> NumpyJSONResponse:
    """Read from the filter atlas that `convlens atlas` computes once from the MNIST test set
    and caches beside the data (`<data dir>/../atlas/<model version>.npz`). Each test digit
    contributes its strongest unit at most once. 503, naming the exact command, until the
    atlas has been computed."""
    return NumpyJSONResponse(kernel_patches(loaded, settings, name, f).as_dict(loaded.version))


_predictions: dict[str, np.ndarray] = {}
_predictions_lock = threading.Lock()


def predictions_on_test_set(loaded: LoadedModel, images: np.ndarray) -> np.ndarray:
    """The model's prediction for every test image, computed once per model per process."""
    with _predictions_lock:
        if loaded.version not in _predictions:
            _predictions[loaded.version] = predict_labels(loaded.model, images)
        return _predictions[loaded.version]


@router.get(
    "/model/misclassified",
    response_model=MisclassifiedResponse,
    responses=error_responses(503),
    summary="MNIST test digits of one confusion-matrix cell",
)
def misclassified(
    loaded: ModelDep,
    settings: SettingsDep,
    test_set: TestSetDep,
    true: Annotated[int, Query(ge=0, le=9, description="The true digit (matrix row).")],
    predicted: Annotated[int, Query(ge=0, le=9, description="The prediction (column).")],
    count: Annotated[
        int, Query(ge=1, description="How many to return (at most the configured max).")
    ] = 16,
) -> NumpyJSONResponse:
    """The test digits labelled `true` that the loaded model classifies as `predicted`
    (true == predicted gives correctly classified ones). Predictions for the whole test set
    are computed on the first call (about a second) and kept for the process."""
    images, labels = test_set
    predictions = predictions_on_test_set(loaded, images)
    chosen = cell_indices(labels, predictions, true, predicted)
    return NumpyJSONResponse(
        {
            "true": true,
            "predicted": predicted,
            "total": len(chosen),
            "model_version": loaded.version,
            "samples": [
                {
                    "index": int(i),
                    "label": int(labels[i]),
                    "prediction": int(predictions[i]),
                    "pixels": np.ascontiguousarray(images[i]),
                }
                for i in chosen[: min(count, settings.max_samples)]
            ],
        }
    )
