"""Schemathesis against the app's own OpenAPI schema: no 5xx, documented statuses, valid bodies."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.config import Settings
from app.main import create_app
from tests.mnist import mnist_dir_or_none

# The contract: no 5xx, documented status codes only, bodies that match the schema.
# (A schema-valid drawing may still be empty: its 400 is right, so positive-data acceptance
# is not among the checks.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# With MNIST present /api/samples answers 200; without it, its documented 503 would count as a
# server error, so CI (which has the data) exercises the real path.
APP = create_app(Settings(data=mnist_dir_or_none(), download=False))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
pytestmark = pytest.mark.slow


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case) -> None:
    """Every generated request gets a documented status, a conforming body and never a 5xx."""
    case.call_and_validate(checks=CHECKS)
