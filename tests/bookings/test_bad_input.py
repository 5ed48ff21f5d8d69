"""Bad input on the scheduling and booking endpoints is a 4xx, never a 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from slotwise.db.engine import Database
from tests.support.scheduling import (
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
)

GUEST = {"email": "a@b.co", "name": "x"}
BODIES: list[Any] = [
    {},
    [],
    {"start_time": "NaN"},
    {"start_time": 1e30, "end_time": 1e30 + 1800, "guest": GUEST},
    {"start_time": 10, "end_time": 5},
    {"start_time": None},
    {"guest": "x", "start_time": 1, "end_time": 2},
    {"start_time": True, "end_time": 2},
    {"start_time": [1], "end_time": 2},
    {"start_time": 1, "end_time": 1801, "guest": GUEST, "participants": "x"},
    {"start_time": 1, "end_time": 1801, "guest": GUEST, "participants": [{"email": 5}]},
    {"start_time": 1, "end_time": 1801, "guest": GUEST, "additional_fields": []},
    {"start_time": 1, "end_time": 1801, "guest": GUEST, "additional_guests": [1]},
    {"start_time": 1, "end_time": 1801, "guest": GUEST, "timezone": 5},
    {"start_time": 1, "end_time": 1801, "guest": GUEST, "email_language": {}},
    {"salt": 5, "status": []},
    {"salt": "x", "status": "maybe"},
    {"cancellation_reason": 7},
]
RAW_BOOKINGS = [
    '{"start_time": 1e400, "end_time": 1e400, "guest": {"email": "a@b.co", "name": "x"}}',
    '{"start_time": -1e400, "end_time": 5}',
]


@pytest.fixture
def setup(api: httpx.Client, db: Database) -> tuple[str, str, str]:
    grant_id, calendar_id = make_grant(db, "ada@example.com")
    config = create_config(
        api, grant_id, config_body([participant("ada@example.com", calendar_id, organizer=True)])
    )
    start = future_hour(2, 10)
    booking = api.post(
        "/v3/scheduling/bookings",
        params={"configuration_id": config["id"]},
        json={"start_time": start, "end_time": start + 1800, "guest": GUEST},
    )
    return grant_id, config["id"], booking.json()["data"]["booking_id"]


def _raw(api: httpx.Client, method: str, path: str, raw: str, **params: str) -> httpx.Response:
    return api.request(
        method, path, params=params, content=raw, headers={"content-type": "application/json"}
    )


def test_booking_bodies(api: httpx.Client, setup: tuple[str, str, str]) -> None:
    _, config_id, booking_id = setup
    routes = [
        ("POST", "/v3/scheduling/bookings"),
        ("PATCH", f"/v3/scheduling/bookings/{booking_id}"),
        ("PUT", f"/v3/scheduling/bookings/{booking_id}"),
        ("DELETE", "/v3/scheduling/bookings/nope"),
    ]
    for body in BODIES:
        for method, path in routes:
            response = api.request(method, path, params={"configuration_id": config_id}, json=body)
            assert 400 <= response.status_code < 500, (method, body, response.text)
    for raw in RAW_BOOKINGS:
        response = _raw(api, "POST", "/v3/scheduling/bookings", raw, configuration_id=config_id)
        assert response.status_code == 400, (raw, response.text)


def test_query_strings(api: httpx.Client, setup: tuple[str, str, str]) -> None:
    _, config_id, _ = setup
    for params in [
        {"start_time": "1e400", "end_time": "2"},
        {"start_time": "nan", "end_time": "inf"},
        {"start_time": "-99999999999999999999", "end_time": "1"},
        {"start_time": "1", "end_time": str(10**15)},
    ]:
        response = api.get(
            "/v3/scheduling/availability", params={"configuration_id": config_id, **params}
        )
        assert response.status_code == 400, (params, response.text)
    for params in [{"configuration_id": "x" * 5000}, {"slug": "nope"}, {"configuration_id": "1"}]:
        response = api.get("/v3/scheduling/ui-settings", params=params)
        assert response.status_code == 404, (params, response.text)
    response = api.get(
        "/v3/scheduling/ui-settings", params={"configuration_id": config_id, "booking_id": "x"}
    )
    assert response.status_code == 404


def _with_literal(body: dict[str, Any], path: tuple[str, str], literal: str) -> str:
    """`body` as JSON text with a raw number literal (such as 1e400) at `path`."""
    body = json.loads(json.dumps(body))
    body[path[0]][path[1]] = "__LITERAL__"
    return json.dumps(body).replace('"__LITERAL__"', literal)


def test_session_and_configuration_numbers(api: httpx.Client, setup: tuple[str, str, str]) -> None:
    grant_id, config_id, _ = setup
    for ttl in ("1e400", "-1e400", "1e308"):
        raw = '{"time_to_live": ' + ttl + ', "configuration_id": "' + config_id + '"}'
        response = _raw(api, "POST", "/v3/scheduling/sessions", raw)
        assert response.status_code == 400, (raw, response.text)
    for raw in ['{"configuration_id": 5}', '{"slug": ["x"]}']:
        assert _raw(api, "POST", "/v3/scheduling/sessions", raw).status_code == 400
    valid = config_body([participant("ada@example.com", "primary", organizer=True)])
    for path, literal in [
        (("availability", "duration_minutes"), "1e400"),
        (("availability", "round_to"), "-1e400"),
        (("availability", "duration_minutes"), "30.5"),
        (("scheduler", "min_booking_notice"), "1e400"),
    ]:
        text = _with_literal(valid, path, literal)
        response = _raw(api, "POST", f"/v3/grants/{grant_id}/scheduling/configurations", text)
        assert response.status_code == 400, (path, literal, response.text)
