"""Robustness sweep requests and responses."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.schemas.common import EXAMPLE_PIXELS, ImageInput, ModelChoice
from engine.transforms import TRANSFORMS

MAX_VALUES = 64
TransformName = Literal["rotate", "scale", "shift_x", "shift_y", "thickness", "noise", "erase"]
WIDEST = max(max(abs(lo), abs(hi)) for lo, hi, _ in TRANSFORMS.values())
Value = Annotated[float, Field(allow_inf_nan=False, ge=-WIDEST, le=WIDEST)]
RANGES = "; ".join(f"{k} {lo:g}..{hi:g} ({what})" for k, (lo, hi, what) in TRANSFORMS.items())


class RobustnessRequest(ImageInput, ModelChoice):
    """A drawing, a transform and the values to try it at."""

    transform: TransformName = Field(
        description="What to change in the drawing before it is preprocessed.",
        examples=["rotate"],
    )
    values: list[Value] = Field(
        min_length=1,
        max_length=MAX_VALUES,
        description=f"1 to {MAX_VALUES} values of the transform. Ranges: {RANGES}. A value "
        "outside its transform's range is a 400 with a message (the schema holds only the "
        "widest range).",
        examples=[[-60, -30, 0, 30, 60]],
    )

    model_config = {
        **ImageInput.model_config,
        "json_schema_extra": {
            "examples": [{"pixels": EXAMPLE_PIXELS, "transform": "rotate", "values": [-30, 0, 30]}]
        },
    }


class SweepPointOut(BaseModel):
    """The model's reading of the drawing changed by one value."""

    value: float = Field(description="The transform's value.", examples=[30])
    prediction: int | None = Field(
        description="The most probable digit; null when nothing of the drawing is left."
    )
    probabilities: list[float] = Field(
        description="Calibrated probability of each class (all 0 when nothing is left)."
    )
    input: list[list[float]] = Field(description="The 28 x 28 input the network saw.")


class RobustnessResponse(BaseModel):
    """One reading per value, in the order sent."""

    transform: TransformName = Field(description="The transform applied.")
    results: list[SweepPointOut] = Field(description="One entry per value.")
