"""Drawing with live prediction never blocks the page's main thread for more than 50 ms."""

from __future__ import annotations

import httpx
import numpy as np

from engine.encode import decode_layers
from tests.app.payloads import stroke_image
from tests.browser.index_helpers import (
    draw_strokes,
    example_strokes,
    open_page,
    wait_for_prediction,
)

OBSERVE = """() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push(Math.round(e.duration));
  }).observe({ type: "longtask" });
}"""


def test_no_long_task_while_drawing_with_live_prediction(page, live_server) -> None:
    open_page(page, live_server)
    page.wait_for_timeout(300)  # the page's start-up work is not what is measured
    page.evaluate(OBSERVE)
    for digit in ("2", "8"):
        page.get_by_test_id("clear").click()
        draw_strokes(page, example_strokes()[digit], steps=3)
        wait_for_prediction(page, digit)
    page.wait_for_function("() => !document.body.classList.contains('busy')")
    page.wait_for_timeout(300)
    tasks = page.evaluate("() => window.__longTasks")
    assert all(t <= 50 for t in tasks), f"main-thread tasks over 50 ms while drawing: {tasks}"
    assert page.console_errors == []


def test_activations_arrive_compact_and_decode_to_the_maps(page, live_server) -> None:
    """The page asks for the f16 encoding (through its worker) and shows the decoded values."""
    requests = []
    page.on(
        "request", lambda r: r.url.endswith("/api/predict") and requests.append(r.post_data_json)
    )
    open_page(page, live_server)
    draw_strokes(page, example_strokes()["3"])
    wait_for_prediction(page, "3")
    assert requests and all(body["encoding"] == "f16" for body in requests)
    conv1 = page.get_by_test_id("map-conv1-0")
    conv1.hover()
    tip = page.locator(".value-tip").text_content()
    assert tip.startswith("conv1 map 0 [") and "=" in tip
    value = float(tip.split("=")[1])
    assert -100 < value < 100


def test_the_page_decoder_gives_the_engine_decoding(page, live_server) -> None:
    """shared/float16.js decodes every layer to exactly engine.encode.decode_layers's values,
    ReLU layers sent as references included."""
    page.goto(live_server + "/")
    body = {"pixels": stroke_image().tolist(), "layers": "all", "encoding": "f16"}
    answer = httpx.post(f"{live_server}/api/predict", json=body, timeout=30).json()
    decoded = page.evaluate(
        """async (layers) => {
            const { decodeLayers, nestViews } = await import('/static/js/shared/float16.js');
            decodeLayers(layers);
            return layers.map((l) => {
                const flat = l.activations;
                const nested = nestViews(flat, l.shape);
                const first = l.shape.length === 3 ? nested[0][0][0] : nested[0];
                return { values: Array.from(flat), first };
            });
        }""",
        answer["layers"],
    )
    assert any("relu_of" in layer["activations"] for layer in answer["layers"])
    engine_decoded = decode_layers(answer["layers"])
    for layer, got in zip(answer["layers"], decoded, strict=True):
        want = engine_decoded[layer["name"]]
        np.testing.assert_array_equal(np.array(got["values"], dtype=np.float32), want.ravel())
        assert got["first"] == float(want.ravel()[0])
