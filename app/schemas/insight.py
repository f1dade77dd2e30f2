"""Saliency, filter-atlas and misclassified-digit requests and responses."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import (
    EXAMPLE_PIXELS,
    PLACEMENT_FIELD,
    Digit,
    ImageInput,
    ModelChoice,
    PlacementOut,
)


class SaliencyRequest(ImageInput, ModelChoice):
    """An image, the class to explain and the method."""

    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [{"pixels": EXAMPLE_PIXELS, "class": 1, "method": "gradcam"}]
        },
    )

    class_index: Digit | None = Field(
        None,
        alias="class",
        description="The class (digit) whose score to explain; default: the predicted class.",
        examples=[7],
    )
    method: Literal["gradient", "gradcam"] = Field(
        "gradient",
        description='"gradient": d(class logit)/d(pixel), shown as its magnitude. "gradcam": '
        "Grad-CAM on the last conv layer, upsampled bilinearly to 28 x 28.",
        examples=["gradcam"],
    )


class SaliencyResponse(BaseModel):
    """A saliency map over the 28 x 28 input the network saw."""

    model_config = ConfigDict(populate_by_name=True)

    method: Literal["gradient", "gradcam"] = Field(
        description="The saliency method used.", examples=["gradient"]
    )
    class_index: int = Field(
        alias="class", description="The class explained (the request's, or the predicted one)."
    )
    prediction: int = Field(description="The predicted class.", examples=[7])
    probabilities: list[float] = Field(description="Softmax probability of each class.")
    layer: str | None = Field(
        description="The conv layer Grad-CAM read (null for the gradient).", examples=["conv2"]
    )
    score: str = Field(
        description='What is explained: always "logit" (the class score before softmax).',
        examples=["logit"],
    )
    input: list[list[float]] = Field(description="The 28 x 28 network input, values in [0, 1].")
    saliency: list[list[float]] = Field(
        description="28 x 28 in [0, 1], 1 = most important pixel: |raw| / max |raw| "
        "(all zeros when the raw map is zero everywhere)."
    )
    raw: list[list[float]] = Field(
        description="28 x 28 before normalising. gradient: the signed d logit / d pixel "
        "(positive = more ink here raises the score). gradcam: the non-negative Grad-CAM map."
    )
    raw_min: float = Field(description="Smallest value of `raw`.")
    raw_max: float = Field(description="Largest value of `raw`.")
    placement: PlacementOut | None = PLACEMENT_FIELD


class ReceptiveField(BaseModel):
    """Which input pixels one unit of the layer reads."""

    size: list[int] = Field(description="Window height and width on the input.", examples=[[8, 8]])
    jump: list[int] = Field(
        description="Input pixels between neighbouring units (rows, cols).", examples=[[2, 2]]
    )
    offset: list[int] = Field(
        description="Top-left input row/col of unit (0, 0); negative = zero padding.",
        examples=[[-3, -3]],
    )


class TopPatchesResponse(BaseModel):
    """9 distinct MNIST test patches that excite one kernel most, strongest first, each from a
    different digit (a patch too like a stronger one is skipped)."""

    layer: str = Field(description="The conv layer.", examples=["conv2"])
    kernel: int = Field(description="Kernel (output channel) index.", examples=[3])
    model_version: str = Field(description="The weights the atlas was computed for.")
    receptive_field: ReceptiveField = Field(description="What one unit of the layer sees.")
    patches: list[list[list[float]]] = Field(
        description="9 x size x size input pixels in [0, 1] (light ink on dark); zeros "
        "outside the image."
    )
    activations: list[float] = Field(
        description="The kernel's output (before the ReLU) at each unit, descending."
    )
    indices: list[int] = Field(description="Position of each digit in the MNIST test set.")
    positions: list[list[int]] = Field(
        description="(row, col) of each unit in the feature map.", examples=[[[5, 7]]]
    )
    windows: list[list[int]] = Field(
        description="(top row, left col) of each patch on the 28 x 28 input (may be negative).",
        examples=[[[7, 11]]],
    )
    digits: list[list[list[int]]] = Field(
        description="The 28 x 28 MNIST test digit each patch comes from, values 0-255 (light ink "
        "on dark): draw it with the window at `windows` outlined to see where the patch lies."
    )


class MisclassifiedDigit(BaseModel):
    """One MNIST test digit in the requested confusion-matrix cell."""

    index: int = Field(description="Position in the MNIST test set; load it with /?sample=index.")
    label: int = Field(description="The true digit.")
    prediction: int = Field(description="What the model predicted.")
    pixels: list[list[int]] = Field(description="28 x 28 values 0-255, 0 = background.")


class MisclassifiedResponse(BaseModel):
    """Test digits of true class `true` that the model classified as `predicted`."""

    true: int = Field(description="The true digit (confusion-matrix row).", examples=[9])
    predicted: int = Field(
        description="The predicted digit (confusion-matrix column).", examples=[4]
    )
    total: int = Field(description="How many test digits are in this cell.", examples=[7])
    model_version: str = Field(description="The weights the predictions come from.")
    samples: list[MisclassifiedDigit] = Field(
        description="The first `count` of them, in test-set order."
    )
