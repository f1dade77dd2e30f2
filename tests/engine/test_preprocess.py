"""Any drawing -> the 28 x 28 the network sees: MNIST digits survive the trip, junk is refused."""

from __future__ import annotations

import numpy as np
import pytest

from engine.data import load_mnist
from engine.preprocess import (
    GLYPH_BOX,
    Box,
    EmptyDrawingError,
    Placement,
    centre_of_mass,
    ink_map,
    network_input_with_placement,
    preprocess,
    preprocess_with_placement,
    resize,
    resize_float32,
)
from engine.serialize import BUNDLED_WEIGHTS, load_model


@pytest.fixture(scope="module")
def digits(mnist_dir):
    """The first 10 MNIST test digits (uint8, light ink on black) and their labels."""
    images, labels = load_mnist("test", mnist_dir, download=False)
    return images[:10].copy(), labels[:10].copy()


def upscale(image: np.ndarray, factor: int = 10) -> np.ndarray:
    return np.kron(image, np.ones((factor, factor), dtype=image.dtype))


def best_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Correlation of a with b, at the best alignment within one pixel either way."""
    return max(
        float(np.corrcoef(np.roll(a, (dy, dx), axis=(0, 1)).ravel(), b.ravel())[0, 1])
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    )


def on_canvas(image: np.ndarray, top: int, left: int, shape=(500, 640), fill=0) -> np.ndarray:
    canvas = np.full(shape, fill, dtype=image.dtype)
    canvas[top : top + image.shape[0], left : left + image.shape[1]] = image
    return canvas


def as_rgba(ink: np.ndarray, colour: int) -> np.ndarray:
    """uint8 ink -> strokes of one colour whose alpha is the ink, on a transparent background."""
    rgba = np.zeros((*ink.shape, 4), dtype=np.uint8)
    rgba[..., :3] = colour
    rgba[..., 3] = ink
    return rgba


def thicken(image: np.ndarray, radius: int) -> np.ndarray:
    padded = np.pad(image, radius)
    h, w = image.shape
    shifts = range(2 * radius + 1)
    return np.max([padded[a : a + h, b : b + w] for a in shifts for b in shifts], axis=0)


# name -> (transform of a uint8 MNIST digit, least correlation with the original expected)
TRANSFORMS = {
    "upscaled": (upscale, 0.95),
    "shifted": (lambda d: on_canvas(upscale(d), 170, 330), 0.95),
    "inverted": (lambda d: 255 - on_canvas(upscale(d), 40, 20), 0.95),
    "rgba-black-strokes": (lambda d: as_rgba(upscale(d), 0), 0.95),
    "rgba-white-strokes": (lambda d: as_rgba(upscale(d), 255), 0.95),
    "rgb-inverted": (lambda d: np.repeat((255 - upscale(d))[..., None], 3, axis=2), 0.95),
    "float": (lambda d: upscale(d).astype(np.float64) / 255, 0.95),
    "thickened": (lambda d: thicken(upscale(d), 5), 0.8),
}


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_mnist_digits_survive_the_trip(digits, name):
    transform, least_correlation = TRANSFORMS[name]
    images, _ = digits
    for digit in images:
        out = preprocess(transform(digit))
        assert out.shape == (28, 28)
        assert out.dtype == np.float32
        assert out.min() >= 0.0
        assert out.max() <= 1.0
        assert out.max() > 0.9
        # Both MNIST and preprocess put the centre of mass near (14, 14); rounding to whole
        # pixels can leave up to a pixel of offset.
        assert best_correlation(out, digit / 255.0) > least_correlation
        cy, cx = centre_of_mass(out)
        assert abs(cy - 14.0) <= 0.75
        assert abs(cx - 14.0) <= 0.75


def test_position_and_scale_do_not_matter(digits):
    digit = digits[0][0]
    reference = preprocess(upscale(digit))
    for factor, top, left in [(4, 0, 0), (10, 200, 10), (17, 3, 90)]:
        out = preprocess(on_canvas(upscale(digit, factor), top, left, shape=(520, 600)))
        assert np.abs(out - reference).max() < 0.35
        assert float(np.corrcoef(out.ravel(), reference.ravel())[0, 1]) > 0.97


def stroke(canvas: np.ndarray, p0, p1, width: float) -> None:
    """Draw a round-ended pen stroke from p0 to p1 (row, col) into canvas, in place."""
    rr, cc = np.mgrid[: canvas.shape[0], : canvas.shape[1]]
    (r0, c0), (r1, c1) = p0, p1
    d = np.array([r1 - r0, c1 - c0], dtype=float)
    t = ((rr - r0) * d[0] + (cc - c0) * d[1]) / max(d @ d, 1e-9)
    t = np.clip(t, 0, 1)
    dist = np.hypot(rr - (r0 + t * d[0]), cc - (c0 + t * d[1]))
    canvas[dist <= width / 2] = 1.0


@pytest.mark.parametrize(
    ("strokes", "box"),
    [
        ([((40, 60), (40, 220)), ((40, 220), (250, 120))], (20, 16)),  # a 7: taller than wide
        ([((140, 20), (140, 260))], (2, 20)),  # a dash: wide and flat
        ([((30, 140), (250, 140))], (20, 2)),  # a 1: a vertical bar
    ],
)
def test_pen_strokes_are_cropped_to_a_20_pixel_box(strokes, box):
    canvas = np.zeros((280, 280))
    for p0, p1 in strokes:
        stroke(canvas, p0, p1, width=16)
    out = preprocess(canvas)
    rows, cols = np.nonzero(out > 0.01)
    height, width = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
    assert max(height, width) == GLYPH_BOX
    assert abs(height - box[0]) <= 1
    assert abs(width - box[1]) <= 1
    cy, cx = centre_of_mass(out)
    assert abs(cy - 14.0) <= 0.75
    assert abs(cx - 14.0) <= 0.75


def test_dark_strokes_on_white_paper_read_as_ink():
    paper = np.ones((280, 280))
    ink = np.zeros((280, 280))
    stroke(ink, (40, 140), (240, 140), 20)
    a = preprocess(paper - ink)
    b = preprocess(ink)
    np.testing.assert_allclose(a, b, atol=1e-6)


def square(size: int, value: float, background: float, n: int = 280) -> np.ndarray:
    image = np.full((n, n), background)
    image[100 : 100 + size, 100 : 100 + size] = value
    return image


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((280, 280)),
        np.ones((280, 280)),
        np.zeros((280, 280), dtype=np.uint8),
        np.full((280, 280), 255, dtype=np.uint8),
        np.full((280, 280, 4), 255, dtype=np.uint8),  # opaque white
        np.zeros((280, 280, 4), dtype=np.uint8),  # fully transparent
        square(1, 1.0, 0.0),  # a single speck
        square(1, 0.0, 1.0),  # a single dark speck on paper
        square(5, 1.0, 0.0),  # 25 pixels of 78,400: still a speck
        np.random.default_rng(0).uniform(0.47, 0.53, (280, 280)),  # flat noise
    ],
    ids=[
        "blank-float",
        "white-float",
        "black-uint8",
        "white-uint8",
        "opaque-white-rgba",
        "transparent-rgba",
        "speck",
        "dark-speck",
        "5x5-speck",
        "flat-noise",
    ],
)
def test_empty_drawings_are_refused(image):
    with pytest.raises(EmptyDrawingError, match="empty"):
        preprocess(image)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.full((28, 28), np.nan), "finite"),
        (np.where(np.eye(28) > 0, np.inf, 0.0), "finite"),
        (np.full((28, 28), 1.5), r"\[0, 1\]"),
        (np.full((28, 28), -0.1), r"\[0, 1\]"),
        (np.full((28, 28), 300, dtype=np.int32), "0..255"),
        (np.full((28, 28), -1, dtype=np.int16), "0..255"),
        (np.zeros((2, 28, 28, 1, 1)), "2-D"),
        (np.zeros(784), "2-D"),
        (np.zeros((28, 28, 5)), "1-4 channels"),
        (np.zeros((28, 28, 0)), "1-4 channels"),
        (np.zeros((0, 28)), "no pixels"),
        (np.full((28, 28), "a"), "numbers"),
    ],
    ids=[
        "nan",
        "inf",
        "float-above-1",
        "negative-float",
        "int-above-255",
        "negative-int",
        "5-d",
        "1-d",
        "5-channels",
        "0-channels",
        "no-rows",
        "strings",
    ],
)
def test_bad_inputs_are_value_errors(image, message):
    with pytest.raises(ValueError, match=message) as info:
        preprocess(image)
    assert not isinstance(info.value, EmptyDrawingError)


def test_ink_map_channel_layouts_agree():
    ink = np.zeros((40, 40), dtype=np.uint8)
    ink[10:30, 18:22] = 255
    gray = ink_map(ink)
    np.testing.assert_allclose(ink_map(ink[..., None]), gray)
    np.testing.assert_allclose(ink_map(np.repeat(ink[..., None], 3, axis=2)), gray)
    np.testing.assert_allclose(ink_map(255 - ink), gray)
    np.testing.assert_allclose(ink_map(as_rgba(ink, 0)), gray)
    np.testing.assert_allclose(ink_map(as_rgba(ink, 255)), gray)
    la = np.stack([np.zeros_like(ink), ink], axis=2)  # grey + alpha
    np.testing.assert_allclose(ink_map(la), gray)
    assert ink_map(ink.astype(bool)).max() == 1.0


def test_resize_keeps_a_constant_image_constant_and_preserves_mass():
    np.testing.assert_allclose(resize(np.full((280, 140), 0.7), 20, 10), 0.7)
    np.testing.assert_allclose(resize(np.full((5, 5), 0.3), 20, 20), 0.3)
    rng = np.random.default_rng(0)
    image = rng.random((200, 100))
    small = resize(image, 20, 10)
    assert small.shape == (20, 10)
    assert small.mean() == pytest.approx(image.mean(), rel=0.02)


def test_centre_of_mass():
    image = np.zeros((5, 7))
    image[1, 2] = 1.0
    image[3, 6] = 3.0
    assert centre_of_mass(image) == pytest.approx((2.5, 5.0))


def test_bundled_model_reads_drawn_digits(digits):
    assert BUNDLED_WEIGHTS.is_file(), f"{BUNDLED_WEIGHTS} is missing"
    model, _ = load_model(BUNDLED_WEIGHTS)
    images, labels = digits
    drawn = np.stack([preprocess(255 - upscale(d)) for d in images])  # dark ink on paper
    predictions = model.forward(drawn[:, None]).argmax(axis=1)
    assert (predictions == labels).sum() >= 9


def ink_bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(top, left, height, width) of the True cells."""
    rows, cols = np.nonzero(mask)
    return rows.min(), cols.min(), rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


