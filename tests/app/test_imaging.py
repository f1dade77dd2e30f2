"""Image decoding limits: absurd shapes are refused, big drawings are read at a bounded cost."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from app.imaging import decode_image_bytes


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_a_side_over_the_limit_is_413(client, expect_error) -> None:
    """A 3 KB PNG of 1,000,000 x 3 pixels would cost hundreds of MB to read: refused."""
    img = Image.new("L", (1_000_000, 3), 255)
    ImageDraw.Draw(img).line([(0, 1), (999_999, 1)], fill=0)
    files = {"file": ("wide.png", _png(img), "image/png")}
    expect_error(client.post("/api/predict/upload", files=files), 413, "largest side", "8192")


def test_large_drawings_are_scaled_down_before_reading() -> None:
    """A 3000 x 2000 image comes out at most 1024 px on its longer side, aspect kept."""
    img = Image.new("L", (3000, 2000), 255)
    ImageDraw.Draw(img).line([(1500, 200), (1500, 1800)], fill=0, width=120)
    pixels = decode_image_bytes(_png(img), max_pixels=16_000_000, working_side=1024)
    assert pixels.shape == (683, 1024)
    assert pixels.min() == 0 and pixels.max() == 255


def test_a_large_drawing_is_still_recognised(client) -> None:
    """The scaled-down image still reads as the digit drawn (a tall stroke: a 1)."""
    img = Image.new("L", (3000, 3000), 255)
    ImageDraw.Draw(img).line([(1500, 300), (1500, 2700)], fill=0, width=200)
    files = {"file": ("one.png", _png(img), "image/png")}
    answer = client.post("/api/predict/upload", files=files, data={"layers": "softmax"}).json()
    assert answer["prediction"] == 1
    assert np.asarray(answer["input"]).shape == (28, 28)
