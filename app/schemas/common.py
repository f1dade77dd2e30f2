"""Types shared by several resources."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

Pixel = Annotated[float, Field(ge=0, le=255, allow_inf_nan=False)]
Number = Annotated[float, Field(allow_inf_nan=False, ge=-1e6, le=1e6)]
PixelRow = Annotated[list[Pixel], Field(min_length=1)]


def _whole_float_as_int(value: Any) -> Any:
    """7.0 -> 7 (JSON Schema counts it as an integer); anything else is left to strict checks."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def integer(**bounds: int) -> Any:
    """A JSON integer within `bounds` (ge, le), or a number with no fraction (7.0); never a
    boolean or a string. The bounds sit inside, where they become minimum/maximum."""
    return Annotated[int, Field(**bounds), BeforeValidator(_whole_float_as_int)]


Integer = integer()
Digit = integer(ge=0, le=9)
# Strict types: a JSON number where the schema says number or integer, true/false for boolean
# (no booleans as numbers, no numeric strings); JSON integers still count as numbers.
STRICT = ConfigDict(strict=True)
RECTANGULAR = (
    " Every row must have the same length (a ragged array is a 400: JSON Schema cannot say it)."
)
Grid2D = list[list[float]]
Grid3D = list[list[list[float]]]

EXAMPLE_PIXELS = [[0, 0, 0, 0], [0, 255, 255, 0], [0, 255, 255, 0], [0, 0, 0, 0]]
TINY_PNG = (  # a 16 x 16 drawing of a "1", dark on light
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAMklEQVR42mP8z4AKmND4"
    "DCxQmpGB4T+yCkY0LYxoZsDVwwT+I/hQLf/xWEsTAUaCvgUAs50HHsuy0ZsAAAAASUVORK5CYII="
)


class ErrorResponse(BaseModel):
    """Every 4xx/5xx answer except 422 validation errors."""

    detail: str = Field(description="What went wrong and what to change.")


def check_rectangular(value: Any, depth: int, what: str) -> tuple[int, ...]:
    """Shape of a nested list `depth` levels deep; ValueError if it is empty or ragged."""
    shape: list[int] = []
    level = [value]
    for d in range(depth):
        lengths = {len(item) for item in level}
        if len(lengths) != 1:
            raise ValueError(
                f"{what} is ragged: rows at depth {d + 1} have lengths {sorted(lengths)}"
            )
        (n,) = lengths
        if n == 0:
            raise ValueError(f"{what} must not be empty")
        shape.append(n)
        level = [x for item in level for x in item]
    return tuple(shape)


class ImageInput(BaseModel):
    """An image as encoded file data or as a 2-D pixel array; exactly one of the two.

    A request that fits this schema can still be refused with a 400: an image that does not
    decode, or a drawing with no ink in it (nothing to classify)."""

    model_config = STRICT

    image: str = Field(  # not null: leave it out to send `pixels`
        None,
        min_length=1,
        description="A PNG/JPEG/GIF/BMP/WebP image as a data URL (`data:image/png;base64,...`) "
        "or plain base64. Dark-on-light and light-on-dark both work; transparency is read as "
        "background. Exactly one of `image` and `pixels`. 400 if it does not decode as an image.",
        examples=[TINY_PNG],
    )
    pixels: list[PixelRow] = Field(  # not null: leave it out to send `image`
        None,
        min_length=1,
        description="Rows of gray values, 0 = background: either all in [0, 1] or in [0, 255] "
        "(read as 0-255 when any value exceeds 1). Any size up to the configured limit "
        "(default 512 x 512, `CONVLENS_MAX_PIXELS_SIDE`; 413 above). Exactly one of `image` and `pixels`."
        + RECTANGULAR,
        examples=[EXAMPLE_PIXELS],
    )
    preprocess: bool = Field(
        True,
        description="Crop to the ink, scale to 20 px, centre by mass in 28 x 28 (as MNIST was "
        "made). With false the image must already be 28 x 28, light ink on dark.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> ImageInput:
        if (self.image is None) == (self.pixels is None):
            raise ValueError("send exactly one of `image` (base64 or data URL) or `pixels`")
        return self

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The model's schema, saying "exactly one of image and pixels" with oneOf."""
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        target["oneOf"] = [{"required": ["image"]}, {"required": ["pixels"]}]
        return schema


class ModelChoice(BaseModel):
    """Which model answers: the bundled one (default) or a training run, at a checkpoint."""

    model: str = Field(  # not null: leave it out for the bundled model
        None,
        min_length=1,
        max_length=32,
        description='"bundled" (the default) or a training run\'s id (GET /api/models); a run '
        "still training gives its latest checkpoint. 404 for an unknown model.",
        examples=["bundled"],
    )
    checkpoint: integer(ge=0) = Field(  # type: ignore[valid-type]
        None,
        description="With a run id as `model`: the step of one of its checkpoints (GET "
        "/api/runs/{id}/checkpoints); default: its final model. 404 listing the steps if none.",
        examples=[16],
    )


class PixelBox(BaseModel):
    """A rectangle in pixels: top row, left column, height and width."""

    top: float = Field(description="First row (0 = the top edge).", examples=[38])
    left: float = Field(description="First column (0 = the left edge).", examples=[92])
    height: float = Field(description="Rows it spans.", examples=[201])
    width: float = Field(description="Columns it spans.", examples=[112])


class PlacementOut(BaseModel):
    """Where preprocessing put the drawing: the ink crop `source` became `target` in 28 x 28."""

    source: PixelBox = Field(
        description="The ink's bounding box in the image as sent (its own pixels; fractional "
        "when the server read a scaled-down copy of a large image). For `pixels`, in the array."
    )
    target: PixelBox = Field(
        description="Where that box was scaled to in the 28 x 28 network input (longer side "
        "20). Each axis maps linearly, edge to edge: source row r lands on target row "
        "target.top + (r - source.top) * target.height / source.height."
    )


PLACEMENT_FIELD = Field(
    None,
    description="Where the drawing's ink went in the 28 x 28 `input`, to map a 28 x 28 map back "
    "onto the image as sent; null when `preprocess` is false.",
)
