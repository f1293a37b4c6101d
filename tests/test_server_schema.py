"""A property-based test of the HTTP service against its own OpenAPI document."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from spo_advisor.server.app import create_app

TOKEN = "schema-token-51c2"
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(token=TOKEN))
schema.config.phases.coverage.enabled = False  # its exhaustive cases take minutes here


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_keeps_its_openapi_contract(case: schemathesis.Case) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                response_schema_conformance, ignored_auth])
