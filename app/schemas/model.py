"""Model description and kernel responses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class LayerInfo(BaseModel):
    """One layer of the network."""

    name: str = Field(description="Unique layer name.", examples=["conv1"])
    kind: str = Field(
        description="conv2d, relu, maxpool2d, avgpool2d, flatten or dense.", examples=["conv2d"]
    )
    hyperparameters: dict[str, Any] = Field(
        description="Constructor arguments: channels, kernel_size, stride, padding (conv); "
        "size, stride (pooling); in/out features (dense).",
        examples=[
            {
                "in_channels": 1,
                "out_channels": 8,
                "kernel_size": [3, 3],
                "stride": [1, 1],
                "padding": [1, 1],
            }
        ],
    )
    input_shape: list[int] = Field(description="Per-image input shape.", examples=[[1, 28, 28]])
    output_shape: list[int] = Field(description="Per-image output shape.", examples=[[8, 28, 28]])
    parameter_count: int = Field(description="Trainable numbers in this layer.", examples=[80])
    formula: str | None = Field(
        description="Conv and pooling layers: the output-size arithmetic floor((size - kernel + "
        "2*padding) / stride) + 1 with this layer's numbers (the same text /api/convolve and "
        "/api/pool return; 'rows: ...; cols: ...' when the two axes differ). Null for other kinds.",
        examples=["floor((28 - 3 + 2*1) / 1) + 1 = 28"],
    )
    receptive_fields: dict[str, dict[str, list[int]]] | None = Field(
        None,
        description="Layers with C x H x W output: what one unit reads on each earlier such "
        'layer ("input" included), as {size, jump, offset} pairs [rows, cols]: unit (i, j) '
        "reads rows offset[0] + i * jump[0] to that + size[0] - 1 (likewise for columns; "
        "negative or past the edge = zero padding). Null for flatten and dense layers.",
        examples=[{"input": {"size": [3, 3], "jump": [1, 1], "offset": [-1, -1]}}],
    )


class ModelInfo(BaseModel):
    """The architecture, the classes, and how the bundled weights were trained and scored."""

    version: str = Field(description="Identifies the weights (hash of the weights file).")
    input_shape: list[int] = Field(description="C x H x W of one image.", examples=[[1, 28, 28]])
    class_names: list[str] = Field(
        description="Name of each output class.", examples=[[str(d) for d in range(10)]]
    )
    parameter_count: int = Field(description="Trainable numbers in the whole network.")
    layers: list[LayerInfo] = Field(description="The layers in network order.")
    test_accuracy: float | None = Field(description="Accuracy on the 10,000 MNIST test images.")
    metadata: dict[str, Any] = Field(
        description="Training record: per-class accuracy, confusion matrix (rows = true digit), "
        "epochs, seed, training time, loss and accuracy curves."
    )
    atlas_available: bool = Field(
        description="Whether the filter atlas (/api/model/layers/{name}/top-patches/{f}) has "
        "been computed for these weights; until then those requests start its computation and "
        "answer 202 with Retry-After."
    )
    atlas_command: str = Field(
        description="The command that computes the filter atlas by hand, run on the server with "
        "its CONVLENS_DATA and CONVLENS_WEIGHTS (no server path is shown here).",
        examples=["convlens atlas"],
    )


class KernelsResponse(BaseModel):
    """The weights of a conv layer (F x C x kh x kw) or dense layer (out x in), and its bias."""

    layer: str = Field(description="Layer name.", examples=["conv1"])
    kind: str = Field(description="conv2d or dense.", examples=["conv2d"])
    shape: list[int] = Field(description="Shape of `weights`.", examples=[[8, 1, 3, 3]])
    weights: list = Field(description="Nested lists with the given shape.")
    bias: list[float] = Field(description="One bias per output channel or unit.")
    min: float = Field(description="Smallest weight.")
    max: float = Field(description="Largest weight.")


class HealthResponse(BaseModel):
    """Liveness and which model is loaded."""

    status: str = Field(description='"ok" when the app is up.', examples=["ok"])
    model_version: str = Field(
        description="Identifies the weights (hash of the weights file).", examples=["3f9c2a1b7d4e"]
    )
    app_version: str = Field(description="The installed ConvLens version.", examples=["0.1.0"])
    blas_threads: int | None = Field(
        description="Threads the BLAS library may use in the worker that answered (the server "
        "sets 1 per worker: engine/runtime.py); null when no BLAS library is loaded.",
        examples=[1],
    )
