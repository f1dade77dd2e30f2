"""Fixtures and helpers for the HTTP tests: a TestClient on the real app, the model, images."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterator

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.main import create_app
from engine.model import Sequential
from engine.serialize import load_model


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    """The app as built by create_app() with the environment's settings."""
    with TestClient(create_app()) as c:
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


def png_bytes(image: np.ndarray) -> bytes:
    """(H, W) uint8 or (H, W, C) uint8 -> PNG file bytes."""
    buf = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def png_data_url(image: np.ndarray) -> str:
    """(H, W) uint8 -> 'data:image/png;base64,...'."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")


def as_drawing(digit: np.ndarray, scale: int = 10) -> np.ndarray:
    """(28, 28) MNIST uint8 (light on dark) -> (28*scale, 28*scale) dark ink on white."""
    big = np.kron(digit, np.ones((scale, scale), dtype=np.uint8))
    return 255 - big


def stroke_image(size: int = 28) -> np.ndarray:
    """(size, size) uint8: a vertical bar, light on dark, like a handwritten 1."""
    img = np.zeros((size, size), dtype=np.uint8)
    lo, hi = size // 5, size - size // 5
    img[lo:hi, size // 2 - max(1, size // 14) : size // 2 + max(1, size // 14)] = 255
    return img


def f32(value) -> np.ndarray:
    """JSON numbers -> float32 array (float32 survives the JSON roundtrip exactly)."""
    return np.asarray(value, dtype=np.float32)
