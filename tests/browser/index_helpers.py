"""Helpers for the index page tests: drawing strokes with the mouse, reading the page."""

from __future__ import annotations

import json
from pathlib import Path

from engine.serialize import load_model

STROKES_FILE = (
    Path(__file__).resolve().parents[2] / "app" / "static" / "data" / "example-strokes.json"
)


def example_strokes() -> dict[str, list[list[list[float]]]]:
    """The project's example digits: {digit: [stroke: [[x, y] in 0..1, ...], ...]}."""
    return json.loads(STROKES_FILE.read_text())


def draw_strokes(page, strokes, *, steps: int = 2) -> None:
    """Draw `strokes` (0..1 points) on the pad with mouse down, moves and up, like a hand."""
    box = page.get_by_test_id("draw-canvas").bounding_box()
    for stroke in strokes:
        points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=steps)
        page.mouse.up()


def open_page(page, base_url: str) -> None:
    """Load / and wait until the network view and the kernels are built."""
    page.goto(base_url + "/")
    page.wait_for_selector("[data-testid=layer-conv1] canvas")
    page.wait_for_selector("[data-testid=kernel-conv2-0]")


def wait_for_prediction(page, digit: str, timeout: float = 5000) -> None:
    """Wait until the predicted digit shown is `digit`."""
    page.wait_for_function(
        "d => document.querySelector('[data-testid=prediction]').textContent.trim() === d",
        arg=digit,
        timeout=timeout,
    )


CANVAS_INK = """
canvas => {
  const ctx = canvas.getContext('2d');
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let distinct = new Set();
  for (let i = 0; i < data.length; i += 4) distinct.add(data[i] * 65536 + data[i + 1] * 256 + data[i + 2]);
  return distinct.size;
}
"""


def dead_kernels(layer: str = "conv1") -> set[int]:
    """Kernels of the bundled model's first conv layer that can never fire on an input in
    [0, 1] (positive weights plus bias <= 0): their ReLU and pooling maps are rightly blank."""
    conv = load_model()[0].layer(layer)
    w, b = conv.params["W"], conv.params["b"]
    return {k for k in range(len(b)) if w[k].clip(min=0).sum() + b[k] <= 0}


def channels_of(layer: str) -> int:
    """How many input channels the bundled model's `layer` reads."""
    return load_model()[0].layer(layer).params["W"].shape[1]
