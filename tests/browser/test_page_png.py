"""The pad sends its drawing as an 8-bit gray PNG (shared/png.js), pixel for pixel the canvas."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from tests.browser.index_helpers import (
    draw_strokes,
    example_strokes,
    open_page,
    wait_for_prediction,
)

CANVAS_GRAY = """() => {
  const c = document.querySelector("[data-testid=draw-canvas]");
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const out = [];
  for (let p = 0; p < d.length; p += 4) out.push(d[p]);
  return [c.width, c.height, out];
}"""


def test_the_pad_sends_a_lossless_gray_png_of_the_canvas(page, live_server) -> None:
    images = []
    page.on(
        "request",
        lambda r: r.url.endswith("/api/predict") and images.append(r.post_data_json["image"]),
    )
    open_page(page, live_server)
    draw_strokes(page, example_strokes()["4"])
    wait_for_prediction(page, "4")
    page.wait_for_function("() => !document.body.classList.contains('busy')")
    assert images, "the page sent no drawing"
    header, _, data = images[-1].partition(",")
    assert header == "data:image/png;base64"
    png = Image.open(io.BytesIO(base64.b64decode(data)))
    assert (png.format, png.mode, png.size) == ("PNG", "L", (280, 280))
    width, height, red = page.evaluate(CANVAS_GRAY)
    canvas = np.array(red, dtype=np.uint8).reshape(height, width)  # ink is gray: R = G = B
    np.testing.assert_array_equal(np.asarray(png), canvas)
    assert canvas.min() < 50 and canvas.max() == 255  # dark ink on white paper was sent
    assert page.console_errors == []