@pytest.mark.parametrize(
    "strokes",
    [
        [((40, 60), (40, 220)), ((40, 220), (250, 120))],  # a 7: taller than wide
        [((140, 20), (140, 260))],  # a dash: wide and flat
        [((30, 200), (180, 230))],  # a slanted 1, off-centre
    ],
)
def test_placement_maps_the_ink_crop_onto_the_glyph(strokes):
    canvas = np.zeros((300, 280))
    for p0, p1 in strokes:
        stroke(canvas, p0, p1, width=16)
    out, placement = preprocess_with_placement(canvas)
    np.testing.assert_array_equal(out, preprocess(canvas))  # one code path
    assert placement.source == Box(*ink_bbox(canvas > 0.2))
    t = placement.target
    assert max(t.height, t.width) == GLYPH_BOX
    assert 0 <= t.top <= 28 - t.height and 0 <= t.left <= 28 - t.width
    assert Box(*ink_bbox(out > 0.01)) == t  # the output's ink fills exactly the target box
    # Every ink pixel of the drawing lands on ink of the output through the mapping.
    s = placement.source
    rows, cols = np.nonzero(canvas > 0.5)
    r = ((rows + 0.5 - s.top) * t.height / s.height + t.top).astype(int)
    c = ((cols + 0.5 - s.left) * t.width / s.width + t.left).astype(int)
    assert out[r, c].min() > 0.05


