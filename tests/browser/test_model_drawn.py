"""The Model page's drawn-digit and calibration sections, from the bundled model's record."""

from __future__ import annotations

from pathlib import Path

from engine.serialize import load_model

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
INK = "c => new Set(Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)).size"


def test_drawn_set_and_calibration_plot_are_shown(page, live_server):
    _, meta = load_model()
    page.goto(live_server + "/model")
    panel = page.get_by_test_id("drawn-panel")
    panel.wait_for(state="visible")
    rows = page.get_by_test_id("drawn-per-digit").locator("tbody tr")
    assert rows.count() == 10
    first = rows.nth(1).locator("td").all_inner_texts()  # digit 1: MNIST beside drawn
    mnist_1 = meta["per_class_accuracy"][1]
    assert first[0] == "1" and first[1] == f"{100 * mnist_1:.1f}%"
    styles = page.get_by_test_id("drawn-per-style").locator("tbody tr").all_inner_texts()
    assert any(s.startswith("7/crossbar") for s in styles)
    assert any(s.startswith("1/flag") for s in styles)
    summary = page.get_by_test_id("drawn-summary").inner_text()
    assert f"{meta['drawn']['n']} drawn digits" in summary
    page.get_by_test_id("calibration-panel").wait_for(state="visible")
    for name in ("calibration-mnist", "calibration-drawn"):
        assert page.get_by_test_id(name).evaluate(INK) > 4, f"{name} is blank"
    text = page.get_by_test_id("calibration-text").inner_text()
    assert f"Temperature {meta['calibration']['temperature']:.3f}" in text
    ARTIFACTS.mkdir(exist_ok=True)
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "model-drawn-desktop.png"), full_page=True)
    assert page.console_errors == []


def test_drawn_sections_fit_a_phone(phone_page, live_server):
    phone_page.goto(live_server + "/model")
    phone_page.get_by_test_id("calibration-panel").wait_for(state="visible")
    # the page's two-column panels are wider than a phone today (css/model.css, not this
    # section's); what these sections add must at least stay inside their own panels
    for panel, inner in (
        ("drawn-panel", "drawn-per-style"),
        ("calibration-panel", "calibration-drawn"),
    ):
        outer = phone_page.get_by_test_id(panel).bounding_box()
        box = phone_page.get_by_test_id(inner).bounding_box()
        assert box["x"] + box["width"] <= outer["x"] + outer["width"] + 1, inner
    ARTIFACTS.mkdir(exist_ok=True)
    phone_page.get_by_test_id("drawn-panel").screenshot(
        path=str(ARTIFACTS / "model-drawn-phone.png")
    )
    phone_page.get_by_test_id("calibration-panel").screenshot(
        path=str(ARTIFACTS / "model-calibration-phone.png")
    )
    assert phone_page.console_errors == []
