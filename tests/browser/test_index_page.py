"""The network explorer (/) in a real browser: drawing, live prediction, layers, step-by-step."""

from __future__ import annotations

import pytest

from engine.encode import decode_layers
from tests.browser.index_helpers import (
    CANVAS_INK,
    dead_kernels,
    draw_strokes,
    example_strokes,
    open_page,
    wait_for_prediction,
)

DRAWN_DIGITS = ["0", "1", "3", "4", "7", "8"]
MAP_LAYERS = ["input", "conv1", "relu1", "pool1", "conv2", "relu2", "pool2"]


@pytest.mark.slow
def test_drawn_digits_are_recognised(page, live_server) -> None:
    open_page(page, live_server)
    strokes = example_strokes()
    for digit in DRAWN_DIGITS:
        page.get_by_test_id("clear").click()
        assert page.get_by_test_id("prediction").text_content().strip() == "?"
        draw_strokes(page, strokes[digit])
        wait_for_prediction(page, digit)
    rows = page.locator("[data-testid=probabilities] .prob-row")
    assert rows.count() == 10
    assert "top" in (rows.nth(int(DRAWN_DIGITS[-1])).get_attribute("class") or "")
    assert page.console_errors == []


def test_every_layer_is_drawn_and_labelled(page, live_server) -> None:
    open_page(page, live_server)
    draw_strokes(page, example_strokes()["2"])
    wait_for_prediction(page, "2")
    assert page.get_by_test_id("input-28").evaluate(CANVAS_INK) > 2
    dead = dead_kernels("conv1")  # the bundled model has one: its maps are rightly blank
    for name in MAP_LAYERS:
        layer = page.get_by_test_id(f"layer-{name}")
        maps = layer.locator("canvas.map")
        assert maps.count() >= 1
        for i in range(maps.count()):
            if name in ("relu1", "pool1") and i in dead:
                continue
            # maps are drawn at the next frame when on screen, in idle time when not
            maps.nth(i).scroll_into_view_if_needed()
            page.wait_for_function(f"c => ({CANVAS_INK})(c) > 1", arg=maps.nth(i).element_handle())
    conv1 = page.get_by_test_id("layer-conv1")
    assert "conv1 · 16 × 28 × 28" in conv1.locator("h3").text_content()
    assert conv1.locator(".layer-head .legend-text").text_content().startswith("signed")
    for name in ["flatten", "fc1", "relu3", "fc2", "softmax"]:
        canvas = page.get_by_test_id(f"layer-{name}").locator("canvas").first
        canvas.scroll_into_view_if_needed()  # drawn at the next frame while on screen
        page.wait_for_function(f"c => ({CANVAS_INK})(c) > 2", arg=canvas.element_handle())
    assert page.get_by_test_id("kernel-conv1-7").locator("canvas").count() == 1
    assert page.get_by_test_id("kernel-conv2-31").locator("canvas").count() == 16
    assert page.console_errors == []


def test_undo_and_clear(page, live_server) -> None:
    open_page(page, live_server)
    strokes = example_strokes()["4"]
    assert len(strokes) == 2
    draw_strokes(page, strokes)
    wait_for_prediction(page, "4")
    page.get_by_test_id("undo").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=prediction]').textContent.trim() !== '4'"
    )
    page.get_by_test_id("undo").click()
    wait_for_prediction(page, "?")
    draw_strokes(page, strokes)
    wait_for_prediction(page, "4")
    page.get_by_test_id("clear").click()
    wait_for_prediction(page, "?")
    assert page.console_errors == []


