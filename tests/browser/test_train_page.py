"""The training page (/train): build, train, watch live, scrub the history, open the run elsewhere."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.server import serve

expect = pytest.importorskip("playwright.sync_api").expect

TRAINING_TIMEOUT = 180_000  # ms: a 1,000-image tiny run takes seconds; the machine may be busy

KERNEL_PIXELS = """
id => document.querySelector(`[data-testid="${id}"] canvas`).toDataURL()
"""


@pytest.fixture(scope="module")
def train_server(tmp_path_factory: pytest.TempPathFactory, mnist_dir: Path) -> Iterator[str]:
    """The app with its runs directory in a fresh temporary folder, one training slot."""
    from app.config import Settings
    from app.main import create_app

    runs = tmp_path_factory.mktemp("runs")
    with serve(create_app(Settings(runs=runs, runs_slots=1))) as url:
        yield url


def open_train_page(page, base: str) -> None:
    page.goto(f"{base}/train")
    page.get_by_test_id("train-preset-tiny").click()
    expect(page.get_by_test_id("train-shape-conv1")).to_contain_text("4 × 24 × 24")
    expect(page.get_by_test_id("train-start")).to_be_enabled()
    expect(page.get_by_test_id("train-shapes")).not_to_have_class(re.compile("stale"))


def test_tiny_net_trains_live_scrubs_and_opens_on_the_network_page(page, train_server):
    open_train_page(page, train_server)
    shapes = page.get_by_test_id("train-shapes")
    expect(shapes).to_contain_text("floor((28 - 5 + 2*0) / 1) + 1 = 24")
    expect(page.get_by_test_id("train-shape-pool1")).to_contain_text("4 × 12 × 12")
    expect(page.get_by_test_id("train-spec-summary")).to_contain_text("5,874 parameters")
    page.get_by_test_id("train-images").fill("1000")
    page.get_by_test_id("train-epochs").select_option("1")
    page.get_by_test_id("train-start").click()

    kernels = page.get_by_test_id("train-kernels")
    expect(kernels.locator("figure.kernel")).to_have_count(4, timeout=TRAINING_TIMEOUT)
    expect(page.get_by_test_id("train-status")).to_contain_text("done", timeout=TRAINING_TIMEOUT)
    last = page.evaluate(KERNEL_PIXELS, "train-kernel-0")
    assert int(page.get_by_test_id("train-loss-chart").get_attribute("data-points")) >= 5
    assert int(page.get_by_test_id("train-probes").get_attribute("data-right")) >= 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "train-done-desktop.png"), full_page=True)

    timeline = page.get_by_test_id("train-timeline")
    count = int(timeline.get_attribute("max")) + 1
    assert count >= 5  # step 0, powers of two, the end
    assert page.get_by_test_id("train-evolution").locator("canvas").count() == 4 * count
    timeline.focus()
    page.keyboard.press("Home")
    expect(kernels).to_have_attribute("data-step", "step 0")
    expect(page.get_by_test_id("train-timeline-label")).to_contain_text(f"checkpoint 1 of {count}")
    assert page.evaluate(KERNEL_PIXELS, "train-kernel-0") != last  # the kernels changed
    page.keyboard.press("End")
    expect(page.get_by_test_id("train-timeline-label")).to_contain_text(f"{count} of {count}")
    assert page.evaluate(KERNEL_PIXELS, "train-kernel-0") == last

    link = page.get_by_test_id("train-open-network")
    href = link.get_attribute("href")
    run_id = href.split("=", 1)[1]
    assert (
        page.get_by_test_id("train-download").get_attribute("href") == f"/api/runs/{run_id}/weights"
    )
    link.click()
    page.wait_for_url(f"**/?model={run_id}")
    expect(page.get_by_test_id("model-picker")).to_have_value(run_id)
    expect(page.get_by_test_id("kernel-conv1-3")).to_be_visible()
    expect(page.get_by_test_id("kernel-conv1-4")).to_have_count(0)  # 4 kernels: the run's own
    bodies = []
    page.on(
        "request", lambda r: bodies.append(r.post_data) if r.url.endswith("/api/predict") else None
    )
    page.get_by_test_id("example").click()
    expect(page.get_by_test_id("prediction")).to_have_text(re.compile(r"^\d$"), timeout=20_000)
    assert bodies and all(json.loads(b)["model"] == run_id for b in bodies)
    assert page.console_errors == []


def test_impossible_network_is_explained_before_anything_is_sent(page, train_server):
    sent = []
    page.on(
        "request",
        lambda r: (
            sent.append(r.url) if r.method == "POST" and r.url.endswith("/api/runs") else None
        ),
    )
    open_train_page(page, train_server)
    page.get_by_test_id("train-add-conv").click()
    page.get_by_test_id("train-add-conv").click()
    for block in ("train-conv-0", "train-conv-1"):
        page.get_by_test_id(block).locator("[name=poolSize]").select_option("4")
    problem = page.get_by_test_id("train-spec-problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("layer")
    expect(problem).to_contain_text("smaller than")
    expect(page.get_by_test_id("train-start")).to_be_disabled()
    expect(page.locator(".block.bad")).to_have_count(1)
    assert "stale" in page.get_by_test_id("train-shapes").get_attribute("class")
    page.get_by_test_id("train-preset-tiny").click()  # back to a possible network: all clear
    expect(problem).to_be_hidden()
    expect(page.get_by_test_id("train-start")).to_be_enabled()
    assert sent == []
    refused = "the server responded with a status of 422"
    assert [e for e in page.console_errors if refused not in e] == []  # the browser logs the 422


def touch_stroke(page, test_id: str, points: list[tuple[float, float]]) -> None:
    """Draw one stroke with a finger (real touch events through the DevTools protocol)."""
    pad = page.get_by_test_id(test_id)
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()  # in viewport coordinates, as touch points are
    at = [{"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"]} for x, y in points]
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [at[0]]})
    for point in at[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_train_page_fits_a_phone_and_draws_by_touch(phone_page, train_server):
    page = phone_page
    open_train_page(page, train_server)
    train_quickly(page, "tiny")
    touch_stroke(page, "train-draw", [(0.5, 0.15 + 0.7 * k / 20) for k in range(21)])  # a "1"
    expect(page.get_by_test_id("train-prediction")).to_have_text(re.compile(r"^\d$"))
    expect(page.get_by_test_id("train-maps").locator("canvas")).to_have_count(4)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "train-phone.png"), full_page=True)
    assert page.console_errors == []


def test_pause_resume_queue_and_stop(page, train_server):
    open_train_page(page, train_server)
    page.get_by_test_id("train-images").fill("20000")
    page.get_by_test_id("train-epochs").select_option("3")
    page.get_by_test_id("train-batch").select_option("16")
    page.get_by_test_id("train-start").click()
    status = page.get_by_test_id("train-status")
    expect(status).to_contain_text("running", timeout=TRAINING_TIMEOUT)
    first = page.locator(".run.open").get_attribute("data-testid")
    page.get_by_test_id("train-pause").click()
    expect(status).to_contain_text("paused", timeout=30_000)
    expect(page.get_by_test_id("train-resume")).to_be_enabled()
    page.get_by_test_id("train-resume").click()
    expect(status).to_contain_text("running", timeout=30_000)

    page.get_by_test_id("train-start").click()  # one training slot: the second run waits
    expect(status).to_contain_text("queued: number 1 in the queue")
    assert page.locator(".run.open").get_attribute("data-testid") != first
    page.get_by_test_id("train-stop").click()
    expect(status).to_contain_text("stopped", timeout=30_000)

    page.get_by_test_id(first).locator("button.link-button").click()  # back to the first run
    expect(status).to_contain_text("running", timeout=30_000)
    page.get_by_test_id("train-stop").click()
    expect(status).to_contain_text("stopped", timeout=30_000)
    expect(page.get_by_test_id("train-stop")).to_be_disabled()
    assert page.console_errors == []


def test_refusals_and_lost_connections_are_said_in_words(page, train_server):
    def busy(route):
        if route.request.method != "POST":
            return route.continue_()
        return route.fulfill(
            status=429, headers={"Retry-After": "7"}, json={"detail": "8 runs wait already"}
        )

    open_train_page(page, train_server)
    page.route("**/api/runs", busy)
    page.get_by_test_id("train-start").click()
    status = page.get_by_test_id("train-status")
    expect(status).to_contain_text("Try again in 7 seconds")
    expect(status).to_have_class(re.compile("error"))
    page.unroute("**/api/runs")

    page.route("**/api/runs/validate", lambda route: route.abort())
    page.get_by_test_id("train-add-dense").click()
    problem = page.get_by_test_id("train-spec-problem")
    expect(problem).to_contain_text("Could not check the network")
    expect(page.get_by_test_id("train-shapes")).to_have_class(re.compile("stale"))
    expect(page.get_by_test_id("train-start")).to_be_disabled()
    page.unroute("**/api/runs/validate")
    page.get_by_test_id("train-add-dense").click()  # the server answers again: all clear
    expect(problem).to_be_hidden()
    expect(page.get_by_test_id("train-shape-fc3")).to_be_visible()


@pytest.fixture(scope="module")
def server_without_mnist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with an empty data folder and downloads off: no MNIST to train on."""
    from app.config import Settings
    from app.main import create_app

    empty = tmp_path_factory.mktemp("no-mnist")
    runs = tmp_path_factory.mktemp("runs-no-mnist")
    with serve(create_app(Settings(runs=runs, data=empty, download=False))) as url:
        yield url


