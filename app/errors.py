"""Errors a client can cause, each with its HTTP status and a message saying what to change."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from app.middleware import SECURITY_HEADERS
from app.schemas.common import ErrorResponse


class ApiError(Exception):
    """An error answered as {"detail": message} with `status`."""

    status = 400

    def __init__(
        self, message: str, status: int | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        self.extra: dict = {}  # more fields of the JSON body, beside `detail`


class StillComputing(ApiError):
    """202: the answer is being computed in the background; ask again after Retry-After."""

    status = 202


class BadInput(ApiError):
    """400: the request is well-formed but its content cannot be used."""

    status = 400


class NotFound(ApiError):
    """404: no such layer, kernel or resource."""

    status = 404


class TooLarge(ApiError):
    """413: a body, image or computation over a configured limit."""

    status = 413


class UnsupportedType(ApiError):
    """415: a content type the endpoint does not read."""

    status = 415


class Unavailable(ApiError):
    """503: something the server needs (like the MNIST data) is not there (yet)."""

    status = 503


def error_body(message: str) -> dict:
    """The JSON every non-validation error uses."""
    return {"detail": message}


def validation_errors(exc: RequestValidationError) -> list[dict]:
    """FastAPI's error list without the echoed input (it may hold NaN, or megabytes)."""
    return [
        {"type": e.get("type"), "loc": list(e.get("loc", ())), "msg": str(e.get("msg"))}
        for e in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    """Map ApiError to its status and JSON message; keep 422s JSON-safe."""

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Starlette answers this outside every middleware, so the headers are set here too.
        headers = {k.decode(): v.decode() for k, v in SECURITY_HEADERS}
        return JSONResponse(
            error_body("internal error: the server failed on this request; it has been logged"),
            status_code=500,
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_errors(exc)}, status_code=422)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        if exc.status_code == 405:  # Starlette lists one route's methods; a path may have more
            exc.headers = {**(exc.headers or {}), "Allow": allowed_methods(request)}
        return await http_exception_handler(request, exc)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            {**error_body(exc.message), **exc.extra}, status_code=exc.status, headers=exc.headers
        )


def allowed_methods(request: Request) -> str:
    """Every method some route answers at the request's path, for a 405's Allow header."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        route_methods = getattr(route, "methods", None)
        if route_methods and route.matches(request.scope)[0] != Match.NONE:
            methods |= route_methods
    return ", ".join(sorted(methods))


def error_responses(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI `responses` entries for the given error statuses."""
    text = {
        202: "Still being computed in the background: ask again after `Retry-After` seconds.",
        400: "The input cannot be used (undecodable or empty image, impossible geometry).",
        404: "Unknown layer or resource.",
        413: "Body, image or computation over the configured limits.",
        409: "The run's status does not allow this (e.g. deleting a run that trains).",
        415: "Unsupported content type.",
        429: "Too many runs wait for a training slot: ask again after `Retry-After` seconds.",
        503: "The MNIST data is not available on this server, or is still being downloaded "
        "(then with `Retry-After`: ask again after that many seconds).",
    }
    retry = {
        "Retry-After": {
            "description": "Seconds to wait before asking again.",
            "schema": {"type": "integer"},
        }
    }
    return {
        s: {"model": ErrorResponse, "description": text[s]}
        | ({"headers": retry} if s in (202, 429, 503) else {})
        for s in statuses
    }
