"""POST /api/explain/vector: how one dense unit or one softmax probability was computed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from app.compute import run_numerics
from app.config import Settings
from app.deps import JsonBody, SettingsDep, StateDep, find_layer, model_of
from app.errors import BadInput, error_responses
from app.inputs import is_large, read_request
from app.responses import NumpyJSONResponse
from app.schemas.vector_steps import (
    REQUEST_EXAMPLES,
    VectorExplainRequest,
    VectorExplainResponse,
)
from app.state import LoadedModel
from engine.explain import explain_vector_unit

router = APIRouter(prefix="/api", tags=["steps"])


@router.post(
    "/explain/vector",
    dependencies=[JsonBody],
    response_model=VectorExplainResponse,
    responses=error_responses(400, 404, 413, 415),
    summary="How one unit of a dense layer, or one softmax probability, was computed",
)
async def explain_vector(
    req: Annotated[VectorExplainRequest, Body(openapi_examples=REQUEST_EXAMPLES)],
    state: StateDep,
    settings: SettingsDep,
) -> NumpyJSONResponse:
    """Dense unit: its `top` largest contributions (input value x weight, each with where it
    sits in the maps before flatten), their sum, the bias and the result (and the ReLU after).
    Softmax class: the logits, exp(z - max z) of each, their sum and the probability.
    `model` and `checkpoint` choose a trained run's model (default: the bundled one)."""
    loaded = await model_of(state, req)
    if req.layer != "softmax":
        find_layer(loaded, req.layer)  # the 404 of an unknown layer, before any work
    return await run_numerics(_explain, req, loaded, settings, large=is_large(req))


def _explain(
    req: VectorExplainRequest, loaded: LoadedModel, settings: Settings
) -> NumpyJSONResponse:
    """The whole work of POST /api/explain/vector (see app/compute.py)."""
    image, _ = read_request(req, settings)
    try:
        record = explain_vector_unit(loaded.model, image, req.layer, req.unit, req.top)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return NumpyJSONResponse(record)
