"""GET /openapi.json and /docs: a valid schema that documents every error, served offline."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

FASTAPI_SCHEMAS = {"HTTPValidationError", "ValidationError"}  # FastAPI's own 422 models

EXPECTED_ERRORS = {
    ("get", "/api/health"): set(),
    ("get", "/api/model"): {"404", "422"},  # model= and checkpoint= may name no model
    ("get", "/api/model/layers/{name}/kernels"): {"404", "422"},
    ("post", "/api/predict"): {"400", "404", "413", "415", "422"},
    ("post", "/api/predict/upload"): {"400", "404", "413", "415", "422"},
    ("post", "/api/explain"): {"400", "404", "413", "415", "422"},
    ("post", "/api/explain/vector"): {"400", "404", "413", "415", "422"},
    ("post", "/api/convolve"): {"400", "413", "415", "422"},
    ("post", "/api/pool"): {"400", "413", "415", "422"},
    ("get", "/api/samples"): {"422", "503"},
    ("get", "/api/models"): set(),
    ("post", "/api/runs"): {"400", "413", "415", "422", "429", "503"},
    ("post", "/api/runs/validate"): {"400", "413", "415", "422"},
    ("get", "/api/runs"): set(),
    ("get", "/api/runs/{run_id}"): {"404", "422"},
    ("post", "/api/runs/{run_id}/pause"): {"404", "409", "422"},
    ("post", "/api/runs/{run_id}/resume"): {"404", "409", "422"},
    ("post", "/api/runs/{run_id}/stop"): {"404", "409", "422"},
    ("delete", "/api/runs/{run_id}"): {"404", "409", "422"},
    ("get", "/api/runs/{run_id}/events"): {"404", "422"},
    ("get", "/api/runs/{run_id}/checkpoints"): {"404", "422"},
    ("get", "/api/runs/{run_id}/weights"): {"404", "422"},
    ("get", "/api/runs/{run_id}/architecture"): {"404", "422"},
}


@pytest.fixture(scope="module")
def spec(client) -> dict:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


def test_schema_is_valid_openapi(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "ConvLens API"


def api_operations(spec) -> list[tuple[str, str, dict]]:
    return [
        (method, path, op)
        for path, item in spec["paths"].items()
        if path.startswith("/api")
        for method, op in item.items()
    ]


def test_every_issue_operation_is_listed(spec):
    ops = {(m, p) for m, p, _ in api_operations(spec)}
    assert set(EXPECTED_ERRORS) <= ops


def test_every_api_operation_documents_its_errors(spec):
    """Any /api operation, including ones added later: summary, description, error models."""
    for method, path, op in api_operations(spec):
        where = f"{method.upper()} {path}"
        assert op.get("summary") and op.get("description"), where
        codes = set(op["responses"])
        if op.get("parameters") or op.get("requestBody"):
            assert "422" in codes, where
        body = op.get("requestBody", {}).get("content", {})
        if body:
            assert "413" in codes, where
        if "application/json" in body:
            assert "415" in codes, where
        for code in codes - {"422"}:
            if code[0] in "45":
                ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorResponse"), (where, code)


def test_pages_and_docs_are_not_in_the_schema(spec):
    assert not [p for p in spec["paths"] if not p.startswith("/api")]


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED_ERRORS))
def test_operation_documents_its_errors(spec, method, path):
    op = spec["paths"][path][method]
    assert op.get("summary") and op.get("description"), "every operation says what it does"
    errors = {code for code in op["responses"] if code[0] in "45"}
    assert errors == EXPECTED_ERRORS[(method, path)]
    for code in errors - {"422"}:
        resp = op["responses"][code]
        assert resp["description"]
        ref = resp["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorResponse")


def test_every_schema_property_is_described(spec):
    undocumented = []
    for name, schema in spec["components"]["schemas"].items():
        if name in FASTAPI_SCHEMAS or "examples" in schema:
            continue
        for prop, sub in schema.get("properties", {}).items():
            if not sub.get("description"):
                undocumented.append(f"{name}.{prop}")
    assert not undocumented


def test_every_schema_has_a_description(spec):
    missing = [
        name
        for name, schema in spec["components"]["schemas"].items()
        if name not in FASTAPI_SCHEMAS
        and not name.startswith("Body_")  # FastAPI's model of a form body
        and not schema.get("description")
    ]
    assert not missing


def test_request_bodies_have_examples(spec):
    schemas = spec["components"]["schemas"]
    for name in ("PredictRequest", "ExplainRequest", "ConvolveRequest", "PoolRequest"):
        props = schemas[name]["properties"]
        assert "examples" in schemas[name] or any("examples" in p for p in props.values()), name


def test_docs_page_is_served_offline(client):
    r = client.get("/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in r.text
    assert "/static/vendor/swagger-ui/swagger-ui.css" in r.text
    assert "https://" not in r.text and "http://" not in r.text  # nothing from a CDN


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "javascript"),
        ("/static/vendor/swagger-ui/swagger-ui.css", "text/css"),
        ("/static/js/docs/main.js", "javascript"),
    ],
)
def test_docs_assets_are_served(client, path, kind):
    r = client.get(path)
    assert r.status_code == 200
    assert kind in r.headers["content-type"]
    assert len(r.content) > 100


def test_swagger_init_loads_our_schema(client):
    assert "/openapi.json" in client.get("/static/js/docs/main.js").text


def test_redoc_is_off(client):
    assert client.get("/redoc").status_code == 404


def test_every_json_operation_has_a_realistic_example_the_api_accepts(client):
    """Swagger's "Try it out" sends the body example: each one must be a sensible 200."""
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    tried = 0
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if not body:
                continue
            schema = schemas[body["schema"]["$ref"].split("/")[-1]]
            examples = schema.get("examples")
            assert examples, f"{method.upper()} {path} has no request example"
            for example in examples:
                if path.startswith("/api/runs"):  # a training body: check it, train nothing
                    answer = client.post("/api/runs/validate", json=example)
                    assert answer.status_code == 200, (path, example, answer.text)
                    continue
                numbers = [abs(v) for v in _numbers(example)]
                assert max(numbers, default=0) <= 255, f"{path}: {example} is not realistic"
                answer = client.request(method.upper(), path, json=example)
                assert answer.status_code == 200, (path, example, answer.text)
                tried += 1
    assert tried >= 5


def test_path_and_query_parameters_have_examples(client):
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                schema = param.get("schema", {})
                has = "example" in param or "examples" in param or "examples" in schema
                assert has or "default" in schema, f"{method.upper()} {path}: {param['name']}"


def _numbers(value):
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
