"""CalDAV grants against a real Radicale server: connect, mirror, busy time, write-back."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from slotwise.config import DeliveryPolicy, Settings
from slotwise.db.engine import Database
from slotwise.db.models import Event, ProviderCalendar
from slotwise.events import remote_writes
from slotwise.providers.policy import POLICY
from slotwise.worker import Worker
from tests.providers.conftest import Account, simple_event, vcalendar
from tests.support.radicale import Radicale
from tests.support.scheduling import config_body, create_config, future_hour, participant
from tests.support.server import free_port

HOUR = 3600


def _utc(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def _last_sunday_of_march(year: int) -> date:
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _connect(api: httpx.Client, account: Account, **settings: str) -> dict[str, Any]:
    response = api.post("/v3/connect/custom", json=account.connect_body(**settings))
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def _calendars(api: httpx.Client, grant_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/v3/grants/{grant_id}/calendars")
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def _busy(api: httpx.Client, grant: dict[str, Any], start: int, end: int) -> list[tuple[int, int]]:
    response = api.post(
        f"/v3/grants/{grant['id']}/calendars/free-busy",
        json={"start_time": start, "end_time": end, "emails": [grant["email"]]},
    )
    assert response.status_code == 200, response.text
    return [(s["start_time"], s["end_time"]) for s in response.json()["data"][0]["time_slots"]]


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"]["message"])


# ---------------------------------------------------------------------------- connect


def test_connect_finds_the_calendars_and_hides_the_password(
    api: httpx.Client, account: Account
) -> None:
    account.server.mkcalendar(account.user, account.password, "home", "Home")
    grant = _connect(api, account, timezone="Europe/Berlin")
    assert grant["provider"] == "caldav"
    assert "password" not in grant["settings"]
    assert grant["settings"]["url"] == account.server.url + "/"
    calendars = _calendars(api, grant["id"])
    assert sorted(c["name"] for c in calendars) == ["Home", "Work"]
    assert sum(c["is_primary"] for c in calendars) == 1
    assert all(not c["read_only"] for c in calendars)
    # Connecting again re-authenticates and keeps the calendar ids.
    again = _connect(api, account)
    assert again["id"] == grant["id"]
    assert {c["id"] for c in _calendars(api, grant["id"])} == {c["id"] for c in calendars}
    listed = api.get(f"/v3/grants/{grant['id']}").json()["data"]
    assert "password" not in listed["settings"]


def test_connect_refuses_bad_credentials_and_bad_urls(api: httpx.Client, account: Account) -> None:
    bad_password = account.connect_body(password="wrong")
    message = _error(api.post("/v3/connect/custom", json=bad_password), 400)
    assert message.startswith("settings.password")
    nobody = account.connect_body(url=f"http://127.0.0.1:{free_port()}/")
    refused = _error(api.post("/v3/connect/custom", json=nobody), 400)
    assert refused.startswith("settings.url: cannot reach the calendar server")
    not_http = account.connect_body(url="ftp://example.invalid/")
    assert _error(api.post("/v3/connect/custom", json=not_http), 400).startswith("settings.url")
    no_password = account.connect_body()
    del no_password["settings"]["password"]
    assert "settings.password" in _error(api.post("/v3/connect/custom", json=no_password), 400)
    assert api.get("/v3/grants").json()["data"] == []


# ---------------------------------------------------------------------------- mirror


def test_remote_events_are_busy_time(api: httpx.Client, account: Account) -> None:
    year = datetime.now(UTC).year + 1
    dst = _last_sunday_of_march(year)  # Europe's spring-forward day
    monday = dst - timedelta(days=6)
    d = [monday + timedelta(weeks=i) for i in range(4)]
    ymd = [x.strftime("%Y%m%d") for x in d]
    # Weekly 09:00 Berlin across the DST change; week 2 moved to 14:00, week 3 excluded.
    account.put(
        "series.ics",
        vcalendar(
            f"""UID:series-1
            DTSTAMP:20250101T000000Z
            DTSTART;TZID=Europe/Berlin:{ymd[0]}T090000
            DTEND;TZID=Europe/Berlin:{ymd[0]}T100000
            RRULE:FREQ=WEEKLY;COUNT=4
            EXDATE;TZID=Europe/Berlin:{ymd[2]}T090000
            SUMMARY:Weekly""",
            f"""UID:series-1
            DTSTAMP:20250101T000000Z
            RECURRENCE-ID;TZID=Europe/Berlin:{ymd[1]}T090000
            DTSTART;TZID=Europe/Berlin:{ymd[1]}T140000
            DTEND;TZID=Europe/Berlin:{ymd[1]}T150000
            SUMMARY:Weekly (moved)""",
        ),
    )
    tuesday = (monday + timedelta(days=1)).strftime("%Y%m%d")
    wednesday = monday + timedelta(days=2)
    account.put(
        "allday.ics",
        vcalendar(
            f"""UID:allday-1
            DTSTAMP:20250101T000000Z
            DTSTART;VALUE=DATE:{wednesday.strftime("%Y%m%d")}
            DTEND;VALUE=DATE:{(wednesday + timedelta(days=1)).strftime("%Y%m%d")}
            SUMMARY:Offsite"""
        ),
    )
    account.put(
        "free.ics",
        vcalendar(
            f"""UID:free-1
            DTSTAMP:20250101T000000Z
            DTSTART:{tuesday}T100000Z
            DTEND:{tuesday}T110000Z
            TRANSP:TRANSPARENT
            SUMMARY:Reminder"""
        ),
    )
    account.put(
        "cancelled.ics",
        vcalendar(
            f"""UID:cancelled-1
            DTSTAMP:20250101T000000Z
            DTSTART:{tuesday}T120000Z
            DTEND:{tuesday}T130000Z
            STATUS:CANCELLED
            SUMMARY:Called off"""
        ),
    )
    grant = _connect(api, account, timezone="America/New_York")
    start = _utc(f"{monday.isoformat()}T00:00")
    busy = _busy(api, grant, start, start + 28 * 86_400)
    iso = [x.isoformat() for x in d]
    assert busy == [
        (_utc(f"{iso[0]}T08:00"), _utc(f"{iso[0]}T09:00")),  # CET
        # the all-day event spans New York's midnights (the grant's zone)
        (_utc(f"{wednesday.isoformat()}T04:00"), _utc(f"{wednesday.isoformat()}T04:00") + 86_400),
        (_utc(f"{iso[1]}T12:00"), _utc(f"{iso[1]}T13:00")),  # moved instance, CEST
        (_utc(f"{iso[3]}T07:00"), _utc(f"{iso[3]}T08:00")),  # CEST; week 3 excluded
    ]
    # /v3/calendars/availability reads the same mirror.
    day = _utc(f"{iso[1]}T09:00")
    response = api.post(
        "/v3/calendars/availability",
        json={
            "start_time": day,
            "end_time": day + 6 * HOUR,
            "duration_minutes": 60,
            "participants": [{"email": grant["email"]}],
        },
    )
    assert response.status_code == 200, response.text
    starts = [s["start_time"] for s in response.json()["data"]["time_slots"]]
    assert starts and all(not (s < day + 4 * HOUR and s + HOUR > day + 3 * HOUR) for s in starts)
    # The events API lists the mirrored events; the series expands with its moved instance.
    primary = next(c for c in _calendars(api, grant["id"]) if c["is_primary"])
    listed = api.get(
        f"/v3/grants/{grant['id']}/events",
        params={"calendar_id": primary["id"], "start": start, "end": start + 28 * 86_400},
    ).json()["data"]
    titles = sorted(e["title"] for e in listed)
    assert titles == ["Offsite", "Reminder", "Weekly", "Weekly", "Weekly (moved)"]
    allday = next(e for e in listed if e["title"] == "Offsite")
    assert allday["when"] == {"object": "date", "date": wednesday.isoformat()}
    assert next(e for e in listed if e["title"] == "Reminder")["busy"] is False


def test_remote_changes_and_deletions_reach_the_mirror(
    api: httpx.Client, account: Account, db: Database, always_sync: None
) -> None:
    t0 = future_hour(days=3, hour=9)
    account.put("a.ics", simple_event("a", t0, t0 + HOUR))
    account.put("b.ics", simple_event("b", t0 + 3 * HOUR, t0 + 4 * HOUR))
    grant = _connect(api, account)
    window = (t0 - HOUR, t0 + 8 * HOUR)
    assert _busy(api, grant, *window) == [(t0, t0 + HOUR), (t0 + 3 * HOUR, t0 + 4 * HOUR)]
    with db.session(write=False) as session:
        ids_before = set(session.scalars(select(Event.id)))
    # Move a, delete b, add c.
    account.put("a.ics", simple_event("a", t0 + HOUR, t0 + 2 * HOUR, "SEQUENCE:1"))
    account.delete("b.ics")
    account.put("c.ics", simple_event("c", t0 + 5 * HOUR, t0 + 6 * HOUR))
    # Availability (a read-only request) syncs first and sees the changes.
    response = api.post(
        "/v3/calendars/availability",
        json={
            "start_time": t0,
            "end_time": t0 + 7 * HOUR,
            "duration_minutes": 60,
            "interval_minutes": 60,
            "participants": [{"email": grant["email"]}],
        },
    )
    assert response.status_code == 200, response.text
    starts = [slot["start_time"] for slot in response.json()["data"]["time_slots"]]
    assert [(s - t0) // HOUR for s in starts] == [0, 2, 3, 4, 6]
    assert _busy(api, grant, *window) == [
        (t0 + HOUR, t0 + 2 * HOUR),
        (t0 + 5 * HOUR, t0 + 6 * HOUR),
    ]
    with db.session(write=False) as session:
        rows = {e.ical_uid: e for e in session.scalars(select(Event))}
        state = session.scalars(select(ProviderCalendar)).first()
    assert rows["b"].status == "cancelled"
    assert ids_before <= set(rows[u].id for u in rows)  # ids are stable across syncs
    assert state is not None and state.sync_token and state.error is None


# ---------------------------------------------------------------------------- write-back


def test_events_api_writes_back(api: httpx.Client, account: Account) -> None:
    grant = _connect(api, account)
    t0 = future_hour(days=4, hour=13)
    body = {
        "title": "Planning",
        "when": {"start_time": t0, "end_time": t0 + HOUR, "start_timezone": "Europe/Paris"},
        "participants": [{"email": "guest@example.com", "name": "Guest"}],
    }
    created = api.post(
        f"/v3/grants/{grant['id']}/events", params={"calendar_id": "primary"}, json=body
    )
    assert created.status_code == 200, created.text
    event = created.json()["data"]
    objects = account.objects()
    assert len(objects) == 1
    text = next(iter(objects.values()))
    assert "SUMMARY:Planning" in text and "guest@example.com" in text
    assert "TZID=Europe/Paris" in text
    url = f"/v3/grants/{grant['id']}/events/{event['id']}"
    params = {"calendar_id": event["calendar_id"]}
    updated = api.put(url, params=params, json={"title": "Planning (moved)", "busy": False})
    assert updated.status_code == 200, updated.text
    text = next(iter(account.objects().values()))
    assert "SUMMARY:Planning (moved)" in text and "TRANSP:TRANSPARENT" in text
    assert api.delete(url, params=params).status_code == 200
    assert account.objects() == {}


def test_recurring_instance_changes_write_the_series_back(
    api: httpx.Client, account: Account
) -> None:
    grant = _connect(api, account)
    t0 = future_hour(days=5, hour=8)
    created = api.post(
        f"/v3/grants/{grant['id']}/events",
        params={"calendar_id": "primary"},
        json={
            "title": "Standup",
            "when": {"start_time": t0, "end_time": t0 + 900},
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
        },
    )
    assert created.status_code == 200, created.text
    master = created.json()["data"]
    params = {"calendar_id": master["calendar_id"]}
    second = f"{master['id']}_{datetime.fromtimestamp(t0 + 86_400, UTC).strftime('%Y%m%dT%H%M%SZ')}"
    moved = api.put(
        f"/v3/grants/{grant['id']}/events/{second}",
        params=params,
        json={"when": {"start_time": t0 + 86_400 + HOUR, "end_time": t0 + 86_400 + HOUR + 900}},
    )
    assert moved.status_code == 200, moved.text
    text = next(iter(account.objects().values()))
    assert "RRULE:FREQ=DAILY;COUNT=3" in text
    assert text.count("BEGIN:VEVENT") == 2 and "RECURRENCE-ID" in text
    assert "EXDATE" not in text  # an overridden instance is not an excluded one


# ---------------------------------------------------------------------------- bookings


def _organizer_config(api: httpx.Client, grant: dict[str, Any]) -> dict[str, Any]:
    primary = next(c for c in _calendars(api, grant["id"]) if c["is_primary"])
    body = config_body([participant(grant["email"], primary["id"], organizer=True)])
    return create_config(api, grant["id"], body)


def _book(api: httpx.Client, config_id: str, start: int) -> httpx.Response:
    return api.post(
        "/v3/scheduling/bookings",
        params={"configuration_id": config_id},
        json={
            "start_time": start,
            "end_time": start + 1800,
            "guest": {"email": "guest@example.com", "name": "Guest"},
        },
    )


def test_booking_writes_the_event_to_the_server(
    api: httpx.Client, account: Account, db: Database
) -> None:
    grant = _connect(api, account)
    config = _organizer_config(api, grant)
    start = future_hour(days=2, hour=10)
    response = _book(api, config["id"], start)
    assert response.status_code == 200, response.text
    # Written after the booking's commit, by the worker.
    assert account.objects() == {}
    assert remote_writes.write_due(db, DeliveryPolicy()) == 1
    objects = list(account.objects().values())
    assert len(objects) == 1
    stamp = datetime.fromtimestamp(start, UTC).strftime("%Y%m%dT%H%M%S")
    assert stamp in objects[0] and "guest@example.com" in objects[0]
    # The slot is now taken (the mirror holds the booking's event).
    assert _book(api, config["id"], start).status_code == 409


def test_remote_conflict_after_listing_is_caught_by_the_booking(
    api: httpx.Client, account: Account
) -> None:
    grant = _connect(api, account)
    config = _organizer_config(api, grant)
    start = future_hour(days=2, hour=14)
    # Listing: the slot is free (and the mirror has just been refreshed).
    assert (start, start + 1800) not in _busy(api, grant, start - HOUR, start + HOUR)
    # Someone books the time directly on the calendar server...
    account.put("elsewhere.ics", simple_event("elsewhere", start, start + HOUR))
    # ...well within the staleness allowance, yet the booking re-check sees it.
    response = _book(api, config["id"], start)
    assert response.status_code == 409, response.text
    assert len(account.objects()) == 1


# ---------------------------------------------------------------------------- server down


def test_provider_down_keeps_availability_answering(
    api: httpx.Client, own_radicale: Radicale, db: Database, always_sync: None
) -> None:
    own_radicale.add_user("dora", "pw")
    path = own_radicale.mkcalendar("dora", "pw", "work", "Work")
    account = Account(own_radicale, "dora", "pw", path)
    t0 = future_hour(days=3, hour=11)
    account.put("x.ics", simple_event("x", t0, t0 + HOUR))
    grant = _connect(api, account)
    assert _busy(api, grant, t0 - HOUR, t0 + 2 * HOUR) == [(t0, t0 + HOUR)]
    own_radicale.stop()
    # Availability and free/busy answer from the mirror.
    assert _busy(api, grant, t0 - HOUR, t0 + 2 * HOUR) == [(t0, t0 + HOUR)]
    response = api.post(
        "/v3/calendars/availability",
        json={
            "start_time": t0 - HOUR,
            "end_time": t0 + 2 * HOUR,
            "duration_minutes": 60,
            "participants": [{"email": grant["email"]}],
        },
    )
    assert response.status_code == 200, response.text
    assert t0 not in [slot["start_time"] for slot in response.json()["data"]["time_slots"]]
    with db.session(write=False) as session:
        state = session.scalars(select(ProviderCalendar)).first()
    assert state is not None and state.error and "settings.url" in state.error
    # A write cannot reach the server: the call fails and nothing is stored.
    created = api.post(
        f"/v3/grants/{grant['id']}/events",
        params={"calendar_id": "primary"},
        json={"title": "Lost", "when": {"start_time": t0 + 5 * HOUR, "end_time": t0 + 6 * HOUR}},
    )
    assert created.status_code == 502, created.text
    assert created.json()["error"]["type"] == "provider_error"
    with db.session(write=False) as session:
        titles = [ev.title for ev in session.scalars(select(Event))]
    assert "Lost" not in titles


@pytest.mark.parametrize("kind", ["icloud"])
def test_icloud_is_caldav_with_a_default_url(
    api: httpx.Client, account: Account, kind: str
) -> None:
    # iCloud needs no URL; pointing it at our server shows it runs the CalDAV code.
    body = account.connect_body()
    body["provider"] = kind
    grant = api.post("/v3/connect/custom", json=body)
    assert grant.status_code == 200, grant.text
    assert grant.json()["data"]["provider"] == "icloud"
    assert [c["name"] for c in _calendars(api, grant.json()["data"]["id"])] == ["Work"]


def test_the_worker_refreshes_stale_mirrors(
    api: httpx.Client, account: Account, db: Database, base_settings: Settings
) -> None:
    t0 = future_hour(days=3, hour=15)
    grant = _connect(api, account)
    account.put("late.ics", simple_event("late", t0, t0 + HOUR))
    before = POLICY.sync_seconds
    try:
        worker = Worker(db, dataclasses.replace(base_settings, provider_sync_seconds=0))
        worker.run_once()
    finally:
        POLICY.sync_seconds = before
    with db.session(write=False) as session:
        rows = list(session.scalars(select(Event).where(Event.ical_uid == "late")))
    assert [(e.grant_id, e.start_ts, e.end_ts) for e in rows] == [(grant["id"], t0, t0 + HOUR)]
