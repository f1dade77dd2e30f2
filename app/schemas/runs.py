"""Training runs: the request that starts one, the run record, checkpoints, models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import integer

TINY_LAYERS = [
    {
        "kind": "conv2d",
        "hyperparameters": {
            "out_channels": 4,
            "kernel_size": [5, 5],
            "stride": [1, 1],
            "padding": [0, 0],
        },
    },
    {"kind": "relu"},
    {"kind": "maxpool2d", "hyperparameters": {"size": [2, 2], "stride": [2, 2]}},
    {"kind": "flatten"},
    {"kind": "dense", "hyperparameters": {"out_features": 10}},
]
KINDS_TEXT = (
    "conv2d (out_channels 1-32, kernel_size 1-7, stride 1-3, padding 0 to half the kernel or "
    '"same"), relu, maxpool2d / avgpool2d (size 1-4, stride 1-4, default: the size), flatten, '
    "dense (out_features: 4-256 for the up to 2 hidden ones, 10 for the last)"
)


class LayerSpec(BaseModel):
    """One layer, in the vocabulary of GET /api/model (in_channels and in_features inferred)."""

    model_config = ConfigDict(json_schema_extra={"examples": TINY_LAYERS[:1]})

    kind: str = Field(description=f"The layer kind: {KINDS_TEXT}.", examples=["conv2d"])
    name: str | None = Field(
        None,
        description="Optional unique name (1-32 characters); default conv1, relu1, pool1, "
        "flatten, fc1 ... in order.",
        examples=["conv1"],
    )
    hyperparameters: dict[str, Any] = Field(
        default_factory=dict,
        description="conv2d: out_channels, kernel_size, stride, padding; maxpool2d/avgpool2d: "
        "size, stride; dense: out_features. Sizes are a number or [rows, cols]. in_channels / "
        "in_features may be left out (inferred; if given they must match).",
        examples=[{"out_channels": 4, "kernel_size": [5, 5], "stride": [1, 1], "padding": [0, 0]}],
    )


class Architecture(BaseModel):
    """The network: 0-3 conv blocks, flatten, up to 2 hidden dense layers, dense 10."""

    layers: list[LayerSpec] = Field(
        min_length=1,
        max_length=16,
        description="Layers from the 1 x 28 x 28 input to the 10 class scores. At most 500,000 "
        "parameters. A network that cannot be built (unknown kind, a map that shrinks to "
        "nothing, too many parameters, numbers out of range) is a 422 naming the layer.",
        examples=[TINY_LAYERS],
    )


class Training(BaseModel):
    """How to train; every field has a default."""

    model_config = ConfigDict(strict=True)

    train_images: integer(ge=1000, le=60000) = Field(  # type: ignore[valid-type]
        10000,
        description="MNIST training images to use (a seeded random choice of the 60,000).",
        examples=[1000],
    )
    epochs: integer(ge=1, le=5) = Field(1, description="Passes over the images.", examples=[1])  # type: ignore[valid-type]
    batch_size: integer(ge=8, le=512) = Field(  # type: ignore[valid-type]
        64, description="Images per step.", examples=[64]
    )
    optimizer: Literal["adam", "sgd"] = Field(
        "adam", description='"adam", or "sgd" (with momentum 0.9).', examples=["adam"]
    )
    learning_rate: float | None = Field(
        None,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="Peak learning rate (cosine decay to 2% of it); default 0.005 for adam, "
        "0.05 for sgd.",
        examples=[0.002],
    )
    augment: bool = Field(
        False, description="Randomly shift, rotate, scale and thicken the digits.", examples=[False]
    )
    seed: integer(ge=0, le=2**31 - 1) = Field(  # type: ignore[valid-type]
        0,
        description="Seeds the initial weights, the image choice, the order and augmentation: "
        "the same seed gives the same checkpoints.",
        examples=[0],
    )


DEFAULT_LEARNING_RATE = {"adam": 0.005, "sgd": 0.05}


class RunRequest(BaseModel):
    """POST /api/runs: a network and how to train it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "architecture": {"layers": TINY_LAYERS},
                    "training": {"train_images": 1000, "epochs": 1},
                }
            ]
        }
    )

    architecture: Architecture = Field(description="The layers.")
    training: Training = Field(default_factory=Training, description="Training settings.")
    name: str | None = Field(
        None,
        min_length=1,
        max_length=80,
        description="A label for the run; default: a summary of the layers.",
        examples=["tiny"],
    )


class Progress(BaseModel):
    """Where training is: the latest event's figures."""

    step: int = Field(description="Updates done so far.", examples=[120])
    total_steps: int | None = Field(None, description="Updates the run will do in all.")
    epoch: int | None = Field(None, description="1-based epoch of the step.", examples=[1])
    images_seen: int = Field(description="Training images used so far (with repeats).")
    loss: float | None = Field(
        None, description="Smoothed training loss (moving average over ~10 steps)."
    )
    accuracy: float | None = Field(None, description="Smoothed training accuracy, 0-1.")
    learning_rate: float | None = Field(None, description="The current learning rate.")
    elapsed: float | None = Field(None, description="Seconds of training so far.")
    images_per_second: float | None = Field(None, description="Training speed so far.")
    validation_loss: float | None = Field(None, description="At checkpoints: validation loss.")
    validation_accuracy: float | None = Field(
        None, description="At checkpoints: accuracy on the validation digits."
    )


