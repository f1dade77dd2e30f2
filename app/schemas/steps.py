"""Step-by-step records: explain a unit of the real model, or convolve/pool your own numbers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from app.schemas.common import ImageInput, Number, check_rectangular

Pair = int | tuple[int, int]


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


class ExplainRequest(ImageInput):
    """An image, and the unit to explain: layer, output channel, row, col."""

    layer: str = Field(
        description="A conv or pooling layer name (see GET /api/model).", examples=["conv1"]
    )
    channel: int = Field(ge=0, description="Output map index.", examples=[0])
    row: int = Field(ge=0, description="Output row.", examples=[14])
    col: int = Field(ge=0, description="Output column.", examples=[14])


class ExplainResponse(StepRecord):
    """The step record of the unit in the real model, and where its numbers come from."""

    layer: str = Field(description="The explained layer.", examples=["conv1"])
    input_layer: str = Field(description='The layer whose output was read ("input" for the image).')
    forward_value: float = Field(description="The value the forward pass produced for this unit.")
    activation: ActivationStep | None = Field(None, description="The ReLU after a conv, if any.")
    input: list[list[float]] = Field(description="The 28 x 28 image the network saw.")


class ConvolveRequest(BaseModel):
    """Numbers to convolve: C x H x W input, F x C x kh x kw kernels, optional bias."""

    input: list[list[list[Number]]] = Field(
        description="C x H x W input values.", examples=[[[[1, 2, 0], [0, 1, 3], [2, 1, 0]]]]
    )
    kernels: list[list[list[list[Number]]]] = Field(
        description="F x C x kh x kw kernels.", examples=[[[[[1, 0], [0, -1]]]]]
    )
    bias: list[Number] | None = Field(None, description="One value per kernel (default 0).")
    stride: Pair = Field(1, description="int or [rows, cols], at least 1.", examples=[1])
    padding: Pair | Literal["same", "valid"] = Field(
        0, description="Zeros on each side: int, [rows, cols], 'valid' (0) or 'same'.", examples=[0]
    )

    @model_validator(mode="after")
    def _shapes(self) -> ConvolveRequest:
        c, _, _ = check_rectangular(self.input, 3, "input")
        shape = check_rectangular(self.kernels, 4, "kernels")
        if shape[1] != c:
            raise ValueError(
                f"kernels have {shape[1]} channels but the input has {c}: each kernel needs one "
                "kh x kw slice per input channel"
            )
        if self.bias is not None and len(self.bias) != shape[0]:
            raise ValueError(f"bias needs one value per kernel ({shape[0]}), got {len(self.bias)}")
        return self


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
    """C x H x W input to pool with size x size windows."""

    input: list[list[list[Number]]] = Field(
        description="C x H x W input values.",
        examples=[[[[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 3, 2], [2, 6, 1, 1]]]],
    )
    size: Pair = Field(2, description="Window size, int or [rows, cols].")
    stride: Pair | None = Field(None, description="Default: the window size.")
    mode: Literal["max", "avg"] = Field("max", description="Max or average pooling.")

    @model_validator(mode="after")
    def _shape(self) -> PoolRequest:
        check_rectangular(self.input, 3, "input")
        return self


class PoolResponse(BaseModel):
    """The pooled maps and every unit's step record in order (channel, row, col)."""

    output: list = Field(description="C x Ho x Wo pooled maps.")
    output_shape: list[int] = Field(description="[C, Ho, Wo].")
    stride: list[int] = Field(description="Resolved [rows, cols] stride.")
    formula: str = Field(description="The output-size arithmetic with these numbers.")
    steps: list[StepRecord] = Field(description="One record per output unit.")
