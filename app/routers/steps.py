"""POST /api/explain, /api/convolve and /api/pool: how each output number is made."""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter

from app.compute import run_numerics
from app.config import Settings
from app.deps import JsonBody, SettingsDep, StateDep, find_layer, model_of
from app.errors import BadInput, TooLarge, error_responses
from app.inputs import is_large, read_request
from app.responses import NumpyJSONResponse
from app.schemas.common import check_rectangular
from app.schemas.steps import (
    ConvolveRequest,
    ConvolveResponse,
    ExplainRequest,
    ExplainResponse,
    PoolRequest,
    PoolResponse,
)
from app.state import LoadedModel
from engine.explain import convolve, explain_unit, pool
from engine.shapes import POOL_WINDOW, window_geometry

router = APIRouter(prefix="/api", tags=["steps"])


@router.post(
    "/explain",
    dependencies=[JsonBody],
    response_model=ExplainResponse,
    responses=error_responses(400, 404, 413, 415),
    summary="How one unit of a conv or pooling layer was computed",
)
async def explain(req: ExplainRequest, state: StateDep, settings: SettingsDep) -> NumpyJSONResponse:
    """For a conv unit: the window on the previous layer's output, the patch, the kernel, the
    products, their sum, the bias, the result and the value after ReLU. For a pooling unit: the
    window, its values, the argmax and the result."""
    loaded = await model_of(state, req)
    find_layer(loaded, req.layer)  # the 404 of an unknown layer, before any work
    return await run_numerics(_explain, req, loaded, settings, large=is_large(req))


def _explain(req: ExplainRequest, loaded: LoadedModel, settings: Settings) -> NumpyJSONResponse:
    """The whole work of POST /api/explain (see app/compute.py)."""
    image, _ = read_request(req, settings)
    try:
        unit = (req.channel, req.row, req.col)
        return NumpyJSONResponse(explain_unit(loaded.model, image, req.layer, unit))
    except ValueError as exc:
        raise BadInput(str(exc)) from exc


def _check_grid(shape: tuple[int, ...], max_channels: int, settings: Settings) -> None:
    c, h, w = shape
    if c > max_channels:
        raise TooLarge(f"input has {c} channels; at most {max_channels} allowed")
    if max(h, w) > settings.max_conv_input_side:
        raise TooLarge(
            f"input is {h} x {w}; the largest side allowed is {settings.max_conv_input_side}"
        )


def _shape(value: list, depth: int, what: str) -> tuple[int, ...]:
    """The shape of a nested list; 400 when it is ragged or empty."""
    try:
        return check_rectangular(value, depth, what)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc


def _check_steps(steps: int, numbers_per_step: int, settings: Settings) -> None:
    """413, before any work, when the answer would hold too many records or numbers."""
    advice = "use a smaller input, fewer kernels or channels, a smaller window or a larger stride"
    if steps > settings.max_steps:
        raise TooLarge(
            f"this would return {steps} step records; the limit is {settings.max_steps}: {advice}"
        )
    numbers = steps * numbers_per_step
    if numbers > settings.max_step_numbers:
        raise TooLarge(
            f"this answer would hold {numbers} numbers ({steps} steps of {numbers_per_step}); "
            f"the limit is {settings.max_step_numbers} (CONVLENS_MAX_STEP_NUMBERS): {advice}"
        )


@router.post(
    "/convolve",
    dependencies=[JsonBody],
    response_model=ConvolveResponse,
    responses=error_responses(400, 413, 415),
    summary="Convolve your own input with your own kernels, step by step",
)
def convolve_route(req: ConvolveRequest, settings: SettingsDep) -> NumpyJSONResponse:
    """Output maps and, for every output unit in order (kernel, row, col), its step record.
    Each record holds the C x kh x kw patch, kernel and products: the answer's size is bounded
    by CONVLENS_MAX_STEP_NUMBERS (413 above, before any work)."""
    c = _shape(req.input, 3, "input")[0]
    f, kc, kh, kw = _shape(req.kernels, 4, "kernels")
    if kc != c:
        raise BadInput(
            f"kernels have {kc} channels but the input has {c}: each kernel needs one "
            "kh x kw slice per input channel"
        )
    if req.bias is not None and len(req.bias) != f:
        raise BadInput(f"bias needs one value per kernel ({f}), got {len(req.bias)}")
    x = np.asarray(req.input, dtype=np.float32)
    k = np.asarray(req.kernels, dtype=np.float32)
    _check_grid(x.shape, settings.max_conv_channels, settings)
    if f > settings.max_conv_kernels:
        raise TooLarge(f"{f} kernels sent; at most {settings.max_conv_kernels} allowed")
    if max(kh, kw) > settings.max_kernel_side:
        raise TooLarge(
            f"kernels are {kh} x {kw}; the largest side allowed is {settings.max_kernel_side}"
        )
    try:
        geometry = window_geometry((kh, kw), req.stride, req.padding)
        ho, wo = geometry.output_hw(x.shape[1:])
        _check_steps(f * ho * wo, 3 * c * kh * kw, settings)  # patch, kernel, products
        out, records = convolve(x, k, req.bias, geometry.stride, geometry.padding)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return NumpyJSONResponse(
        {
            "output": out,
            "output_shape": list(out.shape),
            "padding": list(geometry.padding),
            "stride": list(geometry.stride),
            "formula": geometry.formula(x.shape[1:]),
            "steps": records,
        }
    )


@router.post(
    "/pool",
    dependencies=[JsonBody],
    response_model=PoolResponse,
    responses=error_responses(400, 413, 415),
    summary="Max- or average-pool your own input, step by step",
)
def pool_route(req: PoolRequest, settings: SettingsDep) -> NumpyJSONResponse:
    """Pooled maps and, for every output unit in order (channel, row, col), its step record
    (with its window's values: the answer's size is bounded as for /api/convolve)."""
    _shape(req.input, 3, "input")
    x = np.asarray(req.input, dtype=np.float32)
    # Pooling reads a conv layer's maps, so it takes as many channels as convolve has kernels.
    _check_grid(x.shape, settings.max_conv_kernels, settings)
    try:
        geometry = window_geometry(req.size, req.stride, 0, POOL_WINDOW)
        ho, wo = geometry.output_hw(x.shape[1:])
        _check_steps(x.shape[0] * ho * wo, geometry.kernel[0] * geometry.kernel[1], settings)
        out, records = pool(x, geometry.kernel, geometry.stride, req.mode)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    return NumpyJSONResponse(
        {
            "output": out,
            "output_shape": list(out.shape),
            "stride": list(geometry.stride),
            "formula": geometry.formula(x.shape[1:]),
            "steps": records,
        }
    )