def test_placement_scaled_reports_the_box_of_a_larger_original():
    placement = Placement(Box(10, 20, 30, 40), Box(4, 5, 20, 15))
    assert placement.scaled(2.0) == Placement(Box(20, 40, 60, 80), Box(4, 5, 20, 15))
    assert placement.scaled(2.0, 0.5).source == Box(20, 10, 60, 20)
    assert placement.as_dict() == {
        "source": {"top": 10, "left": 20, "height": 30, "width": 40},
        "target": {"top": 4, "left": 5, "height": 20, "width": 15},
    }


def test_network_input_without_preprocessing_has_no_placement():
    image = np.zeros((28, 28), dtype=np.float32)
    image[5:20, 10:14] = 1.0
    out, placement = network_input_with_placement(image, False)
    assert placement is None
    np.testing.assert_array_equal(out, image)


def reference_preprocess(image: np.ndarray) -> tuple[np.ndarray, Box]:
    """The float64 recipe the fast path must match: ink map, mask, crop, matrix resize."""
    ink = ink_map(image)
    rows, cols = np.nonzero(ink > 0.2)
    r0, c0 = rows.min(), cols.min()
    crop = ink[r0 : rows.max() + 1, c0 : cols.max() + 1]
    h, w = crop.shape
    gh, gw = max(1, round(h * 20 / max(h, w))), max(1, round(w * 20 / max(h, w)))
    glyph = np.clip(resize(crop, gh, gw), 0, 1)
    cy, cx = centre_of_mass(glyph)
    top, left = int(np.clip(round(14 - cy), 0, 28 - gh)), int(np.clip(round(14 - cx), 0, 28 - gw))
    out = np.zeros((28, 28))
    out[top : top + gh, left : left + gw] = glyph
    return out, Box(r0, c0, h, w)


