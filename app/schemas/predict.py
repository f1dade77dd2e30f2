"""Prediction requests and responses."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.common import (
    EXAMPLE_PIXELS,
    PLACEMENT_FIELD,
    ImageInput,
    ModelChoice,
    PlacementOut,
)


class PredictRequest(ImageInput, ModelChoice):
    """An image to classify, and which layers' activations to return."""

    layers: Literal["all"] | list[str] = Field(
        "all",
        description='"all", or the names of the layers to return (see GET /api/model), e.g. '
        '["conv1", "pool2"]. "softmax" is the final probabilities.',
        examples=["all", ["conv1", "relu1"]],
    )
    encoding: Literal["lists", "f16"] = Field(
        "lists",
        description='How each layer\'s `activations` come back: "lists" (default), nested JSON '
        'lists C x H x W; "f16", one object {shape, dtype: "float16", data} whose data is the '
        "values as little-endian IEEE float16 in C order, base64 encoded: about a third of the "
        "bytes, and decoded without a JSON parse per number (float16 keeps 3 significant digits; "
        "min and max stay exact). In f16, a ReLU layer whose input layer is in the same answer "
        'comes as {shape, dtype, relu_of: "<that layer>"} without data: its values are '
        "max(0, that layer's), exactly.",
        examples=["lists", "f16"],
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"pixels": EXAMPLE_PIXELS, "preprocess": True, "layers": ["conv1"]},
                {"pixels": EXAMPLE_PIXELS, "layers": ["pool2"], "encoding": "f16"},
            ]
        }
    }


class PackedArrayOut(BaseModel):
    """An array as float16 bytes (the "f16" encoding of POST /api/predict)."""

    shape: list[int] = Field(
        description="The array's shape, C x H x W or [D].", examples=[[8, 28, 28]]
    )
    dtype: Literal["float16"] = Field(description="IEEE 754 half precision, little-endian.")
    data: str | None = Field(
        None,
        description="Base64 of prod(shape) float16 values in C order (row after row, map after "
        "map). Absent when `relu_of` is given.",
        examples=["ADwAPAA8"],
    )
    relu_of: str | None = Field(
        None,
        description="For a ReLU layer whose input layer is in the same answer: that layer's name. "
        "The values are max(0, its values), exactly the float16 rounding of the ReLU's output.",
        examples=["conv1"],
    )


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
    activations: list | PackedArrayOut = Field(
        description='Nested lists of floats with the given shape, or with `encoding: "f16"` the '
        "same values packed as float16."
    )
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
