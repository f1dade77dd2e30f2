"""MNIST test digits."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Sample(BaseModel):
    """One MNIST test image."""

    index: int = Field(description="Position in the MNIST test set (0-9999).")
    label: int = Field(description="The digit it shows (0-9).")
    pixels: list[list[int]] = Field(description="28 x 28 values 0-255, 0 = background.")


class SamplesResponse(BaseModel):
    """Digits from the MNIST test set."""

    samples: list[Sample] = Field(description="The digits, in test-set order.")
