"""The explorer's headline: no digit for a dash, never 100 % for a clear digit."""

from __future__ import annotations

from pathlib import Path

from tests.browser.index_helpers import (
    draw_strokes,
    example_strokes,
    open_page,
    wait_for_prediction,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_a_dash_is_no_digit_and_a_clear_digit_is_never_100_percent(page, live_server):
    open_page(page, live_server)
    draw_strokes(page, [[[0.2, 0.5], [0.5, 0.51], [0.8, 0.52]]])
    page.wait_for_function(
        "() => document.getElementById('confidence').textContent.includes('single digit')"
    )
    assert page.get_by_test_id("prediction").text_content().strip() == "?"
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".result-panel").screenshot(path=str(ARTIFACTS / "verdict-no-digit.png"))
    page.get_by_test_id("clear").click()
    draw_strokes(page, example_strokes()["7"])
    wait_for_prediction(page, "7")
    text = page.locator("#confidence").inner_text()
    assert "100.0%" not in text and "100%" not in text
    values = page.locator("[data-testid=probabilities] .prob-value").all_inner_texts()
    assert not any(v.startswith("100") for v in values)
    overview = page.locator("[data-testid^=ov-softmax-]").all_inner_texts()
    assert len(overview) == 10 and not any("100" in v for v in overview)
    assert page.console_errors == []
