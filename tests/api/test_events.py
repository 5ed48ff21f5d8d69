"""v3 events: when shapes, zones, all-day spans, participants, capacity, metadata, recurrence,
list filters, paging, find/update/delete and send-rsvp."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import OutboxMessage
from tests.support.factories import connect, create_event, list_events

T0 = 1_767_261_600  # 2026-01-01 10:00 UTC
HOUR = 3600
DAY = 86_400
WINDOW = {"start": T0 - 10 * DAY, "end": T0 + 60 * DAY}


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


@pytest.fixture
def grant(api: httpx.Client) -> dict[str, Any]:
    return connect(api, "avery@example.com", timezone="America/New_York")


def _url(grant: dict[str, Any], event_id: str = "") -> str:
    return f"/v3/grants/{grant['id']}/events" + (f"/{event_id}" if event_id else "")


@pytest.mark.parametrize(
    ("when", "shape"),
    [
        ({"start_time": T0, "end_time": T0 + HOUR}, "timespan"),
        ({"time": T0}, "time"),
        ({"date": "2026-01-01"}, "date"),
        ({"start_date": "2026-01-01", "end_date": "2026-01-03"}, "datespan"),
        ({"object": "timespan", "start_time": T0, "end_time": T0 + HOUR}, "timespan"),
    ],
)
def test_when_shapes_are_inferred(
    api: httpx.Client, grant: dict[str, Any], when: dict[str, Any], shape: str
) -> None:
    event = create_event(api, grant["id"], {"title": "x", "when": when})
    assert event["when"]["object"] == shape
    found = api.get(_url(grant, event["id"]), params={"calendar_id": "primary"}).json()["data"]
    assert found["when"] == event["when"]
    assert event["calendar_id"] != "primary"


def test_all_day_spans_follow_the_calendar_zone(api: httpx.Client, grant: dict[str, Any]) -> None:
    create_event(api, grant["id"], {"when": {"start_date": "2026-01-01", "end_date": "2026-01-02"}})
    start = ts("2026-01-01T00:00:00-05:00")
    end = ts("2026-01-03T00:00:00-05:00")
    body = {"start_time": start - DAY, "end_time": end + DAY, "emails": [grant["email"]]}
    fb = api.post(f"/v3/grants/{grant['id']}/calendars/free-busy", json=body).json()["data"]
    slots = fb[0]["time_slots"]
    assert [(s["start_time"], s["end_time"]) for s in slots] == [(start, end)]


def test_all_day_without_calendar_zone_is_utc(api: httpx.Client) -> None:
    grant = connect(api, "utc@example.com")
    create_event(api, grant["id"], {"when": {"date": "2026-01-01"}})
    body = {"start_time": T0 - DAY, "end_time": T0 + DAY, "emails": ["utc@example.com"]}
    fb = api.post(f"/v3/grants/{grant['id']}/calendars/free-busy", json=body).json()["data"]
    slot = fb[0]["time_slots"][0]
    assert (slot["start_time"], slot["end_time"]) == (
        ts("2026-01-01T00:00:00+00:00"),
        ts("2026-01-02T00:00:00+00:00"),
    )


@pytest.mark.parametrize(
    ("when", "field"),
    [
        ({"start_time": T0, "end_time": T0 - 1}, "when.end_time"),
        (
            {"start_time": T0, "end_time": T0 + 1, "start_timezone": "Nowhere/Land"},
            "when.start_timezone",
        ),
        ({"time": T0, "timezone": "../../etc/passwd"}, "when.timezone"),
        ({"date": "2026-13-01"}, "when.date"),
        ({"start_date": "2026-01-03", "end_date": "2026-01-01"}, "when.end_date"),
        ({"start_time": "soon", "end_time": T0}, "when.start_time"),
        ({"start_time": T0}, "when.end_time"),
        ({"object": "weekly"}, "when.object"),
        ({}, "when"),
    ],
)
def test_bad_when_is_a_400_naming_the_field(
    api: httpx.Client, grant: dict[str, Any], when: dict[str, Any], field: str
) -> None:
    response = api.post(_url(grant), params={"calendar_id": "primary"}, json={"when": when})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith(field)


def test_participants_default_status_and_phone_alias(
    api: httpx.Client, grant: dict[str, Any]
) -> None:
    event = create_event(
        api,
        grant["id"],
        {
            "when": {"start_time": T0, "end_time": T0 + HOUR},
            "participants": [
                {"email": "b@example.com", "name": "B"},
                {"email": "c@example.com", "phoneNumber": "+1 555", "status": "yes"},
            ],
        },
    )
    assert event["participants"] == [
        {"email": "b@example.com", "name": "B", "status": "noreply"},
        {"email": "c@example.com", "status": "yes", "phone_number": "+1 555"},
    ]


def test_capacity(api: httpx.Client, grant: dict[str, Any]) -> None:
    people = [{"email": f"p{i}@example.com"} for i in range(3)]
    when = {"start_time": T0, "end_time": T0 + HOUR}
    over = api.post(
        _url(grant),
        params={"calendar_id": "primary"},
        json={"when": when, "participants": people, "capacity": 2},
    )
    assert over.status_code == 400
    assert over.json()["error"]["message"].startswith("participants")
    unlimited = create_event(
        api, grant["id"], {"when": when, "participants": people, "capacity": -1}
    )
    assert unlimited["capacity"] == -1
    shrink = api.put(
        _url(grant, unlimited["id"]), params={"calendar_id": "primary"}, json={"capacity": 1}
    )
    assert shrink.status_code == 400


def test_metadata_pair_filter_in_both_sdk_forms(api: httpx.Client, grant: dict[str, Any]) -> None:
    when = {"start_time": T0, "end_time": T0 + HOUR}
    create_event(api, grant["id"], {"title": "a", "when": when, "metadata": {"key1": "x"}})
    create_event(
        api, grant["id"], {"title": "b", "when": when, "metadata": {"key1": "x", "other": "y"}}
    )
    create_event(api, grant["id"], {"title": "c", "when": when, "metadata": {"key1": "z"}})
    python_form = httpx.QueryParams(
        list[tuple[str, str | int | float | bool | None]]()
        + [("calendar_id", "primary"), ("metadata_pair", "key1:x"), ("metadata_pair", "other:y")]
        + [(k, str(v)) for k, v in WINDOW.items()]
    )
    titles = [e["title"] for e in api.get(_url(grant), params=python_form).json()["data"]]
    assert titles == ["b"]
    node_form = list_events(api, grant["id"], metadata_pair="key1:x,other:y", **WINDOW)
    assert [e["title"] for e in node_form] == ["b"]
    by_key = list_events(api, grant["id"], metadata_pair="key1:x", **WINDOW)
    assert sorted(e["title"] for e in by_key) == ["a", "b"]


def test_list_filters_and_order(api: httpx.Client, grant: dict[str, Any]) -> None:
    create_event(
        api,
        grant["id"],
        {
            "title": "Later Lunch",
            "when": {"start_time": T0 + 5 * HOUR, "end_time": T0 + 6 * HOUR},
            "busy": False,
            "location": "Cafe",
        },
    )
    create_event(
        api,
        grant["id"],
        {
            "title": "Standup",
            "when": {"start_time": T0, "end_time": T0 + HOUR},
            "description": "Daily SYNC",
        },
    )
    create_event(
        api,
        grant["id"],
        {"title": "old", "when": {"start_time": T0 - 30 * DAY, "end_time": T0 - 29 * DAY}},
    )
    titles = [e["title"] for e in list_events(api, grant["id"], **WINDOW)]
    assert titles == ["Standup", "Later Lunch"]
    assert [e["title"] for e in list_events(api, grant["id"], title="lunch", **WINDOW)] == [
        "Later Lunch"
    ]
    assert [e["title"] for e in list_events(api, grant["id"], description="sync", **WINDOW)] == [
        "Standup"
    ]
    assert [e["title"] for e in list_events(api, grant["id"], location="CAF", **WINDOW)] == [
        "Later Lunch"
    ]
    assert [e["title"] for e in list_events(api, grant["id"], busy="False", **WINDOW)] == [
        "Later Lunch"
    ]
    # Overlap semantics: an event ending exactly at `start` is not included.
    edge = list_events(api, grant["id"], start=T0 + HOUR, end=T0 + 5 * HOUR + 1)
    assert [e["title"] for e in edge] == ["Later Lunch"]
    missing = api.get(_url(grant))
    assert missing.status_code == 400
    assert missing.json()["error"]["message"].startswith("calendar_id")
    reversed_window = api.get(_url(grant), params={"calendar_id": "primary", "start": 10, "end": 5})
    assert reversed_window.status_code == 400


def test_paging_ends_with_a_null_cursor(api: httpx.Client, grant: dict[str, Any]) -> None:
    for i in range(5):
        create_event(
            api,
            grant["id"],
            {
                "title": str(i),
                "when": {"start_time": T0 + i * HOUR, "end_time": T0 + i * HOUR + 60},
            },
        )
    titles: list[str] = []
    token = None
    while True:
        params: dict[str, Any] = {"calendar_id": "primary", "limit": 2, **WINDOW}
        if token:
            params["page_token"] = token
        body = api.get(_url(grant), params=params).json()
        titles += [e["title"] for e in body["data"]]
        token = body["next_cursor"]
        if token is None:
            break
    assert titles == ["0", "1", "2", "3", "4"]


def test_update_and_delete(api: httpx.Client, grant: dict[str, Any], db: Database) -> None:
    event = create_event(
        api,
        grant["id"],
        {"title": "a", "description": "keep", "when": {"start_time": T0, "end_time": T0 + HOUR}},
    )
    params = {"calendar_id": "primary"}
    updated = api.put(
        _url(grant, event["id"]),
        params=params,
        json={"title": "b", "when": {"start_time": T0 + HOUR, "end_time": T0 + 2 * HOUR}},
    )
    assert updated.status_code == 200
    data = updated.json()["data"]
    assert data["title"] == "b" and data["description"] == "keep"
    assert data["when"]["start_time"] == T0 + HOUR
    deleted = api.delete(_url(grant, event["id"]), params=params)
    assert deleted.status_code == 200 and set(deleted.json()) == {"request_id"}
    assert list_events(api, grant["id"], **WINDOW) == []
    shown = list_events(api, grant["id"], show_cancelled="true", **WINDOW)
    assert [e["status"] for e in shown] == ["cancelled"]
    found = api.get(_url(grant, event["id"]), params=params).json()["data"]
    assert found["status"] == "cancelled"
    assert api.get(_url(grant, "nope"), params=params).status_code == 404
    with db.session() as session:
        messages = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.trigger.like("event.%"))
            .order_by(OutboxMessage.id)  # notification ids sort in creation order
        ).all()
    assert [m.trigger for m in messages] == ["event.created", "event.updated", "event.deleted"]
    assert messages[0].payload["when"]["object"] == "timespan"
    assert messages[2].payload == {
        "id": event["id"],
        "calendar_id": event["calendar_id"],
        "grant_id": grant["id"],
        "object": "event",
    }


def test_event_of_another_calendar_is_not_found(api: httpx.Client, grant: dict[str, Any]) -> None:
    other = api.post(f"/v3/grants/{grant['id']}/calendars", json={"name": "o"}).json()["data"]
    event = create_event(api, grant["id"], {"when": {"time": T0}}, calendar_id=other["id"])
    assert api.get(_url(grant, event["id"]), params={"calendar_id": "primary"}).status_code == 404
    assert api.get(_url(grant, event["id"]), params={"calendar_id": other["id"]}).status_code == 200


def test_recurrence_expands_in_the_event_zone(api: httpx.Client, grant: dict[str, Any]) -> None:
    # Weekly at 09:00 New York across the March DST change: the UTC hour moves, the local one not.
    start = ts("2026-03-02T09:00:00-05:00")
    master = create_event(
        api,
        grant["id"],
        {
            "title": "weekly",
            "when": {
                "start_time": start,
                "end_time": start + HOUR,
                "start_timezone": "America/New_York",
            },
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE:20260316T130000Z"],
        },
    )
    assert master["recurrence"][0] == "RRULE:FREQ=WEEKLY;COUNT=4"
    items = list_events(api, grant["id"], start=start - DAY, end=start + 40 * DAY)
    starts = [e["when"]["start_time"] for e in items]
    assert starts == [
        start,
        ts("2026-03-09T09:00:00-04:00"),
        ts("2026-03-23T09:00:00-04:00"),
    ]
    assert all(e["master_event_id"] == master["id"] for e in items)
    assert items[1]["id"] == master["id"] + "_20260309T130000Z"
    assert items[1]["original_start_time"] == starts[1]
    unexpanded = list_events(
        api, grant["id"], start=start - DAY, end=start + 40 * DAY, expand_recurring="False"
    )
    assert [e["id"] for e in unexpanded] == [master["id"]]
    only = list_events(
        api, grant["id"], start=start - DAY, end=start + 40 * DAY, master_event_id=master["id"]
    )
    assert len(only) == 3


def test_instance_find_update_delete(api: httpx.Client, grant: dict[str, Any]) -> None:
    master = create_event(
        api,
        grant["id"],
        {
            "title": "daily",
            "when": {"start_time": T0, "end_time": T0 + HOUR},
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=5"],
        },
    )
    params = {"calendar_id": "primary"}
    second = f"{master['id']}_{datetime.fromtimestamp(T0 + DAY, UTC):%Y%m%dT%H%M%SZ}"
    third = f"{master['id']}_{datetime.fromtimestamp(T0 + 2 * DAY, UTC):%Y%m%dT%H%M%SZ}"
    found = api.get(_url(grant, second), params=params)
    assert found.status_code == 200
    assert found.json()["data"]["when"]["start_time"] == T0 + DAY
    not_an_instance = f"{master['id']}_20260101T100001Z"
    assert api.get(_url(grant, not_an_instance), params=params).status_code == 404
    moved = api.put(
        _url(grant, second),
        params=params,
        json={
            "title": "moved",
            "when": {"start_time": T0 + DAY + 2 * HOUR, "end_time": T0 + DAY + 3 * HOUR},
        },
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["data"]["id"] == second
    assert moved.json()["data"]["master_event_id"] == master["id"]
    assert api.delete(_url(grant, third), params=params).status_code == 200
    items = list_events(api, grant["id"], start=T0 - DAY, end=T0 + 10 * DAY)
    assert [(e["title"], e["when"]["start_time"]) for e in items] == [
        ("daily", T0),
        ("moved", T0 + DAY + 2 * HOUR),
        ("daily", T0 + 3 * DAY),
        ("daily", T0 + 4 * DAY),
    ]
    assert api.delete(_url(grant, master["id"]), params=params).status_code == 200
    assert list_events(api, grant["id"], start=T0 - DAY, end=T0 + 10 * DAY) == []


@pytest.mark.parametrize(
    "lines",
    [
        ["RRULE:FREQ=MINUTELY"],
        ["RRULE:FREQ=DAILY;COUNT=x"],
        ["EXDATE:20260101T000000Z"],
        ["nonsense"],
        ["RRULE:FREQ=DAILY", "EXDATE;TZID=Nowhere/Land:20260101T000000"],
        "RRULE:FREQ=DAILY",
    ],
)
def test_bad_recurrence_is_a_400(api: httpx.Client, grant: dict[str, Any], lines: Any) -> None:
    response = api.post(
        _url(grant),
        params={"calendar_id": "primary"},
        json={"when": {"start_time": T0, "end_time": T0 + HOUR}, "recurrence": lines},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith("recurrence")


def test_send_rsvp(api: httpx.Client, grant: dict[str, Any]) -> None:
    event = create_event(
        api,
        grant["id"],
        {
            "when": {"start_time": T0, "end_time": T0 + HOUR},
            "participants": [{"email": grant["email"]}, {"email": "b@example.com"}],
        },
    )
    url = _url(grant, event["id"]) + "/send-rsvp"
    params = {"calendar_id": "primary"}
    assert api.post(url, params=params, json={"status": "maybe"}).status_code == 200
    found = api.get(_url(grant, event["id"]), params=params).json()["data"]
    assert found["status"] == "maybe"
    assert found["participants"][0]["status"] == "maybe"
    assert found["participants"][1]["status"] == "noreply"
    assert api.post(url, params=params, json={"status": "later"}).status_code == 400
    assert api.post(url, params=params, json={"status": "no"}).status_code == 200
    found = api.get(_url(grant, event["id"]), params=params).json()["data"]
    assert found["busy"] is False
