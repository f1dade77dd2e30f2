"""The convolution playground in Chromium: every preset run to the end agrees with the API."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

PRESETS = ["5x5-2x2", "rgb-10", "maxpool", "stride2", "padding1", "stride2-padding1"]
SHAPES = {  # the output maps each preset's text promises
    "5x5-2x2": (1, 4, 4),
    "rgb-10": (10, 3, 3),
    "maxpool": (1, 4, 4),
    "stride2": (1, 3, 3),
    "padding1": (1, 5, 5),
    "stride2-padding1": (1, 3, 3),
}

# Reads the numbers the page shows: input and kernels (C x H x W, F x C x k x k), the output
# and pooled maps (null where a cell is not filled in yet), the flat vector and the settings.
READ_PAGE = """() => {
  const grid = (el) => {
    const rows = [];
    el.querySelectorAll(".cell[data-row]").forEach((c) => {
      const r = Number(c.dataset.row);
      (rows[r] ||= [])[Number(c.dataset.col)] = c.dataset.value === undefined
        ? null : Number(c.dataset.value);
    });
    return rows;
  };
  const q = (sel) => [...document.querySelectorAll(sel)];
  const value = (id) => Number(document.querySelector(`[data-testid=${id}]`).value);
  return {
    input: q("[data-testid=pg-input] .grid").map(grid),
    kernels: q(".kernel-card").map((card) => [...card.querySelectorAll(".grid")].map(grid)),
    output: q("[data-testid^=pg-output-] .grid").map(grid),
    pooled: q("[data-testid^=pg-pool-] .grid").map(grid),
    flat: q("[data-testid=pg-flatten] .cell").map((c) =>
      c.dataset.value === undefined ? null : Number(c.dataset.value)),
    stride: value("pg-stride"),
    padding: value("pg-padding"),
    poolSize: value("pg-pool-size"),
    poolStride: value("pg-pool-stride"),
    formula: document.querySelector("[data-testid=pg-formula]").textContent,
  };
}"""


def open_playground(page, live_server: str) -> None:
    page.goto(f"{live_server}/playground")
    page.wait_for_selector("[data-playground][data-state=ready]")


def click_and_wait(page, testid: str) -> None:
    page.click(f"[data-testid={testid}]")
    page.wait_for_selector("[data-playground][data-state=ready]")


def api(live_server: str, path: str, body: dict, ok: tuple[int, ...] = (200,)) -> dict:
    r = httpx.post(f"{live_server}{path}", json=body, timeout=10)
    assert r.status_code in ok, r.text
    return r.json() | {"status": r.status_code}


def check_against_api(page, live_server: str) -> dict:
    """The shown maps equal /api/convolve and /api/pool of the numbers shown on the page."""
    shown = page.evaluate(READ_PAGE)
    conv = api(
        live_server,
        "/api/convolve",
        {
            "input": shown["input"],
            "kernels": shown["kernels"],
            "stride": shown["stride"],
            "padding": shown["padding"],
        },
    )
    np.testing.assert_allclose(np.array(shown["output"], dtype=float), conv["output"], atol=1e-4)
    assert shown["formula"] == conv["formula"]
    size, stride = shown["poolSize"], shown["poolStride"]
    answers = [  # one map at a time: /api/pool takes at most 8 channels
        api(live_server, "/api/pool", {"input": [m], "size": size, "stride": stride}, (200, 400))
        for m in conv["output"]
    ]
    if answers[0]["status"] == 400:  # the pooling window is larger than the maps
        assert answers[0]["detail"] in page.text_content("[data-testid=pg-pool-error]")
        assert shown["pooled"] == []
        np.testing.assert_allclose(shown["flat"], np.ravel(conv["output"]), atol=1e-4)
        return shown
    pooled = [a["output"][0] for a in answers]
    np.testing.assert_allclose(np.array(shown["pooled"], dtype=float), pooled, atol=1e-4)
    np.testing.assert_allclose(shown["flat"], np.ravel(pooled), atol=1e-4)
    return shown


@pytest.mark.parametrize("name", PRESETS)
def test_preset_run_to_the_end_matches_the_api(page, live_server, name):
    open_playground(page, live_server)
    click_and_wait(page, f"pg-preset-{name}")
    assert page.get_attribute(f"[data-testid=pg-preset-{name}]", "aria-pressed") == "true"
    assert page.text_content("[data-testid=pg-preset-text]")
    before = page.evaluate(READ_PAGE)
    assert all(v is None for v in np.ravel(np.array(before["output"], dtype=object)))
    page.click("[data-testid=pg-end]")
    shown = check_against_api(page, live_server)
    assert np.array(shown["output"]).shape == SHAPES[name]
    assert page.is_disabled("[data-testid=pg-step]")
    assert page.console_errors == []


def test_rgb_preset_says_three_by_three_not_four_by_four(page, live_server):
    open_playground(page, live_server)
    click_and_wait(page, "pg-preset-rgb-10")
    text = page.text_content("[data-testid=pg-preset-text]")
    assert "3×3, not 4×4" in text
    assert page.locator("[data-testid=pg-input] .grid").count() == 3
    assert page.locator("[data-testid^=pg-output-]").count() == 10
    assert page.text_content("[data-testid=pg-formula]").endswith("= 3")


def test_step_back_and_play_move_the_window_and_fill_cells(page, live_server):
    open_playground(page, live_server)
    click_and_wait(page, "pg-preset-padding1")
    for _ in range(3):
        page.click("[data-testid=pg-step]")
    assert page.text_content("[data-testid=pg-status]").startswith("Step 3 of")
    filled = page.locator("[data-testid=pg-output-0] .cell[data-value]")
    assert filled.count() == 3
    current = page.locator("[data-testid=pg-output-0] .cell.current")
    assert current.get_attribute("data-row") == "0" and current.get_attribute("data-col") == "2"
    window = page.locator("[data-testid=pg-input] .window").first
    assert window.is_visible()
    sum_line = page.text_content("[data-testid=pg-sum]")
    assert f"= {current.text_content()} → map 1, row 1, column 3" in sum_line
    assert page.locator("[data-testid=pg-input] .cell.pad").count() == 7 * 7 - 5 * 5
    page.click("[data-testid=pg-back]")
    assert filled.count() == 2
    page.fill("[data-testid=pg-speed]", "20")
    page.click("[data-testid=pg-play]")
    assert page.get_attribute("[data-testid=pg-play]", "aria-pressed") == "true"
    page.wait_for_selector("[data-testid=pg-step]:disabled", timeout=10_000)
    assert page.get_attribute("[data-testid=pg-play]", "aria-pressed") == "false"
    check_against_api(page, live_server)
    assert page.console_errors == []


def test_editing_a_cell_and_a_kernel_pattern_recompute(page, live_server):
    open_playground(page, live_server)
    click_and_wait(page, "pg-preset-5x5-2x2")
    page.click("[data-testid=pg-input] .cell[data-row='1'][data-col='2']")
    page.fill(".cell-editor", "-7.5")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-playground][data-state=ready]")
    cell = "[data-testid=pg-input] .cell[data-row='1'][data-col='2']"
    assert page.get_attribute(cell, "data-value") == "-7.5"
    page.click("[data-testid=pg-pattern-edge]")
    page.wait_for_selector("[data-playground][data-state=ready]")
    shown = page.evaluate(READ_PAGE)
    assert shown["kernels"] == [[[[1, 0], [0, -1]]]]
    page.click("[data-testid=pg-end]")
    check_against_api(page, live_server)
    assert page.console_errors == []


def test_settings_change_the_shapes(page, live_server):
    open_playground(page, live_server)
    page.select_option("[data-testid=pg-channels]", "3")
    page.wait_for_selector("[data-playground][data-state=ready]")
    page.select_option("[data-testid=pg-kernels]", "4")
    page.wait_for_selector("[data-playground][data-state=ready]")
    page.select_option("[data-testid=pg-size]", "12")
    page.wait_for_selector("[data-playground][data-state=ready]")
    page.select_option("[data-testid=pg-stride]", "3")
    page.wait_for_selector("[data-playground][data-state=ready]")
    page.select_option("[data-testid=pg-padding]", "2")
    page.wait_for_selector("[data-playground][data-state=ready]")
    page.click("[data-testid=pg-end]")
    shown = check_against_api(page, live_server)
    assert np.array(shown["input"]).shape == (3, 12, 12)
    assert np.array(shown["kernels"]).shape == (4, 3, 3, 3)
    assert np.array(shown["output"]).shape == (4, 5, 5)  # floor((12 - 3 + 4) / 3) + 1
    assert page.console_errors == []


def test_impossible_settings_explain_instead_of_breaking(page, live_server):
    open_playground(page, live_server)
    page.select_option("[data-testid=pg-size]", "3")
    page.wait_for_selector("[data-playground][data-state=ready]")
    page.select_option("[data-testid=pg-kernel-size]", "5")
    page.wait_for_selector("[data-playground][data-state=error]")
    problem = page.text_content("[data-testid=pg-error]")
    assert "kernel is larger than the padded input" in problem
    assert "does not fit" in problem  # the API's own message, numbers and all
    assert "no output" in page.text_content("[data-testid=pg-formula]")
    assert page.locator("[data-testid^=pg-output-]").count() == 0
    page.select_option("[data-testid=pg-padding]", "1")  # 3 + 2*1 = 5: fits once
    page.wait_for_selector("[data-playground][data-state=ready]")
    assert page.is_hidden("[data-testid=pg-error]")
    page.click("[data-testid=pg-end]")
    check_against_api(page, live_server)  # a 1 x 1 map: pooling 2 x 2 is impossible too
    assert "pooling window is larger than the map" in page.text_content(
        "[data-testid=pg-pool-error]"
    )
    # the browser logs each refused request; nothing else may go wrong
    assert all("status of 400" in e for e in page.console_errors), page.console_errors


def test_phone_layout_fits(phone_page, live_server):
    page = phone_page
    open_playground(page, live_server)
    click_and_wait(page, "pg-preset-padding1")
    for _ in range(7):
        page.click("[data-testid=pg-step]")
    width = page.evaluate("document.documentElement.scrollWidth")
    for testid, value in [("pg-channels", "3"), ("pg-size", "12"), ("pg-padding", "2")]:
        page.select_option(f"[data-testid={testid}]", value)
        page.wait_for_selector("[data-playground][data-state=ready]")
    widest = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert widest <= 390  # 16-cell padded slices and three-slice kernels still fit
    assert page.console_errors == []


POOL_INPUT = """() => [...document.querySelectorAll("[data-testid=pg-stage-pool] .pool-pair > figure:first-child .cell[data-row]")]
  .map((c) => c.dataset.value === undefined ? null : Number(c.dataset.value))"""


def test_pooling_input_stays_empty_until_the_convolution_computed_it(page, live_server):
    open_playground(page, live_server)
    click_and_wait(page, "pg-preset-maxpool")
    cells = page.evaluate(POOL_INPUT)
    assert cells and all(v is None for v in cells), "pooling input shown before the convolution"
    page.click("[data-testid=pg-step]")
    page.click("[data-testid=pg-step]")
    cells = page.evaluate(POOL_INPUT)
    assert sum(v is not None for v in cells) == 2
    page.click("[data-testid=pg-end]")
    assert all(v is not None for v in page.evaluate(POOL_INPUT))
    page.click("[data-testid=pg-back]")
    assert all(v is not None for v in page.evaluate(POOL_INPUT))  # one pooling step back only
    assert page.console_errors == []


def test_an_impossible_setting_leaves_no_preset_or_kernel_selected(page, live_server):
    open_playground(page, live_server)
    click_and_wait(page, "pg-preset-5x5-2x2")
    page.click("[data-testid=pg-pattern-edge]")
    page.wait_for_selector("[data-playground][data-state=ready]")
    page.select_option("[data-testid=pg-pattern-target]", "0")
    page.select_option("[data-testid=pg-padding]", "0")
    page.select_option("[data-testid=pg-size]", "3")
    page.select_option("[data-testid=pg-kernel-size]", "5")
    page.wait_for_selector("[data-playground][data-state=error]")
    pressed = page.locator("[data-preset][aria-pressed=true]")
    assert pressed.count() == 0
    assert page.text_content("[data-testid=pg-preset-text]") == ""
    assert page.text_content("[data-testid=pg-pattern-text]") == ""
    assert page.locator("[data-testid=pg-pattern-target] option").count() == 1
