"""Dense and softmax units explained on the Network page: contributions that add up, and
softmax as exp / sum, from POST /api/explain/vector."""

from __future__ import annotations

import pytest

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
    page.get_by_test_id("overview").evaluate("e => e.scrollIntoView({block: 'start'})")


def click_vector_unit(page, name: str, index: int, rows: int) -> None:
    """Click unit `index` of a vector column filled column by column, `rows` cells high."""
    canvas = page.get_by_test_id(f"ov-{name}")
    box = canvas.bounding_box()
    cols = round(box["width"] / (box["height"] / rows))
    x = box["x"] + box["width"] * (index // rows + 0.5) / cols
    y = box["y"] + box["height"] * (index % rows + 0.5) / rows
    page.mouse.click(x, y)


def test_fc1_unit_shows_contributions_that_add_up(page, live_server) -> None:
    draw_two(page, live_server)
    click_vector_unit(page, "fc1", 9, 64)
    panel = page.get_by_test_id("dense-explain")
    panel.wait_for(state="visible")
    page.get_by_test_id("dense-contributions").wait_for()
    assert "fc1 · unit 9" in panel.locator("h2").text_content()
    rows = page.locator("[data-testid=dense-contributions] tr[data-product]")
    assert rows.count() == 12
    products = [float(r.get_attribute("data-product")) for r in rows.all()]
    assert [abs(p) for p in products] == sorted((abs(p) for p in products), reverse=True)
    assert all(r.locator("td").first.text_content().startswith("pool2[") for r in rows.all())
    total = page.get_by_test_id("dense-sum")
    listed, rest, whole = (
        float(total.get_attribute(f"data-{k}")) for k in ("listed", "rest", "sum")
    )
    assert listed == pytest.approx(sum(products))
    assert listed + rest == pytest.approx(whole, abs=1e-6)
    result = page.get_by_test_id("dense-result")
    value = float(result.get_attribute("data-value"))
    assert whole + float(result.get_attribute("data-bias")) == pytest.approx(value, abs=1e-5)
    assert result.text_content().startswith("relu3[9] = ")
    # the top contributions are drawn back onto pool2 in the overview, linked to the unit
    links = page.get_by_test_id("overview-links")
    assert links.locator("rect.window").count() == 12
    assert links.locator("path.ov-link").count() == 12
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dense-explain-1280x800.png"))
    panel.press("Escape")
    assert panel.is_hidden()
    assert links.locator("rect").count() == 0
    assert page.console_errors == []


def test_softmax_is_exp_over_sum(page, live_server) -> None:
    draw_two(page, live_server)
    page.get_by_test_id("ov-softmax-3").click()
    table = page.get_by_test_id("softmax-table")
    table.wait_for()
    assert table.locator("tr").count() == 11
    assert table.locator("tr.chosen td").first.text_content() == "3"
    result = page.get_by_test_id("dense-result")
    assert result.text_content().startswith("P(3) = ")
    shown = page.locator("[data-testid=probabilities] .prob-row").nth(3).locator(".prob-value")
    p = float(result.get_attribute("data-value"))
    assert p < 0.5 and shown.text_content() in (f"{100 * p:.0f}%", f"{100 * p:.1f}%")
    assert "sum of exp(z / T − max)" in page.get_by_test_id("softmax-sum").text_content()
    assert page.console_errors == []


def test_tap_an_fc2_unit_on_a_phone(phone_page, live_server) -> None:
    page = phone_page
    draw_two(page, live_server)
    page.locator("[data-testid=overview] .ov-columns").evaluate(
        "e => e.scrollLeft = 10 * e.clientWidth"
    )
    page.wait_for_function(
        "() => document.querySelector('[data-testid=overview] .ov-where').textContent.includes('fc2')"
    )
    page.get_by_test_id("ov-fc2-2").tap()
    page.get_by_test_id("dense-contributions").wait_for()
    rows = page.locator("[data-testid=dense-contributions] tr[data-product]")
    assert rows.first.locator("td").first.text_content().startswith("relu3[")
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dense-explain-390x844.png"))
    assert page.console_errors == []
