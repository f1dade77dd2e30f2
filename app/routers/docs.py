"""/docs: Swagger UI served from the copy vendored under static/vendor, so it works offline."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ConvLens API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
<link rel="stylesheet" href="/static/css/docs.css"></head>
<body><nav class="docs-nav" data-testid="docs-nav" aria-label="ConvLens">
<a href="/" data-testid="docs-back">&larr; Back to ConvLens</a>
<a href="/playground">Playground</a><a href="/model">Model</a></nav>
<div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/docs/main.js"></script>
</body></html>"""


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    """Interactive API documentation."""
    return HTMLResponse(DOCS_HTML)
