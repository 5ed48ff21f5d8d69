"""schemathesis against the live server on loopback: every operation of the OpenAPI document,
with bodies generated from its request schemas, answers no 5xx and only what it documents.

Bounded and deterministic: EXAMPLES requests per operation from a fixed seed, the admin API
key in the headers. Half the requests name things that exist (a grant, its calendar, an event,
a configuration with its booking), so they reach the code past the lookups.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import checks

from tests.conftest import API_KEY
from tests.support.factories import create_event
from tests.support.routes import route_app
from tests.support.scheduling import book, config_body, create_config, future_hour, participant
from tests.support.server import LiveServer

pytestmark = pytest.mark.slow

EXAMPLES = 10
SEED = 20261202
# Server errors, and answers the operation does not document (status, content type, shape).
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
OPERATIONS = sorted(
    (method.upper(), path)
    for path, item in route_app().openapi()["paths"].items()
    for method in item
)


@pytest.fixture
def world(api: httpx.Client, ada: tuple[str, str]) -> dict[str, str]:
    """Path parameters naming things that exist, by the parameter's name."""
    grant_id, calendar_id = ada
    config = create_config(
        api,
        grant_id,
        config_body(
            [participant("ada@example.com", calendar_id, organizer=True)], slug="fuzzed-page"
        ),
    )
    start = future_hour(days=2, hour=10)
    booking = book(api, config["id"], start)
    assert booking.status_code == 200, booking.text
    event = create_event(
        api,
        grant_id,
        {"title": "Busy", "when": {"start_time": start + 7200, "end_time": start + 9000}},
    )
    return {
        "grant": grant_id,
        "grant_id": grant_id,
        "calendar_id": calendar_id,
        "event_id": event["id"],
        "configuration_id": config["id"],
        "booking_id": booking.json()["data"]["booking_id"],
        "slug": "fuzzed-page",
    }


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_generated_requests_get_documented_answers(
    server: LiveServer, world: dict[str, str], method: str, path: str
) -> None:
    operation = schemathesis.openapi.from_url(f"{server.url}/openapi.json")[path][method]

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), known=st.booleans())
    def requests(case: Any, known: bool) -> None:
        if known:
            named = case.path_parameters or {}
            case.path_parameters = {k: world.get(k, v) for k, v in named.items()}
            # The scheduling routes and the events read these from the query by hand.
            query = {"configuration_id": world["configuration_id"], "calendar_id": "primary"}
            case.query = {**(case.query or {}), **query}
        response = case.call(base_url=server.url, headers={"Authorization": f"Bearer {API_KEY}"})
        case.validate_response(response, checks=CHECKS)

    requests()