@pytest.mark.parametrize(
    ("layer", "channel", "row", "col"), [("conv1", 3, 12, 14), ("pool2", 5, 3, 3)]
)
def test_explain_animation_ends_on_the_activation(page, live_server, layer, channel, row, col):
    open_page(page, live_server)
    answers = []
    page.on("response", lambda r: answers.append(r) if r.url.endswith("/api/predict") else None)
    draw_strokes(page, example_strokes()["5"])
    wait_for_prediction(page, "5")
    page.wait_for_load_state("networkidle")
    # the predictions travel through a worker: wait until the page has none in flight
    page.wait_for_function("() => !document.body.classList.contains('busy')")
    answer = answers[-1].json()
    # the page asks for the compact float16 form: the value shown is the float16 rounding
    activations = decode_layers(answer["layers"])
    expected = activations[layer][channel][row][col]

    target = page.get_by_test_id(f"map-{layer}-{channel}")
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    size = len(activations[layer][channel])
    with page.expect_response("**/api/explain") as explained:
        target.click(
            position={
                "x": (col + 0.5) * box["width"] / size,
                "y": (row + 0.5) * box["height"] / size,
            }
        )
    sent = explained.value.request.post_data_json
    assert (sent["layer"], sent["channel"], sent["row"], sent["col"]) == (layer, channel, row, col)
    exact = explained.value.json()["forward_value"]
    assert exact == pytest.approx(expected, rel=1e-3, abs=1e-4)
    panel = page.get_by_test_id("explain-panel")
    panel.wait_for(state="visible")
    result = page.get_by_test_id("explain-result")
    assert result.is_hidden()  # it starts at the first step and animates
    page.get_by_test_id("explain-speed").select_option("fast")
    result.wait_for(state="visible", timeout=8000)
    assert float(result.get_attribute("data-value")) == pytest.approx(exact, abs=1e-6)
    assert f"{layer}[{channel}, {row}, {col}]" in result.text_content()
    page.get_by_test_id("explain-back").click()
    assert result.is_hidden()
    page.get_by_test_id("explain-forward").click()
    assert result.is_visible()
    assert page.console_errors == []


def test_keyboard_opens_the_explanation(page, live_server) -> None:
    open_page(page, live_server)
    draw_strokes(page, example_strokes()["7"])
    wait_for_prediction(page, "7")
    target = page.get_by_test_id("map-conv2-0")
    target.focus()
    page.keyboard.press("ArrowRight")
    with page.expect_response("**/api/explain") as explained:
        page.keyboard.press("Enter")
    body = explained.value.request.post_data_json
    assert (body["layer"], body["channel"], body["row"], body["col"]) == ("conv2", 0, 7, 8)
    page.get_by_test_id("explain-end").click()
    assert page.get_by_test_id("explain-result").is_visible()
    page.get_by_test_id("explain-close").click()
    assert page.get_by_test_id("explain-panel").is_hidden()
    assert page.console_errors == []


def test_example_button_replays_a_stroke(page, live_server) -> None:
    open_page(page, live_server)
    with page.expect_response("**/api/predict"):
        page.get_by_test_id("example").click()
    page.wait_for_function(
        "() => /^[0-9]$/.test(document.querySelector('[data-testid=prediction]').textContent.trim())"
    )
    assert page.get_by_test_id("draw-canvas").evaluate(CANVAS_INK) > 2
    assert page.console_errors == []


def test_phone_layout(phone_page, live_server) -> None:
    page = phone_page
    open_page(page, live_server)
    draw_strokes(page, example_strokes()["9"])
    wait_for_prediction(page, "9")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px)"
    target = page.get_by_test_id("map-conv1-1")
    target.scroll_into_view_if_needed()
    target.click()
    page.get_by_test_id("explain-end").click()
    page.get_by_test_id("explain-result").wait_for(state="visible")
    assert page.console_errors == []


def test_mnist_digit_loads_when_the_data_is_there(page, live_server, mnist_dir) -> None:
    open_page(page, live_server)
    with page.expect_response("**/api/samples**") as sampled:
        page.get_by_test_id("mnist").click()
    sample = sampled.value.json()["samples"][0]
    wait_for_prediction(page, str(sample["label"]))
    assert f"labelled {sample['label']}" in page.locator("#status").text_content()
    assert page.console_errors == []


def test_missing_mnist_is_said_plainly(page, live_server) -> None:
    open_page(page, live_server)
    detail = {"detail": "the MNIST test set is not available: set CONVLENS_DATA"}
    page.route("**/api/samples**", lambda route: route.fulfill(status=503, json=detail))
    page.get_by_test_id("mnist").click()
    status = page.locator("#status")
    status.filter(has_text="not available").wait_for()
    assert "error" not in (status.get_attribute("class") or "")
    # The browser itself logs the 503 response; nothing else may complain.
    assert [e for e in page.console_errors if "503" not in e] == []


def test_upload_an_image_file(page, live_server, tmp_path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("L", (200, 200), 255)
    draw = ImageDraw.Draw(image)
    for stroke in example_strokes()["7"]:
        draw.line([(x * 200, y * 200) for x, y in stroke], fill=0, width=16, joint="curve")
    path = tmp_path / "seven.png"
    image.save(path)
    open_page(page, live_server)
    page.get_by_test_id("upload").set_input_files(str(path))
    wait_for_prediction(page, "7")
    assert page.console_errors == []