class Checkpoint(BaseModel):
    """A saved moment of training (its weights are an .npz in the runs directory)."""

    step: int = Field(description="Updates done when saved (0: the initial weights).")
    epoch: int = Field(description="1-based epoch of the step.")
    images_seen: int = Field(description="Training images used so far.")
    loss: float | None = Field(description="Smoothed training loss (at step 0: validation).")
    accuracy: float | None = Field(description="Smoothed training accuracy.")
    validation_loss: float = Field(description="Loss on the 500 validation digits.")
    validation_accuracy: float = Field(
        description="Accuracy on the 500 validation digits (the first MNIST test digits)."
    )


class Run(BaseModel):
    """A training run and where it is."""

    id: str = Field(description="Random run id (16 hex digits).", examples=["3f9c2a61b0d4e785"])
    name: str = Field(description="Its label.", examples=["conv 4@5x5 → maxpool 2x2 → dense 10"])
    status: Literal["queued", "running", "paused", "done", "stopped", "failed"] = Field(
        description="queued (waiting for a slot), running, paused, done, stopped (by a client), "
        "failed (see `error`)."
    )
    control: Literal["pause", "stop"] | None = Field(
        None, description="A pause or stop asked for and not yet acted on (or the pause in force)."
    )
    queue_position: int | None = Field(
        None, description="1 for the next run to start; null unless queued."
    )
    created: float = Field(description="When it was created (Unix time, seconds).")
    started: float | None = Field(None, description="When it got its slot.")
    finished: float | None = Field(None, description="When it ended.")
    error: str | None = Field(None, description="Why it failed.")
    architecture: dict[str, Any] = Field(description="The layers as sent.")
    summary: str = Field(description="The layers in a few words.")
    training: dict[str, Any] = Field(description="The training settings, defaults filled in.")
    parameter_count: int = Field(description="Trainable numbers in the network.")
    progress: Progress | None = Field(None, description="The latest event's figures.")
    metrics: Checkpoint | None = Field(None, description="The latest checkpoint's figures.")
    test_accuracy: float | None = Field(
        None, description="Accuracy on the 10,000 MNIST test digits, once done or stopped."
    )
    probes: list[int] = Field(
        description="MNIST test indices of the probe digits whose predictions checkpoint events "
        "carry: the first test digit of each class, 0-9 (GET /api/samples?digit=d&count=1)."
    )


class RunList(BaseModel):
    """Every run, newest first."""

    runs: list[Run] = Field(description="Newest first.")


class CheckpointList(BaseModel):
    """A run's checkpoints in step order."""

    run: str = Field(description="The run id.")
    checkpoints: list[Checkpoint] = Field(description="In step order.")


class LayerPreview(BaseModel):
    """One layer of a checked architecture."""

    name: str = Field(description="Layer name (given, or conv1, relu1 ...).", examples=["conv1"])
    kind: str = Field(description="Layer kind.", examples=["conv2d"])
    hyperparameters: dict[str, Any] = Field(description="With in_channels / in_features inferred.")
    input_shape: list[int] = Field(description="C x H x W, or [D].", examples=[[1, 28, 28]])
    output_shape: list[int] = Field(description="C x H x W, or [D].", examples=[[4, 24, 24]])
    parameter_count: int = Field(description="Its weights and biases.", examples=[104])
    formula: str | None = Field(
        description="Conv and pooling: the output-size arithmetic (as the playground shows it).",
        examples=["floor((28 - 5 + 2*0) / 1) + 1 = 24"],
    )


class Preview(BaseModel):
    """An architecture checked without training it."""

    layers: list[LayerPreview] = Field(description="Every layer, input to output.")
    parameter_count: int = Field(description="Trainable numbers in all.", examples=[5874])
    multiply_adds: int = Field(description="Multiply-adds of one forward pass of one image.")
    estimated_seconds: float | None = Field(
        None,
        description="Training time for the `training` settings sent, from the speed measured on "
        "this server's latest finished run (multiply-adds per second); null before any run.",
    )


class ModelEntry(BaseModel):
    """A model the model endpoints can use (`model=<id>`)."""

    id: str = Field(description='"bundled" or a run id.', examples=["bundled"])
    name: str = Field(description="Its label.")
    kind: Literal["bundled", "run"] = Field(description="The shipped model, or a training run.")
    status: str = Field(description='"ready" for the bundled one; else the run status.')
    summary: str = Field(description="The layers in a few words.")
    parameter_count: int = Field(description="Trainable numbers.")
    test_accuracy: float | None = Field(description="Accuracy on the MNIST test set.")
    checkpoints: list[int] = Field(description="Steps usable as `checkpoint=` (runs only).")


class ModelList(BaseModel):
    """The bundled model and every finished run."""

    models: list[ModelEntry] = Field(
        description="The bundled model first, then runs, newest first."
    )


class SpecErrorResponse(BaseModel):
    """422: the request does not fit the schema (FastAPI's list), or the network cannot be built."""

    detail: str | list[dict[str, Any]] = Field(
        description="What to change; for a network that cannot be built, one sentence naming the "
        'layer, e.g. "layer 3 (maxpool2d): its 1x1 input is smaller than the 2x2 pooling '
        'window ...; use fewer pooling layers ..."',
    )
    layer: int | None = Field(
        None, description="0-based index of the layer concerned (null: the whole network)."
    )
