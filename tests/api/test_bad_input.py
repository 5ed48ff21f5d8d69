"""Malformed input at every grant, calendar, event and free/busy endpoint: always a 4xx in the
error envelope naming the problem, never a 500, and a failed request changes nothing."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from slotwise.db.engine import Database
from slotwise.db.models import Calendar, Event, Grant, OutboxMessage
from tests.support.factories import connect, create_event
from tests.support.waiting import HTTP_TIMEOUT

T0 = 1_767_261_600


@pytest.fixture
def world(api: httpx.Client) -> dict[str, str]:
    grant = connect(api, "avery@example.com")
    cal = api.post(f"/v3/grants/{grant['id']}/calendars", json={"name": "side"}).json()["data"]
    event = create_event(api, grant["id"], {"when": {"start_time": T0, "end_time": T0 + 60}})
    return {"grant": grant["id"], "calendar": cal["id"], "event": event["id"]}


def _endpoints(w: dict[str, str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, url, a valid body) for every endpoint that takes a body."""
    g, c, e = w["grant"], w["calendar"], w["event"]
    q = "?calendar_id=primary"
    return [
        (
            "POST",
            "/v3/connect/custom",
            {"provider": "virtual-calendar", "settings": {"email": "new@example.com"}},
        ),
        ("PATCH", f"/v3/grants/{g}", {"settings": {"name": "n"}, "scope": ["a"]}),
        ("POST", f"/v3/grants/{g}/calendars", {"name": "x", "timezone": "UTC"}),
        ("PUT", f"/v3/grants/{g}/calendars/{c}", {"name": "y", "metadata": {"a": "b"}}),
        (
            "POST",
            f"/v3/grants/{g}/events{q}",
            {
                "title": "t",
                "when": {"start_time": T0, "end_time": T0 + 60},
                "participants": [{"email": "p@example.com"}],
                "capacity": 3,
                "recurrence": ["RRULE:FREQ=DAILY;COUNT=2"],
                "metadata": {"key1": "v"},
                "reminders": {"use_default": True},
                "busy": True,
            },
        ),
        (
            "PUT",
            f"/v3/grants/{g}/events/{e}{q}",
            {"title": "u", "when": {"date": "2026-01-02"}, "busy": False},
        ),
        ("POST", f"/v3/grants/{g}/events/{e}/send-rsvp{q}", {"status": "yes"}),
        (
            "POST",
            f"/v3/grants/{g}/calendars/free-busy",
            {"start_time": T0, "end_time": T0 + 3600, "emails": ["avery@example.com"]},
        ),
        (
            "POST",
            "/calendars/free-busy",
            {"start_time": T0, "end_time": T0 + 3600, "emails": ["avery@example.com"]},
        ),
    ]


def _state(db: Database) -> tuple[int, ...]:
    with db.session(write=False) as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Grant, Calendar, Event, OutboxMessage)
        ) + (
            int(session.scalar(select(func.max(Event.updated_at))) or 0),
            int(session.scalar(select(func.max(Calendar.updated_at))) or 0),
            int(session.scalar(select(func.max(Grant.updated_at))) or 0),
        )