def drawing(rng: np.random.Generator, paper: int) -> np.ndarray:
    """A 280 x 280 uint8 drawing: 1-3 random anti-aliased strokes, ink 17 on `paper` (or reversed)."""
    canvas = np.zeros((280, 280))
    for _ in range(rng.integers(1, 4)):
        p0, p1 = rng.uniform(20, 260, 2), rng.uniform(20, 260, 2)
        stroke(canvas, p0, p1, width=rng.uniform(3, 24))
    canvas = np.clip(canvas + rng.uniform(0, 0.3, canvas.shape) * (canvas > 0), 0, 1)
    ink, background = (17, paper) if paper > 127 else (238, paper)
    return np.round(background + canvas * (ink - background)).astype(np.uint8)


@pytest.mark.parametrize("paper", [255, 240, 0, 30])
def test_uint8_fast_path_matches_the_float64_recipe(paper):
    """uint8 work on the ink's box and Pillow's 8-bit resampling give the float64 glyph within
    one gray level (two rounded 8-bit passes), placed where the float64 recipe places it (or, when its centre of mass
    sits on a rounding tie, one pixel beside); float input follows the recipe within 1e-5."""
    rng = np.random.default_rng(paper)
    span = 255 - 17 - (255 - paper if paper > 127 else paper)  # ink level minus paper level
    for _ in range(20):
        image = drawing(rng, paper)
        expected, box = reference_preprocess(image)
        out, placement = preprocess_with_placement(image)
        assert placement.source == box
        t = placement.target
        glyph = out[int(t.top) : int(t.top + t.height), int(t.left) : int(t.left + t.width)]
        rows, cols = np.nonzero(expected)
        ref_top, ref_left = rows.min(), cols.min()
        assert abs(t.top - ref_top) <= 1 and abs(t.left - ref_left) <= 1
        ref = expected[ref_top : ref_top + glyph.shape[0], ref_left : ref_left + glyph.shape[1]]
        np.testing.assert_allclose(glyph, ref, atol=1 / span + 1e-5)
        np.testing.assert_allclose(preprocess(image / 255.0), expected, atol=1e-5)


def test_uint8_fast_path_leaves_paper_lighter_than_the_border_to_the_float_path():
    """A box holding pixels lighter than the paper (clipped to no ink) is resized as floats."""
    image = np.full((100, 100), 200, dtype=np.uint8)
    image[20:80, 40:60] = 17
    image[50, 45] = 255  # lighter than the paper: ink below zero before clipping
    expected, _ = reference_preprocess(image)
    np.testing.assert_allclose(preprocess(image), expected, atol=1e-5)


@pytest.mark.parametrize(("h", "w"), [(200, 140), (17, 260), (9, 5), (1, 40), (280, 280)])
def test_resize_float32_is_resize(h, w):
    """Pillow's BILINEAR (anti-aliased triangle) filter is the matrix resize() to float32."""
    image = np.random.default_rng(h * w).random((h, w)).astype(np.float32)
    scale = 20 / max(h, w)
    gh, gw = max(1, round(h * scale)), max(1, round(w * scale))
    np.testing.assert_allclose(resize_float32(image, gh, gw), resize(image, gh, gw), atol=1e-5)
