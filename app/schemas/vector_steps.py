"""Dense and softmax units explained: the largest contributions, the sum, the bias, exp / sum."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.common import ImageInput, ModelChoice, integer
from app.schemas.steps import ActivationStep

Index = integer(ge=0)
ONE = [[0, 0, 0, 0, 0], *[[0, 0, 1, 0, 0]] * 4, [0, 0, 0, 0, 0]]  # a "1", light on dark
REQUEST_EXAMPLES = {
    "dense": {
        "summary": "fc1 unit 7: its 5 largest contributions",
        "value": {"pixels": ONE, "layer": "fc1", "unit": 7, "top": 5},
    },
    "softmax": {
        "summary": "softmax: the probability of a 1 as exp / sum",
        "value": {"pixels": ONE, "layer": "softmax", "unit": 1},
    },
}
TOP_MAX = 64  # the most contributions one answer lists


class Contribution(BaseModel):
    """One input value times its weight."""

    index: int = Field(description="Position in the dense layer's input vector.")
    value: float = Field(description="The input value.")
    weight: float = Field(description="Its weight for this unit.")
    product: float = Field(description="value x weight.")
    position: list[int] = Field(
        description="Where the value sits in `source_layer`: [channel, row, col] of the map "
        "that was flattened, or [index] of a vector.",
        examples=[[3, 2, 5]],
    )


class VectorExplainRequest(ImageInput, ModelChoice):
    """An image, and the unit to explain: a dense layer's unit or a softmax class (400 when the
    unit is out of range or the layer is not dense; 404 for an unknown layer)."""

    layer: str = Field(
        description='A dense layer name (see GET /api/model) or "softmax".', examples=["fc2"]
    )
    unit: Index = Field(description="Output unit (for fc2 and softmax: the class).", examples=[3])
    top: integer(ge=1, le=TOP_MAX) = Field(
        12, description=f"How many of the largest contributions to list (1-{TOP_MAX})."
    )

    model_config = {
        "json_schema_extra": {"examples": [v["value"] for v in REQUEST_EXAMPLES.values()]}
    }


class VectorExplainResponse(BaseModel):
    """Dense: sum of input x weight + bias. Softmax: exp(z - max) / sum of exp(z - max)."""

    kind: Literal["dense", "softmax"] = Field(description="What was explained.")
    layer: str = Field(description="The explained layer.", examples=["fc2"])
    unit: int = Field(description="The explained unit.")
    input_layer: str = Field(description="The layer whose output was read.")
    forward_value: float = Field(description="The value the forward pass produced.")
    result: float = Field(description="Dense: sum + bias. Softmax: this class's probability.")
    inputs: int | None = Field(None, description="Dense: how many inputs the unit reads.")
    top: list[Contribution] | None = Field(
        None, description="Dense: the largest contributions by size, largest first."
    )
    source_layer: str | None = Field(
        None, description="Dense: the layer each contribution's `position` refers to."
    )
    positive_sum: float | None = Field(None, description="Dense: all positive contributions.")
    negative_sum: float | None = Field(None, description="Dense: all negative contributions.")
    rest: float | None = Field(None, description="Dense: the contributions not listed in `top`.")
    sum: float | None = Field(None, description="Dense: every contribution added up.")
    bias: float | None = Field(None, description="Dense: the unit's bias.")
    activation: ActivationStep | None = Field(None, description="Dense: the ReLU after, if any.")
    logits: list[float] | None = Field(None, description="Softmax: the K logits z (fc2's output).")
    temperature: float | None = Field(
        None, description="Softmax: the model's calibration temperature T (z is divided by it)."
    )
    max_logit: float | None = Field(
        None, description="Softmax: max of z / T, subtracted for stability."
    )
    shifted: list[float] | None = Field(None, description="Softmax: z / T - max.")
    exps: list[float] | None = Field(None, description="Softmax: exp(z / T - max).")
    exp_sum: float | None = Field(None, description="Softmax: the sum of `exps`.")
    probabilities: list[float] | None = Field(None, description="Softmax: exps / exp_sum.")
