"""GET /api/model and the weights of its layers."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter

from app.deps import ATLAS_COMMAND, ChosenModelDep, LayerDep, SettingsDep
from app.errors import NotFound, error_responses
from app.responses import NumpyJSONResponse
from app.schemas.model import KernelsResponse, LayerInfo, ModelInfo
from engine.atlas import atlas_available
from engine.receptive_field import geometry_fields

router = APIRouter(prefix="/api/model", tags=["model"])


@router.get(
    "",
    response_model=ModelInfo,
    responses=error_responses(404),
    summary="The architecture and its training record",
)
def model_info(loaded: ChosenModelDep, settings: SettingsDep) -> ModelInfo:
    """Every layer's name, kind, hyperparameters, shapes and parameter count; class names;
    the bundled weights' test accuracy and training metadata; whether the filter atlas has
    been computed yet (the server computes it on first need), and the command that computes
    it by hand."""
    model = loaded.model
    return ModelInfo(
        version=loaded.version,
        input_shape=list(model.input_shape),
        class_names=model.class_names,
        parameter_count=model.parameter_count(),
        layers=[
            LayerInfo(**d, **g)
            for d, g in zip(model.describe_layers(), geometry_fields(model), strict=True)
        ],
        test_accuracy=loaded.metadata.get("test_accuracy"),
        metadata=loaded.metadata,
        atlas_available=atlas_available(loaded.version, settings.data),
        atlas_command=ATLAS_COMMAND,
    )


@router.get(
    "/layers/{name}/kernels",
    response_model=KernelsResponse,
    responses=error_responses(404),
    summary="Weights and bias of a conv or dense layer",
)
def kernels(layer: LayerDep, loaded: ChosenModelDep) -> NumpyJSONResponse:
    """Conv: weights F x C x kh x kw. Dense: weights out x in. Both with bias, min and max."""
    if "W" not in layer.params:
        with_weights = [lay.name for lay in loaded.model.layers if "W" in lay.params]
        raise NotFound(
            f"layer {layer.name!r} ({layer.kind}) has no weights; layers with weights: "
            f"{with_weights}"
        )
    w, b = layer.params["W"], layer.params["b"]
    return NumpyJSONResponse(
        {
            "layer": layer.name,
            "kind": layer.kind,
            "shape": list(w.shape),
            "weights": np.ascontiguousarray(w),
            "bias": np.ascontiguousarray(b),
            "min": float(w.min()),
            "max": float(w.max()),
        }
    )
