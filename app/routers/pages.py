"""HTML pages: the network explorer (/), the playground (/playground) and the model (/model)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    """Draw a digit and watch every layer."""
    return TEMPLATES.TemplateResponse(request, "index.html", {"page": "index"})


@router.get("/tour")
def tour() -> RedirectResponse:
    """The guided tour: the Network page in tour mode."""
    return RedirectResponse("/?tour=1")


@router.get("/playground", response_class=HTMLResponse)
def playground(request: Request) -> HTMLResponse:
    """Kernel size, stride, padding and pooling, step by step."""
    return TEMPLATES.TemplateResponse(request, "playground.html", {"page": "playground"})


@router.get("/model", response_class=HTMLResponse)
def model_page(request: Request) -> HTMLResponse:
    """Test accuracy, confusion matrix with its digits, training curves, parameter counts."""
    return TEMPLATES.TemplateResponse(request, "model.html", {"page": "model"})
