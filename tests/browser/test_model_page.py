"""The model page (/model) and the saliency overlay module, in headless Chromium."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.serialize import load_model
from tests.browser.conftest import ARTIFACTS

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture(scope="module")
def metadata() -> dict:
    return load_model()[1]


def open_model_page(page, live_server):
    page.goto(f"{live_server}/model")
    expect(page.get_by_test_id("test-accuracy")).to_contain_text("%")


def test_model_page_shows_accuracy_parameters_and_curves(page, live_server, metadata):
    open_model_page(page, live_server)
    want = f"{100 * metadata['test_accuracy']:.2f}%"
    assert page.get_by_test_id("test-accuracy").inner_text() == want
    confusion = np.array(metadata["confusion_matrix"])
    errors = int(confusion.sum() - np.trace(confusion))
    assert page.get_by_test_id("test-errors").inner_text() == f"{errors:,}"
    assert (
        page.get_by_test_id("params-total").inner_text() == f"{load_model()[0].parameter_count():,}"
    )
    assert "200,832" in page.get_by_test_id("params-fc1").inner_text()
    for chart in ("per-class-chart", "loss-chart", "accuracy-chart"):  # something was drawn
        painted = page.evaluate(
            """id => {
                const c = document.querySelector(`[data-testid="${id}"]`);
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let k = 3; k < d.length; k += 4) n += d[k] > 0;
                return n;
            }""",
            chart,
        )
        assert painted > 1000, chart
    assert page.console_errors == []


def test_confusion_cell_shows_its_digits(page, live_server, metadata, mnist_dir):
    open_model_page(page, live_server)
    cell = page.get_by_test_id("confusion-9-4")
    count = metadata["confusion_matrix"][9][4]
    assert cell.inner_text() == str(count) and count > 0
    assert page.get_by_test_id("confusion-3-3").inner_text() == str(
        metadata["confusion_matrix"][3][3]
    )
    cell.click()
    page.wait_for_selector('[data-testid="digits"] figure', timeout=30_000)
    figures = page.locator('[data-testid="digits"] figure')
    assert figures.count() == count
    assert "True 9, read as 4" in page.get_by_test_id("digits-title").inner_text()
    assert f"{count} test digits" in page.get_by_test_id("digits-hint").inner_text()
    link = figures.first.locator("a")
    assert link.inner_text() == "open in explorer"
    href = link.get_attribute("href")
    assert href.startswith("/?sample=") and int(href.split("=")[1]) >= 0
    ink = page.evaluate(  # the digit is drawn: dark pixels on white
        """() => {
            const c = document.querySelector('[data-testid="digits"] canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let dark = 0;
            for (let k = 0; k < d.length; k += 4) dark += d[k] < 100;
            return dark / (d.length / 4);
        }"""
    )
    assert 0.03 < ink < 0.6
    page.get_by_test_id("confusion-0-1").click()  # an empty cell says so
    expect(page.get_by_test_id("digits-hint")).to_contain_text("No test digit")
    assert page.locator('[data-testid="digits"] figure').count() == 0
    assert page.console_errors == []


def test_saliency_overlay_draws_heat_where_the_map_is_high(page, live_server):
    open_model_page(page, live_server)
    stroke = np.zeros((28, 28))
    stroke[5:23, 13:15] = 1.0
    result = page.evaluate(
        """async (pixels) => {
            const { drawSaliencyOverlay } = await import('/static/js/explorer/saliency-overlay.js');
            const res = await fetch('/api/saliency', {
                method: 'POST', headers: {'Content-Type': 'application/json'},
                body: JSON.stringify({pixels, method: 'gradcam'}),
            });
            const body = await res.json();
            const canvas = document.createElement('canvas');
            canvas.width = canvas.height = 280;
            const ctx = canvas.getContext('2d');
            drawSaliencyOverlay(ctx, body.input, body.saliency);
            let hot = [0, 0], cold = [0, 0];
            for (let r = 0; r < 28; r += 1) for (let c = 0; c < 28; c += 1) {
                const [red, green, blue] = ctx.getImageData(c * 10 + 5, r * 10 + 5, 1, 1).data;
                const warmth = red - blue;
                if (body.saliency[r][c] > 0.8) { hot[0] += warmth; hot[1] += 1; }
                if (body.saliency[r][c] === 0 && body.input[r][c] === 0) { cold[0] += warmth; cold[1] += 1; }
            }
            return {status: res.status, hot: hot[0] / hot[1], cold: cold[0] / cold[1], n: [hot[1], cold[1]]};
        }""",
        json.loads(json.dumps(stroke.tolist())),
    )
    assert result["status"] == 200
    assert result["n"][0] > 0 and result["n"][1] > 0
    assert result["hot"] > 100 and abs(result["cold"]) < 5  # white background stays neutral
    assert page.console_errors == []


def test_model_page_fits_a_phone(phone_page, live_server, metadata):
    """At 390 x 844 nothing scrolls sideways and every count of the confusion matrix shows whole."""
    page = phone_page
    open_model_page(page, live_server)
    page.get_by_test_id("confusion-0-0").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"/model is {width} px wide in a 390 px viewport"
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=confusion-matrix] .cell')]
            .filter((c) => c.scrollWidth > c.clientWidth || c.getBoundingClientRect().right > 390)
            .map((c) => c.textContent)"""
    )
    assert clipped == []
    biggest = max(max(row) for row in metadata["confusion_matrix"])
    cell = page.locator("[data-testid=confusion-matrix] .cell", has_text=str(biggest)).first
    assert cell.inner_text() == str(biggest)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "model-390.png"), full_page=True)
