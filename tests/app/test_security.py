"""Security headers, static-file path traversal, and CORS."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

HEADERS = {
    "content-security-policy": "default-src 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
ORIGIN = "http://localhost:5173"


def assert_security_headers(response) -> None:
    for name, value in HEADERS.items():
        assert value in response.headers.get(name, ""), name
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "script-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    "path", ["/api/health", "/api/model", "/docs", "/openapi.json", "/static/css/base.css"]
)
def test_security_headers_on_pages_and_api(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert_security_headers(r)


def test_security_headers_on_the_index_page(client):
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert_security_headers(r)


@pytest.mark.parametrize(
    "path", ["/nope", "/api/nope", "/static/nope.js", "/static/vendor/swagger-ui/x.js"]
)
def test_security_headers_on_404s(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert_security_headers(r)


def test_security_headers_on_errors(client):
    json = {"content-type": "application/json"}
    responses = [
        client.post("/api/predict", json={}),  # 422
        client.post("/api/predict", json={"image": "%%"}),  # 400
        client.post("/api/predict", content=b"x", headers={"content-type": "text/plain"}),  # 415
        client.post("/api/predict", content=b" " * (5 * 1024 * 1024), headers=json),  # 413
        client.get("/api/model/layers/zz/kernels"),  # 404
    ]
    assert [r.status_code for r in responses] == [422, 400, 415, 413, 404]
    for r in responses:
        assert_security_headers(r)


def test_json_is_never_sniffed_as_html(client):
    r = client.post("/api/predict", json={"image": "<script>alert(1)</script>"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app/main.py",
        "/static/%2e%2e/main.py",
        "/static/..%2fmain.py",
        "/static/%2e%2e%2fconfig.py",
        "/static/%2e%2e/%2e%2e/app/main.py",
        "/static/..%2f..%2fapp%2fmain.py",
        "/static/vendor/swagger-ui/%2e%2e/%2e%2e/%2e%2e/main.py",
        "/static/%2fetc%2fpasswd",
    ],
)
def test_static_path_traversal_returns_no_source(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "def create_app" not in r.text and "BaseSettings" not in r.text
    assert "import" not in r.text and "root:" not in r.text


def asgi_get(app, raw_path: str) -> tuple[int, bytes]:
    """GET with the path exactly as given (no client-side normalisation of '..')."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.mark.parametrize(
    "path", ["/static/../main.py", "/static/../../app/config.py", "/static/js/../../main.py"]
)
def test_raw_dot_dot_paths_return_no_source(path):
    status, body = asgi_get(create_app(), path)
    assert status == 404
    assert b"create_app" not in body and b"BaseSettings" not in body


def test_no_cors_by_default(client):
    r = client.get("/api/health", headers={"Origin": ORIGIN})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers
    pre = client.options(
        "/api/predict",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in pre.headers


def test_cors_for_configured_origins():
    with TestClient(create_app(Settings(cors_origins=[ORIGIN]))) as c:
        r = c.get("/api/health", headers={"Origin": ORIGIN})
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == ORIGIN
        pre = c.options(
            "/api/predict",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == ORIGIN
        assert "POST" in pre.headers["access-control-allow-methods"]
        other = c.get("/api/health", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        assert_security_headers(r)


def test_cors_origins_from_the_environment(monkeypatch):
    monkeypatch.setenv("CONVLENS_CORS_ORIGINS", f'["{ORIGIN}"]')
    assert Settings().cors_origins == [ORIGIN]


def test_an_unexpected_failure_is_a_json_500_with_the_security_headers() -> None:
    """Even the answer to a bug keeps the CSP and friends (Starlette sends it outside middleware)."""
    app = create_app()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("bug")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500
    assert r.json() == {
        "detail": "internal error: the server failed on this request; it has been logged"
    }
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


# ---------------------------------------------------------------- Host header and redirects


@pytest.mark.parametrize("path", ["/static", "/api/health/", "/playground/", "/"])
def test_no_answer_builds_a_url_from_an_untrusted_host(client, path):
    r = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
    assert r.status_code == 400
    assert "evil.example" not in r.text and "location" not in r.headers


@pytest.mark.parametrize("path", ["/static", "/api/health/", "/playground/"])
def test_no_trailing_slash_redirects(client, path):
    """Redirects would be absolute URLs built from the Host header: there are none."""
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 404 and "location" not in r.headers


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1", "[::1]:8000", "testserver"])
def test_the_default_trusted_hosts(host):
    with TestClient(create_app(Settings())) as c:
        assert c.get("/api/health", headers={"Host": host}).status_code == 200


def test_trusted_hosts_from_the_environment(monkeypatch):
    monkeypatch.setenv("CONVLENS_ALLOWED_HOSTS", '["convlens.example.org", "*.example.net"]')
    with TestClient(create_app(Settings()), base_url="http://convlens.example.org") as c:
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/health", headers={"Host": "a.example.net"}).status_code == 200
        assert c.get("/api/health", headers={"Host": "localhost"}).status_code == 400


# ---------------------------------------------------------------- HEAD and caching


@pytest.mark.parametrize("path", ["/", "/api/health", "/api/model", "/static/favicon.svg"])
def test_head_answers_like_get_without_a_body(client, path):
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"]
    assert_security_headers(head)


def test_head_on_a_post_route_is_405(client):
    assert client.head("/api/predict").status_code == 405


@pytest.mark.parametrize("path", ["/static/favicon.svg", "/static/js/shared/api.js"])
def test_static_files_are_revalidated_with_their_etag(client, path):
    r = client.get(path)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"
    again = client.get(path, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"
