"""The explorer for a learner: no stale state, keyboard, one colour language, readable numbers."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from tests.browser.conftest import ARTIFACTS
from tests.browser.index_helpers import (
    CANVAS_INK,
    channels_of,
    draw_strokes,
    example_strokes,
    open_page,
    wait_for_prediction,
)

FOCUS_IN_PANEL = (
    "() => document.querySelector('[data-testid=explain-panel]').contains(document.activeElement)"
)
ACTIVE_TESTID = "() => document.activeElement?.dataset?.testid || document.activeElement?.tagName"
BLUE_PIXELS = """c => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 2] > d[i] + 20) n += 1;
  return n;
}"""


def png(image: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image.astype(np.uint8)).save(out, "PNG")
    return out.getvalue()


def answer_is_cleared(page) -> None:
    """The prediction, bars, preview and maps of the old answer are gone."""
    assert page.get_by_test_id("prediction").text_content().strip() == "?"
    values = page.locator("[data-testid=probabilities] .prob-value").all_text_contents()
    assert set(values) == {"–"}
    assert page.get_by_test_id("input-28").evaluate(CANVAS_INK) == 1
    conv1 = page.get_by_test_id("map-conv1-0")
    page.wait_for_function(f"c => ({CANVAS_INK})(c) === 1", arg=conv1.element_handle())


def test_a_failed_upload_clears_the_old_answer(page, live_server) -> None:
    open_page(page, live_server)
    draw_strokes(page, example_strokes()["3"])
    wait_for_prediction(page, "3")
    blank = {"name": "blank.png", "mimeType": "image/png", "buffer": png(np.full((40, 40), 255))}
    page.get_by_test_id("upload").set_input_files(blank)
    page.wait_for_selector("#status.error")
    answer_is_cleared(page)
    assert "Reading" not in page.locator("#status").text_content()

    draw_strokes(page, example_strokes()["3"])
    wait_for_prediction(page, "3")
    text = {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not an image"}
    page.get_by_test_id("upload").set_input_files(text)
    page.wait_for_selector("#status.error")
    assert "notes.txt" in page.locator("#status").text_content()
    answer_is_cleared(page)


def test_reading_note_goes_away_with_the_answer(page, live_server) -> None:
    open_page(page, live_server)
    seven = np.full((100, 100), 255)
    seven[15:25, 20:80] = 0
    seven[15:90, 60:70] = 0
    page.get_by_test_id("upload").set_input_files(
        {"name": "seven.png", "mimeType": "image/png", "buffer": png(seven)}
    )
    page.wait_for_function(
        "() => /^[0-9]$/.test(document.querySelector('[data-testid=prediction]').textContent.trim())"
    )
    page.wait_for_function(
        "() => !document.querySelector('#status').textContent.includes('Reading')"
    )
    assert page.console_errors == []


def test_a_stroke_over_a_loaded_digit_starts_a_new_drawing_that_undo_takes_back(
    page, live_server, mnist_dir
) -> None:
    page.goto(f"{live_server}/?sample=0")  # MNIST test digit 0 is a 7
    page.wait_for_selector("[data-testid=kernel-conv2-0]")
    wait_for_prediction(page, "7")
    draw_strokes(page, [[[0.45, 0.2], [0.5, 0.5], [0.5, 0.8]]])
    status = page.locator("#status")
    assert "new drawing" in status.text_content().lower()
    assert "undo" in status.text_content().lower()
    page.keyboard.press("Control+z")
    wait_for_prediction(page, "7")
    assert page.get_by_test_id("draw-canvas").evaluate(CANVAS_INK) > 2  # the digit is back
    assert page.console_errors == []


def test_undo_and_clear_from_the_keyboard(page, live_server) -> None:
    open_page(page, live_server)
    strokes = example_strokes()["4"]
    draw_strokes(page, strokes[:1])
    page.wait_for_function("() => document.body.classList.contains('has-answer')")
    pixels = "c => c.toDataURL()"
    pad = page.get_by_test_id("draw-canvas")
    draw_strokes(page, strokes[1:])
    wait_for_prediction(page, "4")
    page.get_by_test_id("undo").click()
    by_button = pad.evaluate(pixels)
    draw_strokes(page, strokes[1:])
    wait_for_prediction(page, "4")
    page.keyboard.press("Control+z")
    assert pad.evaluate(pixels) == by_button  # Ctrl+Z takes back the last stroke, as Undo does
    assert pad.evaluate(CANVAS_INK) > 2
    page.keyboard.press("Delete")
    wait_for_prediction(page, "?")
    assert page.get_by_test_id("draw-canvas").evaluate(CANVAS_INK) == 1
    assert "Ctrl+Z" in page.get_by_test_id("undo").text_content()
    assert "Del" in page.get_by_test_id("clear").text_content()


def test_enter_moves_focus_into_the_panel_and_escape_brings_it_back(page, live_server) -> None:
    open_page(page, live_server)
    draw_strokes(page, example_strokes()["7"])
    wait_for_prediction(page, "7")
    target = page.get_by_test_id("map-conv1-1")
    target.focus()
    page.keyboard.press("ArrowDown")
    with page.expect_response("**/api/explain"):
        page.keyboard.press("Enter")
    page.get_by_test_id("explain-panel").wait_for(state="visible")
    page.wait_for_function(FOCUS_IN_PANEL)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_IN_PANEL)  # the panel's own controls are next, not 72 maps away
    page.keyboard.press("Escape")
    assert page.get_by_test_id("explain-panel").is_hidden()
    assert page.evaluate(ACTIVE_TESTID) == "map-conv1-1"
    # Escape closes the panel from anywhere, not only from inside it
    page.get_by_test_id("map-conv1-2").click()
    page.get_by_test_id("explain-panel").wait_for(state="visible")
    page.get_by_test_id("prediction").click()
    page.keyboard.press("Escape")
    assert page.get_by_test_id("explain-panel").is_hidden()
    assert page.console_errors == []


def test_relu_maps_are_their_conv_maps_without_the_blue(page, live_server) -> None:
    open_page(page, live_server)
    draw_strokes(page, example_strokes()["5"])
    wait_for_prediction(page, "5")
    conv = page.get_by_test_id("map-conv1-0")
    relu = page.get_by_test_id("map-relu1-0")
    relu.scroll_into_view_if_needed()
    page.wait_for_function(f"c => ({CANVAS_INK})(c) > 1", arg=relu.element_handle())
    assert conv.evaluate(BLUE_PIXELS) > 0  # conv1 has negative values: blue
    assert relu.evaluate(BLUE_PIXELS) == 0  # ReLU: the same red, no blue
    # the range toggle: per map and whole network redraw with their own legends
    for mode in ("map", "network", "layer"):
        page.locator(f"[data-testid=colour-range] input[value={mode}]").check()
        legend = (
            page.get_by_test_id("layer-conv1").locator(".layer-head .legend-text").text_content()
        )
        assert ("per map" in legend) == (mode == "map")
    page.get_by_test_id("saliency-gradcam").click()
    page.get_by_test_id("saliency-legend").wait_for()
    assert "importance" in page.get_by_test_id("saliency-legend").text_content()
    assert page.console_errors == []


def test_conv2_explanation_has_channel_subtotals_and_plain_numbers(page, live_server) -> None:
    open_page(page, live_server)
    draw_strokes(page, example_strokes()["8"])
    wait_for_prediction(page, "8")
    target = page.get_by_test_id("map-conv2-3")
    target.scroll_into_view_if_needed()
    with page.expect_response("**/api/explain") as explained:
        target.click()
    answer = explained.value.json()
    chips = page.get_by_test_id("explain-channels").locator("button")
    chips.first.wait_for()
    assert chips.count() == len(answer["products"]) == channels_of("conv2")
    page.locator("[data-testid=explain-panel] [data-part=first]").click()  # pause at the start
    assert all("…" in t for t in chips.all_text_contents())  # nothing shown before it is added
    page.get_by_test_id("explain-end").click()
    sums = [np.sum(plane) for plane in answer["products"]]
    for chip, subtotal in zip(chips.all(), sums, strict=True):
        shown = float(chip.text_content().split(":")[1])
        assert abs(shown - subtotal) <= 0.0006 + 1e-9 * abs(subtotal)
    text = page.get_by_test_id("explain-panel").text_content()
    assert "e-" not in text and "e+" not in text  # no scientific notation
    assert "+ -" not in text
    assert page.console_errors == []


def test_explain_sheet_fits_a_phone_and_leaves_the_map_in_view(phone_page, live_server) -> None:
    page = phone_page
    open_page(page, live_server)
    draw_strokes(page, example_strokes()["2"])
    wait_for_prediction(page, "2")
    target = page.get_by_test_id("map-pool1-6")
    target.scroll_into_view_if_needed()
    with page.expect_response("**/api/explain"):
        target.tap()
    panel = page.get_by_test_id("explain-panel")
    panel.wait_for(state="visible")
    page.get_by_test_id("explain-end").click()
    sheet = panel.bounding_box()
    assert sheet["x"] >= 0 and sheet["x"] + sheet["width"] <= 390
    assert panel.evaluate("p => p.scrollWidth <= p.clientWidth"), "the sheet scrolls sideways"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = target.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= sheet["y"], "the sheet covers the map"
    page.screenshot(path=str(ARTIFACTS / "explorer-explain-390.png"))
    assert page.console_errors == []
