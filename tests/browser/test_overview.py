"""The overview (/, data-testid=overview): the whole network on one screen, links on hover."""

from __future__ import annotations

from engine.serialize import load_model
from tests.browser.conftest import ARTIFACTS
from tests.browser.index_helpers import (
    CANVAS_INK,
    channels_of,
    dead_kernels,
    draw_strokes,
    example_strokes,
    open_page,
    wait_for_prediction,
)

COLUMNS = ["input", "conv1", "relu1", "pool1", "conv2", "relu2", "pool2"]
VECTORS = ["flatten", "fc1", "relu3", "fc2", "softmax"]


def draw_two(page, base_url: str) -> None:
    open_page(page, base_url)
    draw_strokes(page, example_strokes()["2"])
    wait_for_prediction(page, "2")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=overview]').classList.contains('has-answer')"
    )


def inside(box, viewport) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


def test_whole_network_fits_one_desktop_screen(page, live_server) -> None:
    draw_two(page, live_server)
    overview = page.get_by_test_id("overview")
    overview.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_function(  # columns are painted once they are on screen
        "() => document.querySelector('[data-testid=ov-softmax-2]').textContent.endsWith('%')"
    )
    viewport = page.viewport_size
    dead = dead_kernels("conv1")
    assert inside(overview.bounding_box(), viewport)
    xs = []
    for name in COLUMNS + VECTORS:
        column = page.get_by_test_id(f"ov-col-{name}")
        assert inside(column.bounding_box(), viewport), name
        for i, canvas in enumerate(column.locator("canvas").all()):
            box = canvas.bounding_box()
            assert inside(box, viewport), name
            assert min(box["width"], box["height"]) >= 8, name  # small but visible
            if name in ("relu1", "pool1") and i in dead:
                continue  # a kernel that can never fire: its maps are rightly blank
            assert canvas.evaluate(CANVAS_INK) > 1, f"{name} is blank"
        xs.append(column.bounding_box()["x"])
    assert xs == sorted(xs)  # left to right, input first, probabilities last
    assert page.get_by_test_id("ov-map-conv2-15").count() == 1
    assert page.get_by_test_id("ov-softmax-2").text_content().strip() == "2>99.9%"  # never 100
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview-1280x800.png"))
    assert page.console_errors == []


def test_hover_draws_links_receptive_field_and_formula(page, live_server) -> None:
    draw_two(page, live_server)
    page.get_by_test_id("overview").evaluate("e => e.scrollIntoView({block: 'start'})")
    links = page.get_by_test_id("overview-links")
    assert links.locator("path").count() == 0
    box = page.get_by_test_id("ov-map-conv2-5").bounding_box()
    # unit (row 9, col 4) of a 14 x 14 map
    page.mouse.move(box["x"] + box["width"] * 4.5 / 14, box["y"] + box["height"] * 9.5 / 14)
    assert links.locator("path.ov-link").count() == channels_of("conv2")  # every pool1 map
    # receptive field on the input: 8 x 8 pixels starting at row 4*... from the API geometry
    formula = page.get_by_test_id("overview-formula").text_content()
    assert "conv2[5, 9, 4]" in formula
    assert "rows 8–10, cols 3–5" in formula  # the 3 x 3 window on pool1 (padding 1)
    assert "sees 8 × 8 pixels of the input (rows 15–22, cols 5–12)" in formula
    assert "floor((14 - 3 + 2*1) / 1) + 1 = 14" in formula
    windows = links.locator("rect.window")
    assert windows.count() == 1 + 3 * channels_of("conv2")  # input, conv1, relu1, pool1 maps
    input_box = page.get_by_test_id("ov-map-input-0").bounding_box()
    rf = windows.first.bounding_box()
    unit = input_box["width"] / 28
    assert (
        abs(rf["width"] - (8 * unit + 2)) < 2 and abs(rf["x"] - (input_box["x"] + 5 * unit - 1)) < 2
    )
    page.get_by_test_id("ov-fc1").hover()
    assert links.locator("path.ov-link").count() >= 10
    inputs = load_model()[0].layer("fc1").params["W"].shape[1]  # what flatten hands to fc1
    assert f"Σ over {inputs} inputs" in page.get_by_test_id("overview-formula").text_content()
    page.get_by_test_id("ov-softmax-2").hover()
    assert "P(2) = exp(z2)" in page.get_by_test_id("overview-formula").text_content()
    page.mouse.move(5, 5)
    assert links.locator("path").count() == 0
    assert page.console_errors == []


def test_live_update_while_drawing(page, live_server) -> None:
    open_page(page, live_server)
    conv1 = page.get_by_test_id("ov-map-conv1-0")
    blank = conv1.evaluate(CANVAS_INK)
    draw_strokes(page, example_strokes()["7"])
    wait_for_prediction(page, "7")
    page.wait_for_function(
        "n => { const c = document.querySelector('[data-testid=ov-map-conv1-0]');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " const s = new Set(); for (let i = 0; i < d.length; i += 4) s.add(d[i] * 65536 + d[i+1] * 256 + d[i+2]);"
        " return s.size > n; }",
        arg=blank,
    )
    page.get_by_test_id("clear").click()
    assert page.get_by_test_id("ov-softmax-7").text_content().endswith("–")


def test_detailed_view_toggles(page, live_server) -> None:
    draw_two(page, live_server)
    toggle = page.get_by_test_id("detail-toggle")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.get_by_test_id("layer-conv1").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.get_by_test_id("layer-conv1").is_visible()
    toggle.click()
    assert page.get_by_test_id("layer-conv1").locator("canvas.map").first.evaluate(CANVAS_INK) > 1


def test_phone_swipes_layer_by_layer_without_page_overflow(phone_page, live_server) -> None:
    page = phone_page
    draw_two(page, live_server)
    strip = page.locator("[data-testid=overview] .ov-columns")
    strip.evaluate("e => e.scrollIntoView({block: 'start'})")
    assert strip.evaluate("e => getComputedStyle(e).scrollSnapType").startswith("x")
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    first = page.get_by_test_id("ov-col-input").bounding_box()
    assert first["x"] >= 0 and first["x"] + first["width"] <= width
    # only what is on screen is painted: conv1's slide waits until it is swiped into view
    assert page.get_by_test_id("ov-map-conv1-0").evaluate(CANVAS_INK) == 1
    page.get_by_label("Next layer").tap()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=overview] .ov-where').textContent.startsWith('2 / 12')"
    )
    page.wait_for_function(  # the swipe scrolls smoothly: wait until it has landed
        "w => { const r = document.querySelector('[data-testid=ov-col-conv1]')"
        ".getBoundingClientRect(); return r.left >= 0 && r.right <= w; }",
        arg=width,
    )
    page.wait_for_function(
        "() => { const c = document.querySelector('[data-testid=ov-map-conv1-0]');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " const s = new Set(); for (let i = 0; i < d.length; i += 4) s.add(d[i] * 65536 + d[i+1] * 256 + d[i+2]);"
        " return s.size > 2; }"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    strip.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(ARTIFACTS / "overview-390x844.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.console_errors == []
