"""Image decoding limits: absurd shapes are refused, big drawings are read at a bounded cost."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from app import imaging
from app.imaging import decode_image_bytes, decode_image_with_size


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
    """A 2000 x 2000 RGBA drawing, right at the 4 MP limit, is scaled down and still reads as
    the digit drawn (a tall stroke: a 1)."""
    img = Image.new("RGBA", (2000, 2000), (255, 255, 255, 255))
    ImageDraw.Draw(img).line([(1000, 200), (1000, 1800)], fill=(17, 17, 17, 255), width=130)
    files = {"file": ("one.png", _png(img), "image/png")}
    answer = client.post("/api/predict/upload", files=files, data={"layers": "softmax"}).json()
    assert answer["prediction"] == 1
    assert np.asarray(answer["input"]).shape == (28, 28)


def _seven(size: int = 280, mode: str = "RGBA") -> Image.Image:
    """A 7 in dark ink on white: a bar and a slanted stem, round-capped like the pad's strokes."""
    img = Image.new(mode, (size, size), "white")
    k = size / 280
    points = [(70 * k, 60 * k), (210 * k, 60 * k), (120 * k, 230 * k)]
    ImageDraw.Draw(img).line(points, fill="#111111", width=round(20 * k), joint="curve")
    return img


def _encoded(img: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def _rotated_with_tag(img: Image.Image) -> Image.Image:
    """The pixels a phone stores for `img` held sideways, with the EXIF tag that undoes it."""
    stored = img.transpose(Image.Transpose.ROTATE_90)  # counter-clockwise
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    stored.info["exif"] = exif.tobytes()
    return stored


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_exif_orientation_is_applied(client, fmt) -> None:
    """A sideways-stored 7 tagged "rotate 90" reads as the upright 7 does."""
    upright = _seven(mode="RGB")
    stored = _rotated_with_tag(upright)
    options = {"quality": 95} if fmt == "JPEG" else {}

    def ask(data: bytes) -> dict:
        files = {"file": (f"d.{fmt.lower()}", data, f"image/{fmt.lower()}")}
        r = client.post("/api/predict/upload", files=files, data={"layers": "softmax"})
        assert r.status_code == 200, r.text
        return r.json()

    plain = ask(_encoded(upright, fmt, **options))
    tagged = ask(_encoded(stored, fmt, exif=stored.info["exif"], **options))
    untagged = ask(_encoded(stored, fmt, **options))
    assert tagged["prediction"] == plain["prediction"] == 7
    difference = np.abs(np.asarray(tagged["input"]) - np.asarray(plain["input"])).max()
    assert difference < (1e-6 if fmt == "PNG" else 0.1)
    assert np.abs(np.asarray(untagged["input"]) - np.asarray(plain["input"])).max() > 0.5
    for part in ("source", "target"):  # in the pixels of the picture as displayed
        assert tagged["placement"][part] == pytest.approx(plain["placement"][part], abs=2)


def test_an_image_over_the_pixel_limit_is_413_saying_what_to_send(client, expect_error) -> None:
    """The 8000 x 2000 RGBA PNG of the issue (16 MP, inside the old limits) is refused unread."""
    img = Image.new("RGBA", (8000, 2000), (255, 255, 255, 255))
    ImageDraw.Draw(img).line([(4000, 100), (4000, 1900)], fill=(0, 0, 0, 255), width=100)
    files = {"file": ("big.png", _encoded(img, "PNG"), "image/png")}
    r = client.post("/api/predict/upload", files=files)
    expect_error(r, 413, "8000 x 2000", "4,000,000 pixels", "280 x 280")


def test_a_large_jpeg_is_decoded_at_a_reduced_size() -> None:
    """A 4000 x 3000 photo (12 MP, over the 4 MP limit in full) decodes at 1/2 of its size."""
    jpeg = _encoded(_seven(3000, "RGB").crop((0, 0, 3000, 3000)).resize((4000, 3000)), "JPEG")
    pixels, sent = decode_image_with_size(jpeg, max_pixels=4_000_000, working_side=1024)
    assert sent == (3000, 4000)
    assert pixels.shape == (768, 1024)
    assert pixels.dtype == np.uint8 and pixels.ndim == 2


def test_large_decodes_wait_for_a_free_slot(client, expect_error, monkeypatch) -> None:
    """With every large-decode slot taken, a large image gets a 503; a drawing still passes."""
    monkeypatch.setattr(imaging, "LARGE_DECODE_WAIT", 0.05)
    slots = imaging._large_decode_slots(2)
    big = {"file": ("big.png", _encoded(_seven(1500), "PNG"), "image/png")}
    small = {"file": ("small.png", _encoded(_seven(), "PNG"), "image/png")}
    assert slots.acquire(timeout=1) and slots.acquire(timeout=1)
    try:
        expect_error(client.post("/api/predict/upload", files=big), 503, "busy", "1024 x 1024")
        assert client.post("/api/predict/upload", files=small).status_code == 200
    finally:
        slots.release()
        slots.release()
    assert client.post("/api/predict/upload", files=big).json()["prediction"] == 7


def test_opaque_rgba_is_read_as_gray_and_transparency_is_kept() -> None:
    """A canvas PNG (alpha 255 everywhere) decodes to (H, W); real transparency to (H, W, 2)."""
    opaque = decode_image_bytes(_encoded(_seven(), "PNG"), max_pixels=4_000_000)
    assert opaque.shape == (280, 280)
    clear = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    ImageDraw.Draw(clear).line([(140, 40), (140, 240)], fill=(0, 0, 0, 255), width=20)
    assert decode_image_bytes(_encoded(clear, "PNG"), max_pixels=4_000_000).shape == (280, 280, 2)


@pytest.mark.parametrize("field", ["file", "layers"])
def test_a_form_field_sent_twice_is_400(client, expect_error, field) -> None:
    """Two `file` (or `layers`) parts are refused rather than the last one silently used."""
    png = _encoded(_seven(), "PNG")
    files = [("file", ("a.png", png, "image/png"))]
    if field == "file":
        files.append(("file", ("b.png", png, "image/png")))
    data = {"layers": ["softmax", "conv1"] if field == "layers" else "softmax"}
    r = client.post("/api/predict/upload", files=files, data=data)
    expect_error(r, 400, f"2 `{field}` parts", "exactly one")
