"""Every JSON answer of every API operation validates against the route's declared response model.

NumpyJSONResponse bypasses FastAPI's response_model check, so drift between an engine record's
as_dict() and its pydantic schema would otherwise only be caught by fuzzing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from engine.atlas import atlas_path, compute_atlas, save_atlas
from engine.data import load_mnist
from engine.serialize import load_model
from tests.app.payloads import png_bytes, png_data_url, stroke_image

PIXELS = stroke_image().tolist()
GRID = [[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 1.0, 2.0]]]  # (1, 3, 4)

# (method, route path) -> good requests: (url, keyword arguments of TestClient.request)
GOOD: dict[tuple[str, str], list[tuple[str, dict]]] = {
    ("GET", "/api/health"): [("/api/health", {})],
    ("GET", "/api/model"): [("/api/model", {})],
    ("GET", "/api/model/layers/{name}/kernels"): [
        ("/api/model/layers/conv1/kernels", {}),
        ("/api/model/layers/fc2/kernels", {}),
    ],
    ("POST", "/api/predict"): [
        ("/api/predict", {"json": {"pixels": PIXELS}}),
        ("/api/predict", {"json": {"image": png_data_url(255 - stroke_image(56))}}),
        ("/api/predict", {"json": {"pixels": PIXELS, "layers": ["pool2"], "preprocess": False}}),
        ("/api/predict", {"json": {"pixels": PIXELS, "encoding": "f16"}}),
    ],
    ("POST", "/api/predict/upload"): [
        (
            "/api/predict/upload",
            {"files": {"file": ("d.png", png_bytes(255 - stroke_image(56)), "image/png")}},
        ),
    ],
    ("POST", "/api/explain"): [
        (
            "/api/explain",
            {"json": {"pixels": PIXELS, "layer": layer, "channel": 1, "row": 2, "col": 3}},
        )
        for layer in ("conv1", "pool1", "conv2", "pool2")
    ],
    ("POST", "/api/explain/vector"): [
        ("/api/explain/vector", {"json": {"pixels": PIXELS, "layer": layer, "unit": 3}})
        for layer in ("fc1", "fc2", "softmax")
    ],
    ("POST", "/api/convolve"): [
        ("/api/convolve", {"json": {"input": GRID, "kernels": [[[[1, 0], [0, -1]]]]}}),
        (
            "/api/convolve",
            {
                "json": {
                    "input": GRID,
                    "kernels": [[[[1] * 3] * 3]],
                    "stride": [2, 1],
                    "padding": "same",
                    "bias": [0.5],
                }
            },
        ),
    ],
    ("POST", "/api/pool"): [
        ("/api/pool", {"json": {"input": GRID, "size": 2, "mode": "max"}}),
        ("/api/pool", {"json": {"input": GRID, "size": [2, 3], "stride": 1, "mode": "avg"}}),
    ],
    ("POST", "/api/saliency"): [
        ("/api/saliency", {"json": {"pixels": PIXELS, "method": "gradient"}}),
        ("/api/saliency", {"json": {"pixels": PIXELS, "method": "gradcam", "class": 7}}),
    ],
    ("GET", "/api/model/layers/{name}/top-patches/{f}"): [
        ("/api/model/layers/conv1/top-patches/0", {}),
        ("/api/model/layers/conv2/top-patches/15", {}),
    ],
    ("POST", "/api/robustness"): [
        (
            "/api/robustness",
            {"json": {"pixels": PIXELS, "transform": "rotate", "values": [-30, 0, 30]}},
        ),
        ("/api/robustness", {"json": {"pixels": PIXELS, "transform": "erase", "values": [1.0]}}),
    ],
    ("GET", "/api/model/misclassified"): [
        ("/api/model/misclassified?true=4&predicted=9&count=2", {}),
    ],
    ("GET", "/api/samples"): [("/api/samples?count=2", {}), ("/api/samples?digit=3", {})],
    ("GET", "/api/models"): [("/api/models", {})],
}
# The /api/runs routes return plain dicts, which FastAPI itself validates against their response
# models (tests/app/test_runs*.py call every one of them on real runs).
FASTAPI_VALIDATED = "/api/runs"


@pytest.fixture(scope="module")
def full_client(mnist_dir, tmp_path_factory) -> Iterator[TestClient]:
    """An app with the MNIST test set and a (small) filter atlas, both under a temporary folder."""
    data = tmp_path_factory.mktemp("data") / "mnist"
    data.mkdir()
    for path in mnist_dir.glob("t10k-*"):
        (data / path.name).symlink_to(path)
    settings = Settings(data=data, download=False)
    with TestClient(create_app(settings)) as client:
        version = client.get("/api/health").json()["model_version"]
        images = load_mnist("test", data, download=False)[0][:30]
        save_atlas(compute_atlas(load_model()[0], images), atlas_path(version, data), version)
        yield client


def operations(routes: list) -> Iterator[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI keeps those as one route each)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from operations(route.original_router.routes)


def api_routes(client: TestClient) -> dict[tuple[str, str], APIRoute]:
    """(method, path) -> route, for every operation that declares a response model."""
    return {
        (method, route.path): route
        for route in operations(client.app.routes)
        if route.response_model is not None
        for method in route.methods
    }


def test_every_api_operation_has_good_requests_here(full_client):
    routes = [op for op in api_routes(full_client) if not op[1].startswith(FASTAPI_VALIDATED)]
    assert sorted(routes) == sorted(GOOD)


@pytest.mark.parametrize("operation", sorted(GOOD), ids=lambda op: f"{op[0]} {op[1]}")
def test_answers_validate_against_the_declared_response_model(full_client, operation):
    model = api_routes(full_client)[operation].response_model
    for url, kwargs in GOOD[operation]:
        r = full_client.request(operation[0], url, **kwargs)
        assert r.status_code == 200, (url, r.text)
        body = r.json()
        model.model_validate(body)
        # every key answered is a declared field (by alias): nothing undocumented slips in
        declared = {f.alias or name for name, f in model.model_fields.items()}
        assert set(body) <= declared, set(body) - declared
