"""Wrong values in every field of every group-event body (and of a group configuration and
its seat bookings): each answer is a 200 or a 4xx in the error envelope, never a 500, and a
refused request changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from slotwise.db.engine import Database
from slotwise.db.models import Booking, Event, GroupEvent, WaitlistEntry
from tests.scheduling.test_group_events import (
    configurations,
    create_event,
    event_body,
    group_config,
    group_events,
    make_group,
    offer,
)
from tests.support.scheduling import HOUR, future_hour

# Some 700 requests: the full suite runs it, the fast tier leaves it out.
pytestmark = pytest.mark.slow

HOSTILE: list[Any] = [
    None,
    True,
    -1,
    0,
    10**30,
    1.5,
    float("1e308"),
    "",
    "x" * 5000,
    "\u202e\u0000",
    [],
    [None],
    {},
    {"a": {"b": []}},
]


def _counts(db: Database) -> tuple[int, ...]:
    with db.session(write=False) as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Event, GroupEvent, Booking, WaitlistEntry)
        )


def _walk(
    client: httpx.Client, db: Database, method: str, url: str, body: dict[str, Any], **kw: Any
) -> None:
    for key in body:
        for value in HOSTILE:
            before = _counts(db)
            sent = {**body, key: value}
            response = client.request(method, url, json=sent, **kw)
            assert response.status_code < 500, (key, value, response.text)
            if response.status_code >= 400:
                error = response.json()["error"]
                assert error["type"] and error["message"], response.text
                assert _counts(db) == before, (key, value)


def test_no_group_input_is_a_server_error(api: httpx.Client, db: Database) -> None:
    grant_id, calendar_id, config_id = make_group(api, db)
    start = future_hour(3, 9)
    made = create_event(api, grant_id, config_id, event_body(start, capacity=1))
    event_id = made["event"]["id"]
    [slot] = offer(api, config_id, start - HOUR, start + HOUR)

    url = group_events(grant_id, config_id)
    _walk(api, db, "POST", url, event_body(start + 3 * HOUR))
    _walk(
        api,
        db,
        "PATCH",
        f"{url}/{event_id}",
        {"title": "x", "capacity": 2, "when": made["event"]["when"]},
    )
    _walk(
        api,
        db,
        "POST",
        f"{configurations(grant_id)}/{config_id}/import-group-events",
        {"event_id": event_id, "calendar_id": calendar_id, "capacity": 2},
    )
    _walk(
        api,
        db,
        "POST",
        f"/v3/scheduling/configurations/{config_id}/group-events/validate-timeslot",
        dict(slot),
    )
    seat = {
        "start_time": slot["start_time"],
        "end_time": slot["end_time"],
        "event_id": slot["event_id"],
        "guest": {"email": "bo@example.com", "name": "Bo"},
        "waitlist": True,
    }
    _walk(api, db, "POST", "/v3/scheduling/bookings", seat, params={"configuration_id": config_id})
    _walk(api, db, "POST", configurations(grant_id), group_config())
    _walk(
        api,
        db,
        "POST",
        configurations(grant_id),
        {
            **group_config(),
            "group_booking": {"calendar_id": "primary", "reminders": [], "default_capacity": 3},
        },
    )
    for query in (
        {"start_time": "x"},
        {"end_time": "-5"},
        {"show_all": "maybe"},
        {"start_time": "0", "end_time": "4102444800"},  # a century: too wide a page
        {"calendar_id": "\u202e", "show_all": "true"},
    ):
        response = api.get(url, params=query)
        assert 400 <= response.status_code < 500, (query, response.text)
