"""One map up close (data-testid=map-zoom): opens on click and tap, large units, window and
receptive field tracked, keyboard, and the step-by-step explanation beside it."""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS
from tests.browser.index_helpers import (
    draw_strokes,
    example_strokes,
    open_page,
    wait_for_prediction,
)


def draw_two(page, base_url: str) -> None:
    open_page(page, base_url)
    draw_strokes(page, example_strokes()["2"])
    wait_for_prediction(page, "2")


def point_at(page, canvas, row: int, col: int, size: int) -> None:
    box = canvas.bounding_box()
    x = box["x"] + box["width"] * (col + 0.5) / size
    y = box["y"] + box["height"] * (row + 0.5) / size
    page.mouse.move(x, y)


def test_click_opens_a_map_large_beside_what_it_reads(page, live_server) -> None:
    draw_two(page, live_server)
    zoom = page.get_by_test_id("map-zoom")
    assert zoom.is_hidden()
    page.get_by_test_id("ov-map-conv2-5").click()
    assert zoom.is_visible()
    big = page.get_by_test_id("map-zoom-map")
    box = big.bounding_box()
    assert box["width"] / 14 >= 10 and box["height"] / 14 >= 10
    source = page.get_by_test_id("map-zoom-source").bounding_box()
    assert source["width"] / 14 >= 10  # pool1 is 14 x 14 too
    assert source["x"] + source["width"] <= box["x"]  # beside it, on its left
    point_at(page, big, 9, 4, 14)
    readout = page.get_by_test_id("map-zoom-readout")
    assert "conv2[5, 9, 4]" in readout.text_content()
    assert "rows 8–10, cols 3–5" in readout.text_content()
    rf = page.get_by_test_id("map-zoom-input")
    assert rf.is_visible()
    assert rf.get_attribute("data-window") == "15,5,8,8"  # rows 15-22, cols 5-12 of the input
    point_at(page, big, 0, 13, 14)
    assert rf.get_attribute("data-window") == "-3,23,8,8"
    assert "conv2[5, 0, 13]" in readout.text_content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.mouse.click(*center(big.bounding_box(), 9, 4, 14))
    panel = page.get_by_test_id("explain-panel")
    panel.wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=explain-panel] [data-part=title]')"
        ".textContent.includes('row 9, col 4')"
    )
    page.screenshot(path=str(ARTIFACTS / "map-zoom-1280x800.png"))
    assert page.console_errors == []


def center(box, row, col, size):
    return (
        box["x"] + box["width"] * (col + 0.5) / size,
        box["y"] + box["height"] * (row + 0.5) / size,
    )


def test_keyboard_moves_the_unit_explains_and_escape_returns_focus(page, live_server) -> None:
    draw_two(page, live_server)
    opener = page.get_by_test_id("ov-map-pool1-2")
    opener.focus()
    page.keyboard.press("Enter")
    zoom = page.get_by_test_id("map-zoom")
    assert zoom.is_visible()
    big = page.get_by_test_id("map-zoom-map")
    assert big.evaluate("e => e === document.activeElement")
    readout = page.get_by_test_id("map-zoom-readout")
    assert "pool1[2, 7, 7]" in readout.text_content()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    assert "pool1[2, 6, 8]" in readout.text_content()
    assert (
        "max of the 2 × 2 window of relu1 map 2 at rows 12–13, cols 16–17" in readout.text_content()
    )
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=explain-panel] [data-part=title]')"
        ".textContent.includes('pool1 · map 2 · row 6, col 8')"
    )
    big.focus()
    page.keyboard.press("Escape")
    assert zoom.is_hidden()
    assert page.get_by_test_id("explain-panel").is_hidden()
    assert opener.evaluate("e => e === document.activeElement")
    assert page.console_errors == []


def test_tap_opens_a_map_with_finger_sized_units(phone_page, live_server) -> None:
    page = phone_page
    draw_two(page, live_server)
    page.locator("[data-testid=overview] .ov-columns").evaluate(
        "e => { e.scrollIntoView({block: 'start'}); e.scrollLeft = 4 * e.clientWidth; }"
    )
    page.wait_for_function(
        "() => document.querySelector('[data-testid=overview] .ov-where').textContent.includes('conv2')"
    )
    page.get_by_test_id("ov-map-conv2-5").tap()
    zoom = page.get_by_test_id("map-zoom")
    assert zoom.is_visible()
    big = page.get_by_test_id("map-zoom-map")
    box = big.bounding_box()
    assert box["width"] / 14 >= 24 and box["height"] / 14 >= 24
    width = page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.touchscreen.tap(*center(box, 3, 6, 14))
    page.wait_for_function(
        "() => document.querySelector('[data-testid=explain-panel] [data-part=title]')"
        ".textContent.includes('conv2 · map 5 · row 3, col 6')"
    )
    after = big.bounding_box()
    assert after["y"] >= 0 and after["y"] < page.get_by_test_id("explain-panel").bounding_box()["y"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-zoom-390x844.png"))
    page.get_by_test_id("map-zoom-close").tap()
    assert zoom.is_hidden()
    assert page.console_errors == []
