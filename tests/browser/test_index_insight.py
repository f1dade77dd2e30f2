"""The network explorer's insight features in a real browser: saliency, top patches, ?sample=."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.config import Settings
from app.main import create_app
from engine.atlas import atlas_path, compute_atlas, model_version, save_atlas
from engine.serialize import BUNDLED_WEIGHTS, load_model
from tests.browser.index_helpers import (
    CANVAS_INK,
    draw_strokes,
    example_strokes,
    open_page,
    wait_for_prediction,
)
from tests.conftest import serve


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


def test_missing_atlas_is_a_note_with_the_command(page, tmp_data_server) -> None:
    url, settings = tmp_data_server
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/top-patches/" in r.url else None)
    open_page(page, url)
    draw_strokes(page, example_strokes()["1"])
    wait_for_prediction(page, "1")
    page.get_by_test_id("map-conv1-0").click()
    note = page.get_by_test_id("top-patches")
    note.filter(has_text="Not computed yet").wait_for()
    assert f"convlens atlas --data {settings.data}" in note.locator("code").text_content()
    assert requests == []  # availability is known from /api/model: no failed request
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
