"""The guided tour (/tour, data-testid=tour): steps forward and back on the live page, each
highlighting a real element; Escape leaves; links into the playground that the playground reads."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

from engine.serialize import load_model
from tests.browser.conftest import ARTIFACTS

TARGETS = [
    "ov-col-input",
    "ov-col-conv1",
    "ov-col-conv1",
    "ov-col-conv2",
    "ov-col-relu1",
    "ov-col-pool1",
    "ov-col-fc1",
    "ov-col-softmax",
]


def start_tour(page, base_url: str) -> None:
    page.goto(base_url + "/tour")
    page.get_by_test_id("tour").wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=prediction]').textContent.trim() !== '?'"
    )


def highlighted(page) -> list[str]:
    return page.eval_on_selector_all(".tour-highlight", "els => els.map(e => e.dataset.testid)")


def test_steps_forward_and_back_highlight_real_elements(page, live_server) -> None:
    start_tour(page, live_server)
    tour = page.get_by_test_id("tour")
    counter = page.get_by_test_id("tour-counter")
    assert counter.text_content() == "Step 1 of 8"
    assert page.get_by_test_id("tour-back").is_disabled()
    text = tour.text_content()
    assert "784 × 128 + 128 = 100,480" in text  # this model's fc1 width, from GET /api/model
    model = load_model()[0]
    convs = [layer for layer in model.layers if layer.kind == "conv2d"]
    conv1 = convs[0].params["W"].size + convs[0].params["b"].size
    in_convs = sum(c.params["W"].size + c.params["b"].size for c in convs)
    assert f"{conv1} numbers in all" in text
    assert f"hold {in_convs:,} of this network's {model.parameter_count():,}" in text
    viewport = page.viewport_size
    for i, target in enumerate(TARGETS):
        assert counter.text_content() == f"Step {i + 1} of 8"
        assert highlighted(page) == [target]
        box = page.get_by_test_id(target).bounding_box()
        assert box["y"] < viewport["height"] and box["y"] + box["height"] > 0, target
        card = tour.bounding_box()
        assert box["x"] < card["x"], target  # beside the card, not under it
        if i < len(TARGETS) - 1:
            page.get_by_test_id("tour-next").click()
    assert page.get_by_test_id("tour-next").text_content() == "Finish"
    page.get_by_test_id("tour-back").click()
    page.get_by_test_id("tour-back").click()
    assert counter.text_content() == "Step 6 of 8"
    assert highlighted(page) == ["ov-col-pool1"]
    page.keyboard.press("ArrowLeft")
    assert counter.text_content() == "Step 5 of 8"
    page.keyboard.press("Escape")
    assert tour.is_hidden()
    assert highlighted(page) == []
    assert page.get_by_test_id("tour-start").evaluate("e => e === document.activeElement")
    assert page.console_errors == []


def test_demos_are_the_apis_real_convolutions(page, live_server) -> None:
    start_tour(page, live_server)
    page.get_by_test_id("tour-next").click()
    demo = page.get_by_test_id("tour-demo")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=tour-demo]').dataset.outputShape === '1,4,4'"
    )
    assert "floor((5 - 2 + 2*0) / 1) + 1 = 4" in page.get_by_test_id("tour-formula").text_content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tour-1280x800.png"))
    page.get_by_test_id("tour-next").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=tour-demo]').dataset.outputShape === '1,3,3'"
    )
    assert "stride 2 × 2 · padding 1 × 1" in page.get_by_test_id("tour-formula").text_content()
    page.get_by_test_id("tour-next").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=tour-demo]').dataset.outputShape === '10,3,3'"
    )
    assert demo.locator(".tour-maps canvas").count() == 10
    assert (
        page.get_by_test_id("tour-playground").get_attribute("href") == "/playground?preset=rgb-10"
    )
    page.get_by_test_id("tour-playground").click()
    page.wait_for_url("**/playground?preset=rgb-10")
    page.wait_for_selector("[data-testid=pg-output-9]")
    assert page.locator("[data-testid=pg-input] .grid").count() == 3
    assert page.get_by_test_id("pg-preset-rgb-10").get_attribute("aria-pressed") == "true"
    assert page.console_errors == []


def test_open_a_unit_in_the_playground_carries_its_patch_and_kernel(page, live_server) -> None:
    start_tour(page, live_server)
    page.get_by_test_id("tour-next").click()
    page.get_by_test_id("tour-unit-link").click()
    page.wait_for_url("**/playground?input=*")
    query = parse_qs(urlparse(page.url).query)
    patch = json.loads(query["input"][0])
    kernels = json.loads(query["kernels"][0])
    assert len(patch) == 1 and len(patch[0]) == 5 and len(kernels[0][0]) == 3
    page.wait_for_selector("[data-testid=pg-output-0] .cell")
    assert page.get_by_test_id("pg-size").input_value() == "5"
    assert page.get_by_test_id("pg-kernel-size").input_value() == "3"
    cell = page.locator("[data-testid=pg-input] .cell[data-row='2'][data-col='2']")
    assert float(cell.get_attribute("data-value")) == patch[0][2][2]
    assert "unit you opened" in page.get_by_test_id("pg-preset-text").text_content()
    assert page.console_errors == []


def test_tour_on_a_phone(phone_page, live_server) -> None:
    page = phone_page
    start_tour(page, live_server)
    for _ in range(3):
        page.get_by_test_id("tour-next").tap()
    assert highlighted(page) == ["ov-col-conv2"]
    width = page.viewport_size["width"]
    box = page.get_by_test_id("ov-col-conv2").bounding_box()
    assert box["x"] >= -1 and box["x"] + box["width"] <= width + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tour-390x844.png"))
    page.get_by_test_id("tour-close").tap()
    assert page.get_by_test_id("tour").is_hidden()
    assert page.console_errors == []
