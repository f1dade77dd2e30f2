"""Schemathesis with every check against the app's own OpenAPI schema, positive and negative data.

The schema must say exactly what the server accepts: schema-valid requests are answered with a
success or a documented refusal the schema cannot express (400: an image that does not decode,
a drawing with no ink, a ragged array; 404: an unknown layer or model; 413: over a configured
limit; 422 for an impossible network),
and schema-invalid ones are refused (negative data rejection).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from app.config import Settings
from app.main import create_app
from tests.mnist import mnist_dir_or_none

CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "404", "413"]},
        },
        # A network that fits the schema may still be impossible (a map that shrinks to
        # nothing, too many parameters): a 422 naming the layer, which JSON Schema cannot say.
        "operations": [
            {
                "include-path": "/api/runs/validate",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "400", "404", "413", "422"]
                    }
                },
            }
        ],
    }
)

# With MNIST present /api/samples answers 200; without it, its documented 503 would count as a
# server error, so CI (which has the data) exercises the real path. The data folder is the test
# session's private view (tests/conftest.py): the filter atlas computed on demand lands there.
# Runs live in a fresh folder. POST /api/runs is left out: each accepted example would start a
# trainer process (tests/app/test_runs*.py cover it, and its 422s, through HTTP).
RUNS = tempfile.mkdtemp(prefix="convlens-runs-")
atexit.register(shutil.rmtree, RUNS, ignore_errors=True)
APP = create_app(Settings(data=mnist_dir_or_none(), download=False, runs=RUNS))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG).exclude(
    method="POST", path="/api/runs"
)
pytestmark = pytest.mark.slow


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case) -> None:
    """Every check schemathesis has, on every operation: no failure at all."""
    case.call_and_validate()
