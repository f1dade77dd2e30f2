"""GET /: the network explorer page, its test hooks, its assets and its security headers."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

TESTIDS = [
    "draw-canvas",
    "clear",
    "undo",
    "prediction",
    "probabilities",
    "input-28",
    "explain-panel",
    "saliency-toggle",
    "saliency-gradient",
    "saliency-gradcam",
    "saliency-off",
    "saliency-map",
    "top-patches",
    "overview",
]


def test_index_is_html_with_every_hook(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for testid in TESTIDS:
        assert f'data-testid="{testid}"' in response.text, testid


def test_every_page_links_the_others(client: TestClient) -> None:
    for path, current in [("/", "/"), ("/playground", "/playground"), ("/model", "/model")]:
        html = client.get(path).text
        for href in ["/", "/playground", "/model", "/docs"]:
            assert f'<a href="{href}"' in html, (path, href)
        assert f'<a href="{current}" aria-current="page"' in html, path


def test_tour_is_the_network_page_in_tour_mode(client: TestClient) -> None:
    response = client.get("/tour", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/?tour=1"
    assert 'data-testid="overview"' in client.get("/tour").text


def test_index_sends_a_strict_csp(client: TestClient) -> None:
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_index_has_no_inline_script_or_style(client: TestClient) -> None:
    html = client.get("/").text
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in tag, tag
    assert "http://" not in html and "https://" not in html  # every asset is local


def test_index_assets_are_served(client: TestClient) -> None:
    html = client.get("/").text
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert "/static/js/explorer/main.js" in assets and "/static/css/explorer.css" in assets
    for path in [*assets, "/static/data/example-strokes.json"]:
        assert client.get(path).status_code == 200, path


def test_example_strokes_cover_every_digit(client: TestClient) -> None:
    strokes = client.get("/static/data/example-strokes.json").json()
    assert sorted(strokes) == [str(d) for d in range(10)]
    for digit, lines in strokes.items():
        assert lines and all(len(line) >= 3 for line in lines), digit
        assert all(0 <= x <= 1 and 0 <= y <= 1 for line in lines for x, y in line), digit
