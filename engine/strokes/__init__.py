"""Pen-stroke digits and non-digits, rendered like the page's canvas, in named seeded sets."""

from engine.strokes.digits import DIGIT_STYLES
from engine.strokes.nondigits import NON_DIGIT_KINDS
from engine.strokes.render import CANVAS, LINE_WIDTH, render
from engine.strokes.sets import (
    EVALUATION_SEED,
    RESERVED_SEEDS,
    TUNING_SEED,
    Drawing,
    evaluation_digits,
    evaluation_non_digits,
    non_digit_drawings,
    training_digits,
)

__all__ = [
    "CANVAS",
    "DIGIT_STYLES",
    "EVALUATION_SEED",
    "LINE_WIDTH",
    "NON_DIGIT_KINDS",
    "RESERVED_SEEDS",
    "TUNING_SEED",
    "Drawing",
    "evaluation_digits",
    "evaluation_non_digits",
    "non_digit_drawings",
    "render",
    "training_digits",
]
