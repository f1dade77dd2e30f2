"""Why the model decides: saliency maps, what each filter looks for, and its mistakes."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from app.compute import run_numerics
from app.config import Settings
from app.deps import (
    ATLAS_COMMAND,
    ChosenModelDep,
    JsonBody,
    LayerDep,
    SettingsDep,
    StateDep,
    TestSetDep,
    kernel_atlas,
    model_of,
    test_set_predictions,
)
from app.errors import BadInput, NotFound, Unavailable, error_responses
from app.inputs import is_large, read_request
from app.responses import NumpyJSONResponse
from app.schemas.insight import (
    MisclassifiedResponse,
    SaliencyRequest,
    SaliencyResponse,
    TopPatchesResponse,
)
from app.state import AppState, LoadedModel
from engine.atlas import KernelPatches, conv_layers
from engine.confusion import cell_indices
from engine.layers import Layer
from engine.saliency import saliency

router = APIRouter(prefix="/api", tags=["insight"])


@router.post(
    "/saliency",
    dependencies=[JsonBody],
    response_model=SaliencyResponse,
    responses=error_responses(400, 404, 413, 415),
    summary="Which pixels the score of a class depends on",
)
async def saliency_map(
    req: SaliencyRequest, state: StateDep, settings: SettingsDep
) -> NumpyJSONResponse:
    """Send `image` or `pixels` (as for /api/predict), optionally `class` (default: the
    predicted digit) and `method`: "gradient" (the gradient of the class logit with respect to
    each input pixel) or "gradcam" (Grad-CAM on the last conv layer). The class score is the
    logit, before softmax. `saliency` is normalised to [0, 1]; `raw` keeps the sign and scale.
    `placement` says where the drawing went in the 28 x 28, to draw the map over it."""
    loaded = await model_of(state, req)
    return await run_numerics(_saliency, req, loaded, settings, large=is_large(req))


def _saliency(req: SaliencyRequest, loaded: LoadedModel, settings: Settings) -> NumpyJSONResponse:
    """The whole work of POST /api/saliency (see app/compute.py)."""
    image, placement = read_request(req, settings)
    try:
        result = saliency(loaded.model, image, req.class_index, req.method)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return NumpyJSONResponse(
        {**result.as_dict(), "placement": placement.as_dict() if placement else None}
    )


def kernel_patches(
    state: AppState, settings: Settings, loaded: LoadedModel, layer: Layer, kernel: int
) -> KernelPatches:
    """The atlas entry of one kernel; 404 for a non-conv layer or kernel, 202 while computed."""
    convs = conv_layers(loaded.model)
    if layer.name not in convs:
        raise NotFound(
            f"layer {layer.name!r} is a {layer.kind} layer; top patches exist for {convs}"
        )
    count = layer.params["W"].shape[0]
    if not 0 <= kernel < count:
        raise NotFound(f"{layer.name} has kernels 0..{count - 1}, not {kernel}")
    atlas = kernel_atlas(state, settings, loaded)
    if layer.name not in atlas or kernel >= len(atlas[layer.name]):
        raise Unavailable(
            f"the filter atlas on this server does not cover {layer.name}; delete it and run "
            f"`{ATLAS_COMMAND}` there again"
        )
    return atlas[layer.name][kernel]


@router.get(
    "/model/layers/{name}/top-patches/{f}",
    response_model=TopPatchesResponse,
    responses=error_responses(202, 404, 503),
    summary="What a filter looks for: the 9 MNIST test patches that excite it most",
)
def top_patches(
    state: StateDep,
    settings: SettingsDep,
    loaded: ChosenModelDep,
    layer: LayerDep,
    f: Annotated[int, PathParam(description="Kernel index, 0 .. out_channels - 1.", examples=[3])],
) -> NumpyJSONResponse:
    """Read from the filter atlas, computed once from the MNIST test set and cached beside the
    data (`<data dir>/../atlas/<model version>.npz`). The server computes it by itself on the
    first request (one computation however many workers ask; `convlens atlas` does the same by
    hand): until it is there the answer is 202 with `Retry-After`. Each test digit contributes
    its strongest unit at most once. 503 when the MNIST test set is not available."""
    kp = kernel_patches(state, settings, loaded, layer, f)
    return NumpyJSONResponse(kp.as_dict(loaded.version))


@router.get(
    "/model/misclassified",
    response_model=MisclassifiedResponse,
    responses=error_responses(404, 503),
    summary="MNIST test digits of one confusion-matrix cell",
)
def misclassified(
    state: StateDep,
    settings: SettingsDep,
    loaded: ChosenModelDep,
    test_set: TestSetDep,
    true: Annotated[
        int, Query(ge=0, le=9, description="The true digit (matrix row).", examples=[9])
    ],
    predicted: Annotated[
        int, Query(ge=0, le=9, description="The prediction (column).", examples=[4])
    ],
    count: Annotated[
        int, Query(ge=1, description="How many to return (at most the configured max).")
    ] = 16,
) -> NumpyJSONResponse:
    """The test digits labelled `true` that the loaded model classifies as `predicted`
    (true == predicted gives correctly classified ones). Predictions for the whole test set
    are computed on the first call (about a second) and kept for the process."""
    images, labels = test_set
    predictions = test_set_predictions(state, settings, images, loaded)
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