def assert_error(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    if statuses:
        assert response.status_code in statuses, response.text
    body = response.json()
    v3 = response.request.url.path.startswith("/v3/")
    # v2 faces repeat message and type at the top level, where the v2 SDK reads them.
    assert set(body) == {"request_id", "error"} | (set() if v3 else {"message", "type"})
    assert body["error"]["type"] and body["error"]["message"]
    assert response.headers["x-request-id"] == body["request_id"]
    return body


RAW_BODIES = [
    b"{",
    b"[]",
    b"null",
    b"1",
    b'"x"',
    b"{'a': 1}",
    b"\xff\xfe",
    b'{"a": NaN}',
    b"[" * 5000,
    b'{"title": "\\u0000"}',
    b'{"title": "\\ud800"}',
]


def test_malformed_bodies(api: httpx.Client, world: dict[str, str], db: Database) -> None:
    before = _state(db)
    for method, url, _ in _endpoints(world):
        for raw in RAW_BODIES:
            response = api.request(
                method, url, content=raw, headers={"Content-Type": "application/json"}
            )
            assert_error(response, 400)
    assert _state(db) == before


WRONG_VALUES: list[Any] = [
    None,
    True,
    -1,
    10**40,
    1.5,
    "",
    "x" * 20_000,
    [],
    {},
    ["x"],
    {"a": 1},
    "\u00e9\u6f22",
    "2026-01-01",
]


def _mutations(body: dict[str, Any]) -> list[dict[str, Any]]:
    out = [{k: v for k, v in body.items() if k != key} for key in body]
    for key in body:
        for value in WRONG_VALUES:
            out.append({**body, key: value})
        nested = body[key]
        if isinstance(nested, dict):
            for inner in nested:
                for value in WRONG_VALUES:
                    out.append({**body, key: {**nested, inner: value}})
        if isinstance(nested, list) and nested and isinstance(nested[0], dict):
            for inner in nested[0]:
                for value in WRONG_VALUES:
                    out.append({**body, key: [{**nested[0], inner: value}]})
    return out


@pytest.mark.slow  # every field of every route with every wrong type: seconds even when idle
def test_wrong_types_never_500(api: httpx.Client, world: dict[str, str], db: Database) -> None:
    for method, url, body in _endpoints(world):
        for mutated in _mutations(body):
            before = _state(db)
            response = api.request(method, url, json=mutated)
            assert response.status_code < 500, (method, url, mutated, response.text)
            if response.status_code >= 400:
                assert_error(response)
                assert _state(db) == before, (method, url, mutated)


def test_missing_required_fields_are_named(api: httpx.Client, world: dict[str, str]) -> None:
    g = world["grant"]
    cases = [
        ("POST", "/v3/connect/custom", {"settings": {"email": "a@b.c"}}, "provider"),
        ("POST", "/v3/connect/custom", {"provider": "virtual-calendar"}, "settings"),
        (
            "POST",
            "/v3/connect/custom",
            {"provider": "virtual-calendar", "settings": {}},
            "settings.email",
        ),
        ("POST", f"/v3/grants/{g}/calendars", {}, "name"),
        ("POST", f"/v3/grants/{g}/calendars", {"name": "x", "timezone": "Nope/Nope"}, "timezone"),
        ("POST", f"/v3/grants/{g}/events?calendar_id=primary", {"title": "x"}, "when"),
        (
            "POST",
            f"/v3/grants/{g}/events?calendar_id=primary",
            {"when": {"time": T0}, "participants": [{"name": "no email"}]},
            "participants.0.email",
        ),
        (
            "POST",
            f"/v3/grants/{g}/events?calendar_id=primary",
            {"when": {"time": T0}, "reminders": {}},
            "reminders.use_default",
        ),
        ("POST", f"/v3/grants/{g}/events", {"when": {"time": T0}}, "calendar_id"),
        (
            "POST",
            f"/v3/grants/{g}/events/{world['event']}/send-rsvp?calendar_id=primary",
            {},
            "status",
        ),
    ]
    for method, url, body, field in cases:
        message = assert_error(api.request(method, url, json=body), 400)["error"]["message"]
        assert message.startswith(field), (url, body, message)


def test_unknown_things_are_404(api: httpx.Client, world: dict[str, str]) -> None:
    g, e = world["grant"], world["event"]
    for method, url in [
        ("GET", "/v3/grants/nobody"),
        ("PATCH", "/v3/grants/nobody@example.com"),
        ("DELETE", "/v3/grants/grant:nobody"),
        ("GET", "/v3/grants/nobody/calendars"),
        ("GET", f"/v3/grants/{g}/calendars/nope"),
        ("PUT", f"/v3/grants/{g}/calendars/nope"),
        ("DELETE", f"/v3/grants/{g}/calendars/nope"),
        ("GET", f"/v3/grants/{g}/events?calendar_id=nope"),
        ("GET", f"/v3/grants/{g}/events/nope?calendar_id=primary"),
        ("PUT", f"/v3/grants/{g}/events/nope?calendar_id=primary"),
        ("DELETE", f"/v3/grants/{g}/events/nope_20260101T000000Z?calendar_id=primary"),
        ("GET", f"/v3/grants/{g}/events/{e}?calendar_id={world['calendar']}"),
        ("GET", "/v3/grants/a%00b"),
    ]:
        body: dict[str, Any] | None = {} if method in ("PUT", "PATCH") else None
        assert_error(api.request(method, url, json=body), 404, 400)


def test_bad_query_parameters(api: httpx.Client, world: dict[str, str]) -> None:
    g = world["grant"]
    events = f"/v3/grants/{g}/events"
    for params in [
        {"calendar_id": "primary", "limit": "0"},
        {"calendar_id": "primary", "limit": "201"},
        {"calendar_id": "primary", "limit": "ten"},
        {"calendar_id": "primary", "start": "yesterday"},
        {"calendar_id": "primary", "start": "-5"},
        {"calendar_id": "primary", "start": "99999999999999999999"},
        {"calendar_id": "primary", "show_cancelled": "maybe"},
        {"calendar_id": "primary", "busy": "2"},
        {"calendar_id": "primary", "metadata_pair": "novalue"},
        {"calendar_id": "primary", "page_token": "%%%"},
        {"calendar_id": "primary", "order_by": "title"},
    ]:
        assert_error(api.get(events, params=params), 400)
    assert_error(api.get("/v3/grants", params={"offset": "-1"}), 400)
    assert_error(api.get("/v3/grants", params={"order_by": "sideways"}), 400)
    assert_error(api.get("/v3/grants", params={"since": "x"}), 400)


def test_oversized_body(api: httpx.Client, world: dict[str, str]) -> None:
    big = json.dumps({"name": "x" * 2_000_000}).encode()
    response = api.post(
        f"/v3/grants/{world['grant']}/calendars",
        content=big,
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 413, 400)


def test_missing_or_wrong_api_key(api: httpx.Client, server: Any) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}):
        response = httpx.get(server.url + "/v3/grants", headers=headers, timeout=HTTP_TIMEOUT)
        assert_error(response, 401)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    [
        "when",
        "title",
        "participants",
        "metadata",
        "recurrence",
        "capacity",
        "busy",
        "name",
        "timezone",
        "settings",
        "provider",
        "emails",
        "start_time",
        "end_time",
        "status",
        "scope",
        "reminders",
        "conferencing",
        "hexColor",
        "calendars",
    ]
)
bodies = st.dictionaries(field_names, json_values, max_size=6) | json_values


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies, which=st.integers(min_value=0, max_value=8))
def test_fuzzed_bodies_never_500(
    api: httpx.Client, world: dict[str, str], body: Any, which: int
) -> None:
    method, url, _ = _endpoints(world)[which]
    response = api.request(method, url, json=body)
    assert response.status_code < 500, (method, url, body, response.text)
    if response.status_code >= 400:
        assert_error(response)
