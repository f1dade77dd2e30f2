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
