"""POST /api/robustness: one drawing, one transform, many values, one batched model call."""

from __future__ import annotations

from fastapi import APIRouter

from app.compute import run_numerics
from app.config import Settings
from app.deps import JsonBody, SettingsDep, StateDep, model_of
from app.errors import BadInput, error_responses
from app.inputs import read_drawing
from app.responses import NumpyJSONResponse
from app.schemas.robustness import RobustnessRequest, RobustnessResponse
from app.state import LoadedModel
from engine.transforms import sweep

router = APIRouter(prefix="/api/robustness", tags=["robustness"])


@router.post(
    "",
    dependencies=[JsonBody],
    response_model=RobustnessResponse,
    responses=error_responses(400, 404, 413, 415),
    summary="Read a drawing rotated, scaled, shifted, thickened, noised or erased",
)
async def robustness(
    req: RobustnessRequest, state: StateDep, settings: SettingsDep
) -> NumpyJSONResponse:
    """Send the drawing as for /api/predict, a `transform` and up to 64 `values`; each value
    changes the drawing before preprocessing, and the answer has, per value, the predicted
    digit, the probabilities and the 28 x 28 input the network saw (422 for an unknown
    transform, too many values, values that are not finite; 400 for a value outside its
    transform's range, or a drawing with no ink). `model` and `checkpoint` choose a trained
    run's model (default: the bundled one)."""
    loaded = await model_of(state, req)
    return await run_numerics(_robustness, req, loaded, settings, large=True)


def _robustness(
    req: RobustnessRequest, loaded: LoadedModel, settings: Settings
) -> NumpyJSONResponse:
    """The whole work of the request, in the thread pool."""
    drawing = read_drawing(req, settings)
    try:
        points = sweep(loaded.model, drawing, req.transform, req.values)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return NumpyJSONResponse({"transform": req.transform, "results": [p.as_dict() for p in points]})
