"""/docs: Swagger UI renders offline, under the strict CSP, with every API operation."""

from __future__ import annotations


def test_docs_render_every_operation_without_console_errors(page, live_server) -> None:
    """All assets are local; the operations listed are the app's own /api routes."""
    page.goto(f"{live_server}/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    listed = set(page.locator(".opblock-summary-path").all_inner_texts())
    spec = page.evaluate("fetch('/openapi.json').then((r) => r.json())")
    expected = {path for path in spec["paths"] if path.startswith("/api/")}
    assert {p.replace("\u200b", "") for p in listed} == expected
    assert page.console_errors == []


def test_docs_link_back_to_the_app_and_show_realistic_examples(page, live_server) -> None:
    page.goto(f"{live_server}/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    back = page.get_by_test_id("docs-back")
    assert back.get_attribute("href") == "/"
    page.locator(".opblock-summary-path", has_text="/api/convolve").click()
    example = page.locator(".opblock.is-open .body-param__example, .opblock.is-open pre").first
    example.wait_for()
    text = example.inner_text()
    assert '"bias"' in text and "1000000" not in text
    assert "0.5" in text
    back.click()
    page.wait_for_url(f"{live_server}/")
    assert page.console_errors == []
