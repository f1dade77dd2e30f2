"""Drawings like the page's pad sends: a 280 x 280 8-bit grayscale PNG, #111 ink on #fff.

The pad (app/static/js/explorer/draw-pad.js) strokes the project's example digits
(app/static/data/example-strokes.json, points in 0..1) with round caps and joins, width
280 / 14 = 20 px, anti-aliased, and sends the canvas as app/static/js/shared/png.js encodes it:
gray scanlines, filter byte 0 on every row, deflated by the browser's zlib. Here Pillow draws the
same strokes at 4x and averages each 4 x 4 block, which gives the anti-aliased edge, and
`gray_png` writes the file byte for byte as png.js does. `Pad.rgba_png` is what
`canvas.toDataURL("image/png")` would send instead (RGBA, alpha 255 everywhere), as API clients
that post a canvas export do. No MNIST pixels are involved.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SIDE = 280
LINE_WIDTH = round(SIDE / 14)
INK = (0x11, 0x11, 0x11, 255)
PAPER = (255, 255, 255, 255)
SUPERSAMPLE = 4
STROKES = (
    Path(__file__).resolve().parent.parent / "app" / "static" / "data" / "example-strokes.json"
)

Stroke = list[tuple[float, float]]  # points in canvas pixels


def example_strokes() -> dict[str, list[Stroke]]:
    """{"0": [stroke, ...], ...}: the page's example digits in canvas pixels."""
    raw = json.loads(STROKES.read_text())
    return {
        d: [[(x * SIDE, y * SIDE) for x, y in s] for s in strokes] for d, strokes in raw.items()
    }


class Pad:
    """A 280 x 280 canvas that strokes are added to point by point, like the page's pad."""

    def __init__(self) -> None:
        k = SUPERSAMPLE
        self.big = Image.new("RGBA", (SIDE * k, SIDE * k), PAPER)
        self.draw = ImageDraw.Draw(self.big)
        self.last: tuple[float, float] | None = None

    def start(self, point: tuple[float, float]) -> None:
        """Pointer down: a dot of the line's width."""
        self.last = point
        self._dot(point)

    def to(self, point: tuple[float, float]) -> None:
        """Pointer move: a round-capped segment from the last point."""
        k = SUPERSAMPLE
        assert self.last is not None, "start() a stroke first"
        (x0, y0), (x1, y1) = self.last, point
        self.draw.line([(x0 * k, y0 * k), (x1 * k, y1 * k)], fill=INK, width=LINE_WIDTH * k)
        self._dot(point)  # the round cap and join
        self.last = point

    def _dot(self, point: tuple[float, float]) -> None:
        k, r = SUPERSAMPLE, LINE_WIDTH * SUPERSAMPLE / 2
        x, y = point[0] * k, point[1] * k
        self.draw.ellipse([x - r, y - r, x + r, y + r], fill=INK)

    def png(self) -> bytes:
        """The canvas now, as the page sends it (shared/png.js: 8-bit gray)."""
        return gray_png(np.asarray(self.big.reduce(SUPERSAMPLE).convert("L")))

    def rgba_png(self) -> bytes:
        """The canvas now, as the PNG file toDataURL("image/png") encodes (RGBA)."""
        buf = io.BytesIO()
        self.big.reduce(SUPERSAMPLE).save(buf, "PNG")
        return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC-32 of type + data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def gray_png(pixels: np.ndarray) -> bytes:
    """(H, W) uint8 -> an 8-bit grayscale PNG, as app/static/js/shared/png.js writes it."""
    height, width = pixels.shape
    rows = np.zeros((height, width + 1), dtype=np.uint8)  # filter byte 0 (none) on every row
    rows[:, 1:] = pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)),  # CompressionStream's level
            _chunk(b"IEND", b""),
        ]
    )


def data_url(png: bytes) -> str:
    """PNG bytes -> "data:image/png;base64,..."."""
    return "data:image/png;base64," + base64.b64encode(png).decode()


def drawing_steps(strokes: list[Stroke]) -> list[bytes]:
    """The PNG after every point of every stroke: what the pad holds as a hand draws."""
    pad, steps = Pad(), []
    for stroke in strokes:
        pad.start(stroke[0])
        steps.append(pad.png())
        for point in stroke[1:]:
            pad.to(point)
            steps.append(pad.png())
    return steps


def finished_pad(digit: str = "7") -> Pad:
    """The pad holding one example digit, drawn completely."""
    pad = Pad()
    for stroke in example_strokes()[digit]:
        pad.start(stroke[0])
        for point in stroke[1:]:
            pad.to(point)
    return pad


def finished_drawing(digit: str = "7") -> bytes:
    """The PNG the page sends for one example digit, drawn completely."""
    return finished_pad(digit).png()
