"""Step-by-step records: explain a unit of the real model, or convolve/pool your own numbers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.schemas.common import (
    EXAMPLE_PIXELS,
    RECTANGULAR,
    STRICT,
    ImageInput,
    ModelChoice,
    Number,
    integer,
)

WINDOW_MAX = 1024  # the largest kernel, pool size, stride or padding the schema accepts
Positive = integer(ge=1, le=WINDOW_MAX)
NonNegative = integer(ge=0, le=WINDOW_MAX)
Index = integer(ge=0)
PositivePair = Annotated[list[Positive], Field(min_length=2, max_length=2)]
NonNegativePair = Annotated[list[NonNegative], Field(min_length=2, max_length=2)]
Row = Annotated[list[Number], Field(min_length=1)]
Grid = Annotated[list[Row], Field(min_length=1)]
Maps = Annotated[list[Grid], Field(min_length=1)]  # C x H x W
SIZE_LIMIT = (
    " The answer holds every step's patch, kernel and products: requests whose answer would "
    "pass the configured number of step numbers (CONVLENS_MAX_STEP_NUMBERS) are a 413."
)


class Window(BaseModel):
    """Where the unit's window sits in the layer's input."""

    row: int = Field(description="Top row in input coordinates (negative inside the padding).")
    col: int = Field(description="Left column in input coordinates (negative inside the padding).")
    padded_row: int = Field(description="Top row in the zero-padded input.")
    padded_col: int = Field(description="Left column in the zero-padded input.")
    height: int = Field(description="Window height (kernel or pool rows).")
    width: int = Field(description="Window width (kernel or pool columns).")


class StepRecord(BaseModel):
    """How one output unit was computed. Conv: patch * kernel summed + bias. Pool: window."""

    kind: str = Field(description="conv2d, maxpool2d or avgpool2d.", examples=["conv2d"])
    channel: int = Field(description="Output map (kernel index for conv).")
    row: int = Field(description="Output row.")
    col: int = Field(description="Output column.")
    window: Window = Field(description="Where the window sits in the layer's input.")
    patch: list | None = Field(None, description="Conv: the C x kh x kw input values read.")
    kernel: list | None = Field(None, description="Conv: the C x kh x kw kernel.")
    products: list | None = Field(None, description="Conv: patch * kernel, elementwise.")
    channel_sums: list[float] | None = Field(
        None, description="Conv: the products summed per input channel (C values)."
    )
    sum: float | None = Field(None, description="Conv: the sum of the products.")
    bias: float | None = Field(None, description="Conv: the kernel's bias.")
    values: list | None = Field(None, description="Pool: the kh x kw window values.")
    argmax: list[int] | None = Field(
        None, description="Max pool: [row, col] of the max in the window."
    )
    result: float = Field(description="The output value (conv: sum + bias, before any ReLU).")


class ActivationStep(BaseModel):
    """The activation applied after a conv unit."""

    kind: str = Field(description="Activation kind.", examples=["relu"])
    layer: str = Field(description="The activation layer's name.", examples=["relu1"])
    value: float = Field(description="The unit's value after the activation.")


class ExplainRequest(ImageInput, ModelChoice):
    """An image, and the unit to explain: layer, output channel, row, col (400 when the unit is
    outside the layer's output or the layer is not a conv or pooling layer; 404 for an unknown
    layer)."""

    layer: str = Field(
        description="A conv or pooling layer name (see GET /api/model).", examples=["conv1"]
    )
    channel: Index = Field(description="Output map index.", examples=[0])
    row: Index = Field(description="Output row.", examples=[14])
    col: Index = Field(description="Output column.", examples=[14])

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"pixels": EXAMPLE_PIXELS, "layer": "conv1", "channel": 0, "row": 14, "col": 14},
                {"pixels": EXAMPLE_PIXELS, "layer": "conv2", "channel": 3, "row": 7, "col": 7},
            ]
        }
    }


class ExplainResponse(StepRecord):
    """The step record of the unit in the real model, and where its numbers come from."""

    layer: str = Field(description="The explained layer.", examples=["conv1"])
    input_layer: str = Field(description='The layer whose output was read ("input" for the image).')
    forward_value: float = Field(description="The value the forward pass produced for this unit.")
    activation: ActivationStep | None = Field(None, description="The ReLU after a conv, if any.")
    input: list[list[float]] = Field(description="The 28 x 28 image the network saw.")


class ConvolveRequest(BaseModel):
    """Numbers to convolve: C x H x W input, F x C x kh x kw kernels, optional bias.

    400 when the arrays are ragged, the kernels' C differs from the input's, `bias` does not
    hold one value per kernel, or the kernel does not fit the padded input."""

    model_config = {
        **STRICT,
        "json_schema_extra": {
            "examples": [
                {
                    "input": [[[1, 2, 0], [0, 1, 3], [2, 1, 0]]],
                    "kernels": [[[[1, 0], [0, -1]]]],
                    "bias": [0.5],
                    "stride": 1,
                    "padding": 0,
                }
            ]
        },
    }

    input: Maps = Field(
        description="C x H x W input values." + RECTANGULAR,
        examples=[[[[1, 2, 0], [0, 1, 3], [2, 1, 0]]]],
    )
    kernels: Annotated[list[Maps], Field(min_length=1)] = Field(
        description="F x C x kh x kw kernels, C as in `input`." + RECTANGULAR,
        examples=[[[[[1, 0], [0, -1]]]]],
    )
    bias: list[Number] | None = Field(
        None,
        description="One value per kernel (default 0); 400 for another count.",
        examples=[[0.5]],
    )
    stride: Positive | PositivePair = Field(
        1, description="int or [rows, cols], at least 1.", examples=[1]
    )
    padding: NonNegative | NonNegativePair | Literal["same", "valid"] = Field(
        0,
        description="Zeros on each side: int, [rows, cols], 'valid' (0) or 'same' (odd kernels "
        "only; 400 otherwise)." + SIZE_LIMIT,
        examples=[0],
    )


class ConvolveResponse(BaseModel):
    """The output maps and every unit's step record in order (kernel, row, col)."""

    output: list = Field(description="F x Ho x Wo output maps.")
    output_shape: list[int] = Field(description="[F, Ho, Wo].")
    padding: list[int] = Field(description="Resolved [rows, cols] padding.")
    stride: list[int] = Field(description="Resolved [rows, cols] stride.")
    formula: str = Field(
        description="The output-size arithmetic with these numbers.",
        examples=["floor((3 - 2 + 2*0) / 1) + 1 = 2"],
    )
    steps: list[StepRecord] = Field(description="One record per output unit.")


