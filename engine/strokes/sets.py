"""Named, seeded sets of drawings: the evaluation set, the threshold set, and training streams.

Sample `i` of label `k` under seed `s` is drawn from np.random.default_rng([s, k, i]): the same
seed always gives the same drawings, and different seeds give independent ones. Two seeds are
reserved and refused for training: EVALUATION_SEED (the drawn evaluation set and its non-digits,
what `convlens evaluate --drawn` reports) and TUNING_SEED (held-out drawings on which thresholds
and temperatures may be fitted). Training streams use any other seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from engine.strokes.digits import DIGIT_STYLES
from engine.strokes.geometry import Strokes
from engine.strokes.jitter import Jitter, apply_jitter, sample_jitter
from engine.strokes.nondigits import ABSOLUTE_KINDS, NON_DIGIT_KINDS
from engine.strokes.render import render

EVALUATION_SEED = 1400  # issue 14: the drawn evaluation set and the non-digit set
TUNING_SEED = 1401  # held-out drawings for fitting thresholds and temperatures
RESERVED_SEEDS = frozenset({EVALUATION_SEED, TUNING_SEED})
EVALUATION_PER_DIGIT = 60
EVALUATION_PER_KIND = 30
NON_DIGIT_LABEL = -1
NON_DIGIT_STREAM = 100  # rng stream of non-digit kind j is NON_DIGIT_STREAM + j


@dataclass(frozen=True)
class Drawing:
    """One drawing: its strokes on the page (0..1), pen width, label (-1: no digit), style, tags."""

    strokes: Strokes
    jitter: Jitter
    label: int
    style: str

    def image(self) -> np.ndarray:
        """(280, 280) uint8: the drawing as the page's canvas would hold it."""
        return render(self.strokes, self.jitter.line_width)


def draw_digit(digit: int, style: str, rng: np.random.Generator) -> Drawing:
    """One digit in one style, with a random jitter from `rng`."""
    jitter = sample_jitter(rng)
    glyph = DIGIT_STYLES[digit][style](rng)
    return Drawing(apply_jitter(glyph, jitter, rng), jitter, digit, f"{digit}/{style}")


def draw_non_digit(kind: str, rng: np.random.Generator) -> Drawing:
    """One non-digit of a kind from NON_DIGIT_KINDS, with a random jitter."""
    jitter = sample_jitter(rng)
    glyph = NON_DIGIT_KINDS[kind](rng)
    if kind in ABSOLUTE_KINDS:
        placed = [np.asarray(s) + np.array(jitter.centre) for s in glyph]
    else:
        placed = apply_jitter(glyph, jitter, rng)
    return Drawing(placed, jitter, NON_DIGIT_LABEL, kind)


def digit_drawings(seed: int, per_digit: int, start: int = 0) -> Iterator[Drawing]:
    """per_digit drawings of every digit (styles in turn), indices start.. of the seed's stream."""
    for digit, styles in DIGIT_STYLES.items():
        names = list(styles)
        for i in range(start, start + per_digit):
            rng = np.random.default_rng([seed, digit, i])
            yield draw_digit(digit, names[i % len(names)], rng)


def non_digit_drawings(seed: int, per_kind: int) -> Iterator[Drawing]:
    """per_kind drawings of every non-digit kind."""
    for j, kind in enumerate(NON_DIGIT_KINDS):
        for i in range(per_kind):
            yield draw_non_digit(kind, np.random.default_rng([seed, NON_DIGIT_STREAM + j, i]))


def evaluation_digits(per_digit: int = EVALUATION_PER_DIGIT) -> Iterator[Drawing]:
    """The drawn evaluation set: EVALUATION_PER_DIGIT drawings per digit under EVALUATION_SEED."""
    return digit_drawings(EVALUATION_SEED, per_digit)


def evaluation_non_digits(per_kind: int = EVALUATION_PER_KIND) -> Iterator[Drawing]:
    """The non-digit evaluation set under EVALUATION_SEED."""
    return non_digit_drawings(EVALUATION_SEED, per_kind)


def training_digits(seed: int, per_digit: int, start: int = 0) -> Iterator[Drawing]:
    """Drawings for training; ValueError for the seeds reserved for evaluation and tuning."""
    if seed in RESERVED_SEEDS:
        raise ValueError(
            f"seed {seed} is reserved for evaluation or tuning ({sorted(RESERVED_SEEDS)}): "
            "train on any other seed"
        )
    return digit_drawings(seed, per_digit, start)
