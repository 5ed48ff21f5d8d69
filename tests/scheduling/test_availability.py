"""GET /v3/scheduling/availability (reference §4.8): a configuration through the engine."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from slotwise.db.engine import Database
from slotwise.db.models import Event
from slotwise.ids import new_id
from tests.support.scheduling import (
    DAY,
    HOUR,
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
    round_robin,
)

NEW_YORK = ZoneInfo("America/New_York")


def add_event(
    db: Database, grant_id: str, calendar_id: str, start: int, end: int, **kw: Any
) -> str:
    event_id = new_id()
    now = int(time.time())
    with db.session() as session:
        session.add(
            Event(
                id=event_id,
                grant_id=grant_id,
                calendar_id=calendar_id,
                title=kw.get("title", "Busy"),
                busy=True,
                status="confirmed",
                when={"object": "timespan", "start_time": start, "end_time": end},
                start_ts=start,
                end_ts=end,
                is_recurring=False,
                participants=[],
                event_metadata=kw.get("metadata", {}),
                key5=kw.get("metadata", {}).get("key5"),
                sequence=0,
                extra={},
                created_at=kw.get("created_at", now),
                updated_at=now,
            )
        )
    return event_id


def slots(client: httpx.Client, config_id: str, start: int, end: int, **params: Any) -> dict:
    response = client.get(
        "/v3/scheduling/availability",
        params={"configuration_id": config_id, "start_time": start, "end_time": end, **params},
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def test_busy_time_and_buffers_remove_slots(
    api: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    grant_id, calendar_id = ada
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        availability={
            "duration_minutes": 30,
            "availability_rules": {"buffer": {"before": 15, "after": 0}},
        },
    )
    config = create_config(api, grant_id, body)
    start = future_hour(2, 9)
    add_event(db, grant_id, calendar_id, start + HOUR, start + 2 * HOUR)
    data = slots(api, config["id"], start, start + 3 * HOUR)
    starts = [(s["start_time"] - start) // 60 for s in data["time_slots"]]
    # The 10:00-11:00 event with a 15-minute buffer before it blocks 9:45-11:00, so 9:30 is
    # gone and the grid restarts at 11:00.
    assert starts == [0, 120, 150]
    assert data["order"] == []
    assert all(s["emails"] == ["ada@example.com"] for s in data["time_slots"])


def test_open_hours_use_sunday_first_days_and_the_booking_timezone(
    api: httpx.Client, ada: tuple[str, str]
) -> None:
    grant_id, calendar_id = ada
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        availability={
            "duration_minutes": 60,
            "availability_rules": {
                "default_open_hours": [
                    # v3 days: 1 = Monday only.
                    {"days": [1], "start": "9:00", "end": "11:00", "timezone": "UTC"}
                ]
            },
        },
        event_booking={"title": "Call", "timezone": "America/New_York"},
    )
    config = create_config(api, grant_id, body)
    start = future_hour(1, 0)
    data = slots(api, config["id"], start, start + 8 * DAY)
    assert data["time_slots"], data
    for slot in data["time_slots"]:
        local = datetime.fromtimestamp(slot["start_time"], UTC).astimezone(NEW_YORK)
        assert local.weekday() == 0  # Monday
        assert local.hour in (9, 10)


def test_notice_and_days_in_future_clip_the_window(api: httpx.Client, ada: tuple[str, str]) -> None:
    grant_id, calendar_id = ada
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        scheduler={"min_booking_notice": 24 * 60, "available_days_in_future": 3},
    )
    config = create_config(api, grant_id, body)
    now = int(time.time())
    data = slots(api, config["id"], now, now + 10 * DAY)
    first = data["time_slots"][0]["start_time"]
    last = data["time_slots"][-1]["end_time"]
    assert first >= now + DAY
    assert first < now + DAY + HOUR
    assert last <= now + 5 * DAY


def test_booking_calendar_counts_as_busy_and_booking_id_excludes_own_event(
    api: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    grant_id, calendar_id = ada
    # Ada's availability looks at no calendar at all; her booking calendar still blocks time.
    p = participant("ada@example.com", calendar_id, organizer=True)
    p["availability"]["calendar_ids"] = []
    config = create_config(api, grant_id, config_body([p]))
    start = future_hour(3, 10)
    booked = book(api, config["id"], start)
    assert booked.status_code == 200, booked.text
    data = slots(api, config["id"], start - HOUR, start + HOUR)
    offered = [s["start_time"] for s in data["time_slots"]]
    assert start not in offered
    again = slots(
        api,
        config["id"],
        start - HOUR,
        start + HOUR,
        booking_id=booked.json()["data"]["booking_id"],
    )
    assert start in [s["start_time"] for s in again["time_slots"]]


def test_round_robin_order_follows_last_booking(api: httpx.Client, db: Database) -> None:
    a_grant, a_cal = make_grant(db, "ada@example.com")
    b_grant, b_cal = make_grant(db, "bob@example.com")
    c_grant, c_cal = make_grant(db, "cy@example.com")
    body = round_robin(
        config_body(
            [
                participant("cy@example.com", c_cal),
                participant("bob@example.com", b_cal),
                participant("ada@example.com", a_cal),
            ]
        )
    )
    config = create_config(api, a_grant, body)
    start = future_hour(2, 9)
    data = slots(api, config["id"], start, start + HOUR)
    assert data["order"] == ["ada@example.com", "bob@example.com", "cy@example.com"]
    # Ada booked most recently through this configuration, Bob earlier: never-booked Cy first.
    old = int(time.time()) - 10 * DAY
    add_event(
        db, a_grant, a_cal, old, old + 1800, metadata={"key5": config["id"]}, created_at=old + 5
    )
    add_event(db, b_grant, b_cal, old, old + 1800, metadata={"key5": config["id"]}, created_at=old)
    data = slots(api, config["id"], start, start + HOUR)
    assert data["order"] == ["cy@example.com", "bob@example.com", "ada@example.com"]
    assert set(data["time_slots"][0]["emails"]) == {
        "ada@example.com",
        "bob@example.com",
        "cy@example.com",
    }


def test_window_is_required_and_checked(api: httpx.Client, ada: tuple[str, str]) -> None:
    grant_id, calendar_id = ada
    config = create_config(
        api, grant_id, config_body([participant("ada@example.com", calendar_id, organizer=True)])
    )
    base = {"configuration_id": config["id"]}
    for params in ({}, {"start_time": "x", "end_time": "1"}, {"start_time": 10, "end_time": 5}):
        response = api.get("/v3/scheduling/availability", params={**base, **params})
        assert response.status_code == 400, params


def test_max_fairness_offers_the_least_recently_booked_half(
    api: httpx.Client, db: Database
) -> None:
    a_grant, a_cal = make_grant(db, "ada@example.com")
    _, b_cal = make_grant(db, "bob@example.com")
    body = round_robin(
        config_body([participant("ada@example.com", a_cal), participant("bob@example.com", b_cal)]),
        method="max-fairness",
    )
    config = create_config(api, a_grant, body)
    start = future_hour(2, 9)
    data = slots(api, config["id"], start, start + HOUR)
    assert data["order"] == ["ada@example.com"]  # never booked, alphabetical: the kept half
    assert all(s["emails"] == ["ada@example.com"] for s in data["time_slots"])
    first = book(api, config["id"], start + 3 * HOUR).json()["data"]
    assert first["organizer"]["email"] == "ada@example.com"
    data = slots(api, config["id"], start, start + HOUR)
    assert data["order"] == ["bob@example.com"]
    assert all(s["emails"] == ["bob@example.com"] for s in data["time_slots"])
