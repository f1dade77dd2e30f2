"""The network explorer's insight features in a real browser: saliency, top patches, ?sample=."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.config import Settings
from app.main import create_app
from engine.atlas import atlas_path, compute_atlas, save_atlas
from engine.serialize import BUNDLED_WEIGHTS, load_model, model_version
from tests.browser.index_helpers import (
    CANVAS_INK,
    draw_strokes,
    example_strokes,
    open_page,
    wait_for_prediction,
)
from tests.server import serve


@pytest.fixture
def tmp_data_server(tmp_path):
    """(base URL, settings) of an app whose data folder, and so its atlas, is under tmp_path."""
    settings = Settings(data=tmp_path / "mnist", download=False)
    with serve(create_app(settings)) as url:
        yield url, settings


def test_saliency_toggle_draws_the_map_of_each_method(page, live_server) -> None:
    open_page(page, live_server)
    draw_strokes(page, example_strokes()["7"])
    wait_for_prediction(page, "7")
    saliency_map = page.get_by_test_id("saliency-map")
    assert not saliency_map.is_visible()
    for method in ["gradient", "gradcam"]:
        with page.expect_request("**/api/saliency") as sent:
            page.get_by_test_id(f"saliency-{method}").click()
        body = json.loads(sent.value.post_data)
        assert body["method"] == method and body["preprocess"] is True and body["image"]
        assert "class" not in body  # the server explains the predicted class
        page.locator("figcaption", has_text="Where it looks for a 7").wait_for()
        assert saliency_map.is_visible()
        assert saliency_map.evaluate(CANVAS_INK) > 10, f"{method} overlay is blank"
        assert page.get_by_test_id(f"saliency-{method}").get_attribute("aria-pressed") == "true"
    # Drawing more asks again, with the method still on.
    with page.expect_request("**/api/saliency") as sent:
        draw_strokes(page, [[[0.2, 0.9], [0.4, 0.9]]])
    assert json.loads(sent.value.post_data)["method"] == "gradcam"
    page.get_by_test_id("saliency-off").click()
    assert not saliency_map.is_visible()
    assert page.console_errors == []


@pytest.mark.slow
def test_top_patches_of_a_conv_map(page, tmp_data_server, rng) -> None:
    url, settings = tmp_data_server
    version = model_version(BUNDLED_WEIGHTS)
    images = rng.random((40, 28, 28), dtype=np.float32)  # the atlas of any images will do
    save_atlas(compute_atlas(load_model()[0], images), atlas_path(version, settings.data), version)
    open_page(page, url)
    draw_strokes(page, example_strokes()["3"])
    wait_for_prediction(page, "3")
    with page.expect_response("**/api/model/layers/conv1/top-patches/2") as answered:
        page.get_by_test_id("map-conv1-2").click()
    answer = answered.value.json()
    patches = page.get_by_test_id("top-patches")
    patches.locator("canvas.patch").nth(8).wait_for()
    assert "conv1 kernel 2" in patches.locator("h3").text_content()
    captions = patches.locator("figcaption").all_text_contents()
    assert len(captions) == 9
    assert float(captions[0]) == pytest.approx(answer["activations"][0], rel=1e-2)
    assert patches.locator("canvas.patch").first.evaluate(CANVAS_INK) > 1
    # A ReLU map belongs to the conv before it; a pooling map has no filter of its own.
    page.get_by_test_id("map-relu2-5").click()
    patches.locator("h3", has_text="conv2 kernel 5").wait_for()
    patches.locator("canvas.patch").nth(8).wait_for()
    page.get_by_test_id("map-pool1-0").click()
    patches.wait_for(state="hidden")
    assert page.console_errors == []


def test_without_mnist_the_panel_says_so_and_shows_no_command(page, tmp_data_server) -> None:
    url, settings = tmp_data_server
    open_page(page, url)
    draw_strokes(page, example_strokes()["1"])
    wait_for_prediction(page, "1")
    page.get_by_test_id("map-conv1-0").click()
    note = page.get_by_test_id("top-patches")
    note.filter(has_text="MNIST test set is not available").wait_for()
    assert str(settings.data) not in note.text_content()
    assert "missing" in (note.get_attribute("class") or "")


def test_top_patches_appear_with_no_command_run(page, tmp_path, mnist_dir) -> None:
    """The server computes the atlas on first need (202 + Retry-After); the page waits for it."""
    data = tmp_path / "mnist"
    data.mkdir()
    for path in mnist_dir.glob("t10k-*"):
        (data / path.name).symlink_to(path.resolve())
    statuses = []
    page.on("response", lambda r: statuses.append(r.status) if "/top-patches/" in r.url else None)
    with serve(create_app(Settings(data=data, download=False))) as url:
        open_page(page, url)
        draw_strokes(page, example_strokes()["3"])
        wait_for_prediction(page, "3")
        page.get_by_test_id("map-conv1-2").click()
        patches = page.get_by_test_id("top-patches")
        patches.filter(has_text="Computing").wait_for()
        patches.locator("canvas.patch").nth(8).wait_for(timeout=120_000)
    assert statuses[0] == 202 and statuses[-1] == 200
    assert page.console_errors == []


def test_sample_in_the_url_loads_that_test_digit(page, live_server, mnist_dir) -> None:
    with page.expect_response("**/api/samples?offset=7&count=1") as sampled:
        page.goto(live_server + "/?sample=7")
    sample = sampled.value.json()["samples"][0]
    assert sample["index"] == 7
    wait_for_prediction(page, str(sample["label"]))
    assert "MNIST test digit #7" in page.locator("#status").text_content()
    assert page.get_by_test_id("draw-canvas").evaluate(CANVAS_INK) > 2
    assert page.console_errors == []


INK_BOX = """
canvas => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let top = Infinity, left = Infinity, bottom = -1, right = -1;
  for (let y = 0; y < canvas.height; y += 1) {
    for (let x = 0; x < canvas.width; x += 1) {
      if (data[4 * (y * canvas.width + x)] < 128) {
        top = Math.min(top, y); bottom = Math.max(bottom, y);
        left = Math.min(left, x); right = Math.max(right, x);
      }
    }
  }
  return {top, left, bottom, right};
}
"""

ALPHA_IN = """
(canvas, box) => {
  const {top, left, bottom, right} = box;
  const data = canvas.getContext('2d').getImageData(left, top, right - left + 1, bottom - top + 1).data;
  let total = 0;
  for (let i = 3; i < data.length; i += 4) total += data[i];
  return total;
}
"""


def test_gradcam_is_drawn_over_the_drawing_inside_its_ink(page, live_server) -> None:
    open_page(page, live_server)
    overlay = page.get_by_test_id("saliency-on-drawing")
    pad = page.get_by_test_id("draw-canvas")
    assert overlay.bounding_box() == pad.bounding_box()  # stacked exactly on the pad
    draw_strokes(page, [[[0.5, 0.25], [0.55, 0.75]]])  # a slanted 1 in the middle
    wait_for_prediction(page, "1")
    with page.expect_response("**/api/saliency") as answered:
        page.get_by_test_id("saliency-gradcam").click()
    placement = answered.value.json()["placement"]
    page.locator("figcaption", has_text="mapped back onto it").wait_for()
    assert overlay.bounding_box() == pad.bounding_box()  # the longer caption moves nothing
    ink = pad.evaluate(INK_BOX)
    source = placement["source"]  # the canvas's own pixels: the page sends its toDataURL()
    assert (source["top"], source["left"]) == (ink["top"], ink["left"])
    assert source["height"] == ink["bottom"] - ink["top"] + 1
    assert source["width"] == ink["right"] - ink["left"] + 1
    assert overlay.evaluate(ALPHA_IN, ink) > 0, "no saliency over the ink"
    outside = [
        {"top": 0, "left": 0, "bottom": 279, "right": ink["left"] - 6},
        {"top": 0, "left": ink["right"] + 6, "bottom": 279, "right": 279},
        {"top": 0, "left": 0, "bottom": ink["top"] - 6, "right": 279},
        {"top": ink["bottom"] + 6, "left": 0, "bottom": 279, "right": 279},
    ]
    for box in outside:
        assert overlay.evaluate(ALPHA_IN, box) == 0, f"saliency outside the ink at {box}"
    # Drawing works through the overlay; while a new stroke is drawn the old map comes off
    # (the answers are held back meanwhile, so none can repaint it before we look).
    held = []
    page.route("**/api/saliency", lambda route: held.append(route))
    x, y = pad.bounding_box()["x"], pad.bounding_box()["y"]
    with page.expect_request("**/api/saliency"):  # times out if drawing asks for no new map
        page.mouse.move(x + 60, y + 250)
        page.mouse.down()
        page.mouse.move(x + 90, y + 250, steps=3)
        page.mouse.up()
    assert overlay.evaluate(CANVAS_INK) == 1, "the old map stays over a changing drawing"
    page.unroute("**/api/saliency")  # lets the held requests through
    page.wait_for_function(
        "c => c.getContext('2d').getImageData(0, 0, 280, 280).data.some((v, i) => i % 4 === 3 && v)",
        arg=overlay.element_handle(),
    )
    page.get_by_test_id("saliency-off").click()
    assert overlay.evaluate(CANVAS_INK) == 1
    assert page.locator("figcaption", has_text="mapped back").count() == 0
    page.get_by_test_id("saliency-gradcam").click()
    page.locator("figcaption", has_text="mapped back onto it").wait_for()
    page.get_by_test_id("clear").click()
    assert overlay.evaluate(CANVAS_INK) == 1
    assert page.console_errors == []
