"""Fixtures for the HTTP tests: a TestClient on the real app, the model, error checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from engine.model import Sequential
from engine.serialize import load_model


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    """The app as built by create_app() with the environment's settings."""
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture(scope="session")
def mnist_client(mnist_dir) -> Iterator[TestClient]:
    """The app reading MNIST from the test data folder (no download)."""
    with TestClient(create_app(Settings(data=mnist_dir, download=False))) as c:
        yield c


@pytest.fixture(scope="session")
def model() -> Sequential:
    """The bundled model, loaded by the engine directly (the reference for the API's numbers)."""
    return load_model()[0]


@pytest.fixture
def expect_error(client: TestClient) -> Callable[..., dict]:
    """check(response, status, *words): status, a JSON `detail` holding every word, app alive."""

    def check(response: httpx.Response, status: int, *words: str) -> dict:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        detail = body["detail"]
        text = detail if isinstance(detail, str) else " ".join(str(e) for e in detail)
        for word in words:
            assert word.lower() in text.lower(), (word, text)
        assert client.get("/api/health").status_code == 200
        return body

    return check
