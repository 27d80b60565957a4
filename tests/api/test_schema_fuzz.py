"""schemathesis against the generated OpenAPI document, with fake engines: whatever it
sends, no 500s, and every response matches the schema the document declares."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from service.http.app import create_app
from service.settings import Settings
from tests.support.fakes import fake_engines

app = create_app(
    Settings(_env_file=None, rate_limit_per_minute=0, max_chars=2000, store_url="memory://"),
    fake_engines(),
)
schema = schemathesis.openapi.from_asgi("/docs/openapi.json", app)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_500s_and_matches_its_schema(case):
    response = case.call()
    assert response.status_code < 500, response.text
    # Excluded, with reasons; no-5xx, status codes, content types and response schemas are
    # all still checked:
    # - "schema-valid body accepted": our checks go past what JSON Schema can say
    #   (whitespace-only text, control characters, limits set at run time) and answer with
    #   documented 4xx problem details;
    # - "schema-violating body rejected": Litestar converts bodies leniently (0/1 for a
    #   boolean, "4" for an integer), then our bounds apply to the converted value.
    case.validate_response(
        response, excluded_checks=[positive_data_acceptance, negative_data_rejection]
    )
