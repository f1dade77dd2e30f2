"""The robustness lab on the explorer: dragging a slider changes the reading and the sweep chart."""

from __future__ import annotations

from pathlib import Path

from tests.browser.index_helpers import (
    draw_strokes,
    example_strokes,
    open_page,
    wait_for_prediction,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHART_PIXELS = "c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)"


def drag_to(page, testid: str, fraction: float) -> None:
    """Drag a range input's thumb from its current place to `fraction` of its track."""
    box = page.get_by_test_id(testid).bounding_box()
    y = box["y"] + box["height"] / 2
    start = page.get_by_test_id(testid).evaluate("r => (r.value - r.min) / (r.max - r.min)")
    page.mouse.move(box["x"] + start * box["width"], y)
    page.mouse.down()
    page.mouse.move(box["x"] + fraction * box["width"], y, steps=12)
    page.mouse.up()


def wait_for_sweep_lines(page) -> None:
    page.wait_for_function("() => document.querySelectorAll('.lab-legend .lab-key').length > 0")


def test_dragging_the_rotation_slider_changes_the_reading_and_the_chart(page, live_server):
    open_page(page, live_server)
    draw_strokes(page, example_strokes()["7"])
    wait_for_prediction(page, "7")
    lab = page.get_by_test_id("robustness-lab")
    lab.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=lab-prediction]').textContent.trim() === '7'"
    )
    wait_for_sweep_lines(page)
    chart = page.get_by_test_id("lab-chart")
    before = chart.evaluate(CHART_PIXELS)
    sure_before = page.locator(".lab-sure").inner_text()
    drag_to(page, "lab-rotate", 1.0)  # +60 degrees
    assert page.get_by_test_id("lab-rotate").input_value() == "60"
    page.wait_for_function("() => document.querySelector('.lab-sure').textContent.includes('60°')")
    assert page.locator(".lab-sure").inner_text() != sure_before
    assert chart.evaluate(CHART_PIXELS) != before  # the marker moved to +60
    # a sweep of another change replaces the rotation sweep
    drag_to(page, "lab-thickness", 0.9)
    page.wait_for_function(
        "() => document.querySelector('.lab-chart-title').textContent.startsWith('Thicker')"
    )
    assert page.get_by_test_id("lab-rotate").input_value() == "0"  # one change at a time
    wait_for_sweep_lines(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "robustness-lab-desktop.png"), full_page=True)
    assert page.console_errors == []


def test_the_lab_fits_a_phone(phone_page, live_server):
    open_page(phone_page, live_server)
    draw_strokes(phone_page, example_strokes()["4"])
    wait_for_prediction(phone_page, "4")
    lab = phone_page.get_by_test_id("robustness-lab")
    lab.scroll_into_view_if_needed()
    wait_for_sweep_lines(phone_page)
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    box = phone_page.get_by_test_id("lab-chart").bounding_box()
    assert box["width"] <= 390 and box["width"] > 200
    ARTIFACTS.mkdir(exist_ok=True)
    lab.screenshot(path=str(ARTIFACTS / "robustness-lab-phone.png"))
    assert phone_page.console_errors == []
