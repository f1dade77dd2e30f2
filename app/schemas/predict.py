"""Prediction requests and responses."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.common import EXAMPLE_PIXELS, PLACEMENT_FIELD, ImageInput, PlacementOut


class PredictRequest(ImageInput):
    """An image to classify, and which layers' activations to return."""

    layers: Literal["all"] | list[str] = Field(
        "all",
        description='"all", or the names of the layers to return (see GET /api/model), e.g. '
        '["conv1", "pool2"]. "softmax" is the final probabilities.',
        examples=["all", ["conv1", "relu1"]],
    )

    model_config = {
        "json_schema_extra": {
            "examples": [{"pixels": EXAMPLE_PIXELS, "preprocess": True, "layers": ["conv1"]}]
        }
    }


class LayerActivationsOut(BaseModel):
    """One layer's output for the image."""

    name: str = Field(description="Layer name, e.g. conv1.", examples=["conv1"])
    kind: str = Field(
        description="Layer kind: conv2d, relu, maxpool2d, avgpool2d, flatten, dense or softmax.",
        examples=["conv2d"],
    )
    shape: list[int] = Field(
        description="C x H x W for maps, [D] for vectors.", examples=[[8, 28, 28]]
    )
    activations: list = Field(description="Nested lists of floats with the given shape.")
    min: float = Field(description="Smallest activation.")
    max: float = Field(description="Largest activation.")


class PredictResponse(BaseModel):
    """The predicted digit, its probabilities, the network input and the layers' activations."""

    prediction: int = Field(description="Index of the most probable class.", examples=[7])
    label: str = Field(description="Name of that class.", examples=["7"])
    probabilities: list[float] = Field(
        description="Calibrated probability of each class (sums to 1): softmax(logits / T) with "
        "the temperature T stored with the model (GET /api/model: metadata.calibration)."
    )
    is_digit: bool = Field(
        description="False when the drawing does not look like one digit (a dash, a dot, a "
        "scribble, a letter, several digits): then `prediction` is the network's best guess only."
    )
    digit_score: float = Field(
        description="0-1, how much the drawing looks like one digit: the network's largest logit "
        "combined with the ink's shape (pieces, length, width, holes); is_digit is score >= the "
        "model's threshold (metadata.digit_test).",
        ge=0,
        le=1,
    )
    input: list[list[float]] = Field(
        description="The 28 x 28 image the network actually saw, values in [0, 1]."
    )
    layers: list[LayerActivationsOut] = Field(description="Requested layers in network order.")
    placement: PlacementOut | None = PLACEMENT_FIELD