class PoolRequest(BaseModel):
    """C x H x W input to pool with size x size windows.

    400 when the input is ragged or the window does not fit in it."""

    model_config = {
        **STRICT,
        "json_schema_extra": {
            "examples": [
                {
                    "input": [[[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 3, 2], [2, 6, 1, 1]]],
                    "size": 2,
                    "stride": 2,
                    "mode": "max",
                }
            ]
        },
    }

    input: Maps = Field(
        description="C x H x W input values." + RECTANGULAR,
        examples=[[[[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 3, 2], [2, 6, 1, 1]]]],
    )
    size: Positive | PositivePair = Field(
        2, description="Window size, int or [rows, cols], at least 1.", examples=[2]
    )
    stride: Positive | PositivePair | None = Field(
        None, description="Default: the window size; at least 1." + SIZE_LIMIT, examples=[2]
    )
    mode: Literal["max", "avg"] = Field(
        "max", description="Max or average pooling.", examples=["max"]
    )


class PoolResponse(BaseModel):
    """The pooled maps and every unit's step record in order (channel, row, col)."""

    output: list = Field(description="C x Ho x Wo pooled maps.")
    output_shape: list[int] = Field(description="[C, Ho, Wo].")
    stride: list[int] = Field(description="Resolved [rows, cols] stride.")
    formula: str = Field(description="The output-size arithmetic with these numbers.")
    steps: list[StepRecord] = Field(description="One record per output unit.")