def test_without_mnist_the_page_says_so(page, server_without_mnist):
    open_train_page(page, server_without_mnist)
    page.get_by_test_id("train-start").click()
    status = page.get_by_test_id("train-status")
    expect(status).to_contain_text("Training is not available on this server")
    expect(status).to_have_class(re.compile("error"))
    expect(page.get_by_test_id("train-kernels").locator("canvas")).to_have_count(0)


def train_quickly(page, preset: str) -> str:
    """Train `preset` on 1,000 images for one epoch; wait until done; the run's id."""
    page.get_by_test_id(f"train-preset-{preset}").click()
    page.get_by_test_id("train-images").fill("1000")
    page.get_by_test_id("train-epochs").select_option("1")
    page.get_by_test_id("train-start").click()
    expect(page.get_by_test_id("train-status")).to_contain_text("done", timeout=TRAINING_TIMEOUT)
    return page.locator(".run.open").get_attribute("data-testid").removeprefix("train-run-")


def test_two_finished_runs_side_by_side(page, train_server):
    open_train_page(page, train_server)
    page.get_by_test_id("train-draw-example").click()
    runs = [train_quickly(page, "tiny"), train_quickly(page, "ann")]
    expect(page.get_by_test_id("train-prediction")).to_have_text(re.compile(r"^\d$"))
    for run in runs:
        page.get_by_test_id(f"train-run-{run}").locator(".compare-tick input").check()
    compare = page.get_by_test_id("train-compare")
    for run in runs:
        expect(compare.get_by_test_id(f"train-compare-{run}")).to_be_visible()
    expect(compare).to_contain_text("5,874 parameters")
    expect(compare).to_contain_text("50,890 parameters")  # 784 x 64 + 64 + 64 x 10 + 10
    shifts = compare.get_by_test_id("train-compare-shifts")
    expect(shifts.locator("tr")).to_have_count(3)
    assert shifts.locator("td").count() == 2 * 7
    assert page.console_errors == []
