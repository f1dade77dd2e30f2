"""POST /api/predict (JSON) and /api/predict/upload (multipart file)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from app.compute import run_numerics
from app.config import Settings
from app.deps import ChosenModelDep, JsonBody, SettingsDep, StateDep, model_of
from app.errors import BadInput, NotFound, UnsupportedType, error_responses
from app.imaging import IMAGE_MEDIA_TYPES
from app.inputs import is_large, read_bytes, read_request
from app.responses import NumpyJSONResponse
from app.schemas.predict import PredictRequest, PredictResponse
from app.state import LoadedModel
from engine.encode import Encoding
from engine.inference import predict
from engine.preprocess import Placement

router = APIRouter(prefix="/api/predict", tags=["predict"])


def prediction_payload(
    loaded: LoadedModel,
    image: np.ndarray,
    layers: str | list[str],
    placement: Placement | None = None,
    encoding: Encoding = "lists",
) -> dict:
    """Run the model; unknown layer names are a 404; activations in `encoding`."""
    try:
        result = predict(loaded.model, image, layers)
    except KeyError as exc:
        raise NotFound(exc.args[0]) from exc
    return {**result.as_dict(encoding), "placement": placement.as_dict() if placement else None}


@router.post(
    "",
    dependencies=[JsonBody],
    response_model=PredictResponse,
    responses=error_responses(400, 404, 413, 415),
    summary="Classify an image and return every layer's activations",
)
async def predict_json(
    req: PredictRequest, state: StateDep, settings: SettingsDep
) -> NumpyJSONResponse:
    """Send `image` (data URL or base64) or `pixels` (2-D array). The answer has the predicted
    digit, the 10 probabilities, the 28 x 28 input the network saw, and the activations of the
    requested layers (C x H x W nested lists, or float16 in base64 with `encoding: "f16"`), and
    where the drawing went in the 28 x 28. `model` and `checkpoint` choose a trained run's model
    (default: the bundled one)."""
    loaded = await model_of(state, req)
    return await run_numerics(_predict, req, loaded, settings, large=is_large(req))


def _predict(req: PredictRequest, loaded: LoadedModel, settings: Settings) -> NumpyJSONResponse:
    """The whole work of POST /api/predict, JSON rendering included (see app/compute.py)."""
    image, placement = read_request(req, settings)
    return NumpyJSONResponse(prediction_payload(loaded, image, req.layers, placement, req.encoding))


async def one_part_each(request: Request) -> None:
    """400 when a form field comes more than once (the route would silently take the last)."""
    form = await request.form()  # parsed once already for the route's fields: cached
    for name in ("file", "preprocess", "layers"):
        if (count := len(form.getlist(name))) > 1:
            raise BadInput(f"the form has {count} `{name}` parts: send exactly one")


@router.post(
    "/upload",
    dependencies=[Depends(one_part_each)],
    response_model=PredictResponse,
    responses=error_responses(400, 404, 413, 415),
    summary="Classify an uploaded image file (multipart/form-data)",
)
def predict_upload(
    loaded: ChosenModelDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="A PNG, JPEG, GIF, BMP or WebP image.")],
    preprocess: Annotated[bool, Form(description="Crop, scale and centre as MNIST.")] = True,
    layers: Annotated[
        str, Form(description='"all" or comma-separated layer names, e.g. "conv1,pool1".')
    ] = "all",
) -> NumpyJSONResponse:
    """The same as POST /api/predict, with the image as a file field named `file`."""
    media_type = (file.content_type or "application/octet-stream").split(";")[0].lower()
    if media_type not in IMAGE_MEDIA_TYPES:
        raise UnsupportedType(
            f"file has type {media_type}; upload a PNG, JPEG, GIF, BMP or WebP image"
        )
    image, placement = read_bytes(file.file.read(), preprocess, settings)
    wanted = (
        "all" if layers.strip() == "all" else [n.strip() for n in layers.split(",") if n.strip()]
    )
    return NumpyJSONResponse(prediction_payload(loaded, image, wanted, placement))
