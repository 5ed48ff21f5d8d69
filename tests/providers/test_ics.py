"""ICS feed grants: a read-only busy source served by a loopback HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select

from slotwise.db.engine import Database
from slotwise.db.models import Event, ProviderItem
from slotwise.providers.sync import sync_now
from tests.providers.conftest import simple_event
from tests.support.feeds import Feed
from tests.support.scheduling import future_hour

HOUR = 3600
DAY = 86400


@pytest.fixture
def feed() -> Iterator[Feed]:
    server = Feed().start()
    yield server
    server.stop()


def _connect(api: httpx.Client, url: str) -> httpx.Response:
    return api.post(
        "/v3/connect/custom",
        json={"provider": "ics", "settings": {"email": "feed@example.com", "url": url}},
    )


def _busy(api: httpx.Client, grant_id: str, start: int, end: int) -> list[tuple[int, int]]:
    response = api.post(
        f"/v3/grants/{grant_id}/calendars/free-busy",
        json={"start_time": start, "end_time": end, "emails": ["feed@example.com"]},
    )
    assert response.status_code == 200, response.text
    return [(s["start_time"], s["end_time"]) for s in response.json()["data"][0]["time_slots"]]


def test_feed_is_a_read_only_busy_source(api: httpx.Client, feed: Feed, always_sync: None) -> None:
    t0 = future_hour(days=2, hour=9)
    feed.body = (
        simple_event("one", t0, t0 + HOUR)[: -len("END:VCALENDAR\r\n")]
        + "BEGIN:VEVENT\r\nUID:two\r\nDTSTAMP:20250101T000000Z\r\n"
        + "DTSTART:20300101T000000Z\r\nDTEND:20300101T010000Z\r\nTRANSP:TRANSPARENT\r\n"
        + "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    response = _connect(api, feed.url)
    assert response.status_code == 200, response.text
    grant = response.json()["data"]
    calendars = api.get(f"/v3/grants/{grant['id']}/calendars").json()["data"]
    assert len(calendars) == 1 and calendars[0]["read_only"] and calendars[0]["is_primary"]
    window = (t0 - HOUR, t0 + 4 * HOUR)
    assert _busy(api, grant["id"], *window) == [(t0, t0 + HOUR)]
    # Unchanged feed: the conditional GET gets a 304.
    assert _busy(api, grant["id"], *window) == [(t0, t0 + HOUR)]
    assert "If-None-Match" in feed.requests[-1]
    # Changed feed: the event moved.
    feed.body = simple_event("one", t0 + 2 * HOUR, t0 + 3 * HOUR)
    assert _busy(api, grant["id"], *window) == [(t0 + 2 * HOUR, t0 + 3 * HOUR)]
    # Writes are refused, naming the calendar as read_only.
    created = api.post(
        f"/v3/grants/{grant['id']}/events",
        params={"calendar_id": calendars[0]["id"]},
        json={"title": "x", "when": {"start_time": t0, "end_time": t0 + HOUR}},
    )
    assert created.status_code == 400
    assert "read" in created.json()["error"]["message"]
    listed = api.get(
        f"/v3/grants/{grant['id']}/events",
        params={"calendar_id": calendars[0]["id"], "start": t0 - HOUR, "end": t0 + 4 * HOUR},
    ).json()["data"]
    assert len(listed) == 1
    updated = api.put(
        f"/v3/grants/{grant['id']}/events/{listed[0]['id']}",
        params={"calendar_id": calendars[0]["id"]},
        json={"title": "mine now"},
    )
    assert updated.status_code == 400
    assert "read_only" in updated.json()["error"]["message"]


def test_bad_feeds_are_refused(api: httpx.Client, feed: Feed) -> None:
    feed.body = "this is not a calendar"
    response = _connect(api, feed.url)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("settings.url")
    missing = _connect(api, feed.url.replace("cal.ics", "nothing.ics"))
    assert missing.status_code == 400
    assert missing.json()["error"]["message"].startswith("settings.url")
    no_url = api.post(
        "/v3/connect/custom", json={"provider": "ics", "settings": {"email": "feed@example.com"}}
    )
    assert no_url.status_code == 400
    assert "settings.url" in no_url.json()["error"]["message"]


# ---------------------------------------------------------------------------- what servers write


def _at(ts: int, fmt: str = "%Y%m%dT%H%M%S") -> str:
    return datetime.fromtimestamp(ts, UTC).strftime(fmt)


def _vevent(*lines: str) -> str:
    return (
        "BEGIN:VEVENT\r\nDTSTAMP:20300101T000000Z\r\n" + "\r\n".join(lines) + "\r\nEND:VEVENT\r\n"
    )


def _feed(*parts: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
        + "".join(parts)
        + "END:VCALENDAR\r\n"
    )


def test_one_broken_event_does_not_stop_the_feed(api: httpx.Client, feed: Feed) -> None:
    t0 = future_hour(days=3, hour=9)
    feed.body = _feed(
        _vevent("UID:good", f"DTSTART:{_at(t0)}Z", f"DTEND:{_at(t0 + HOUR)}Z"),
        _vevent("UID:bad-date", "DTSTART:2030061", f"DTEND:{_at(t0 + HOUR)}Z"),
        _vevent("UID:bad-zone", "DTSTART;TZID=(UTC-05:00) Eastern:20300610T090000"),
        _vevent("UID:bad-duration", f"DTSTART:{_at(t0)}Z", "DURATION:soon"),
    )
    connected = _connect(api, feed.url)
    assert connected.status_code == 200, connected.text
    grant_id = connected.json()["data"]["id"]
    assert _busy(api, grant_id, t0 - HOUR, t0 + 2 * HOUR) == [(t0, t0 + HOUR)]


def test_what_real_servers_write(api: httpx.Client, feed: Feed) -> None:
    t0 = future_hour(days=10, hour=0)  # midnight UTC ten days ahead
    custom_zone = (
        "BEGIN:VTIMEZONE\r\nTZID:Office Time\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
        "TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )
    feed.body = _feed(
        "X-WR-CALNAME:Rooms\r\nX-WR-TIMEZONE:UTC\r\n",
        custom_zone,
        # folded SUMMARY and an X-property with parameters: 01:00-02:00
        _vevent(
            "UID:folded",
            f"DTSTART:{_at(t0 + HOUR)}Z",
            f"DTEND:{_at(t0 + 2 * HOUR)}Z",
            "SUMMARY:A long title that a server",
            "  folded over two lines",
            "X-MICROSOFT-CDO-BUSYSTATUS;X-P=1:BUSY",
        ),
        # 09:00-10:00 Office Time (+05:30) = 03:30-04:30 UTC
        _vevent(
            "UID:custom-zone",
            f"DTSTART;TZID=Office Time:{_at(t0 + 9 * HOUR)}",
            f"DTEND;TZID=Office Time:{_at(t0 + 10 * HOUR)}",
        ),
        # floating 06:00 in the feed's zone (UTC), with DURATION instead of DTEND
        _vevent("UID:floating", f"DTSTART:{_at(t0 + 6 * HOUR)}", "DURATION:PT1H30M"),
        # no DTEND: a moment, busy for nothing
        _vevent("UID:moment", f"DTSTART:{_at(t0 + 12 * HOUR)}Z"),
        # all day over three days, starting two days later
        _vevent(
            "UID:all-day",
            f"DTSTART;VALUE=DATE:{_at(t0 + 2 * DAY, '%Y%m%d')}",
            f"DTEND;VALUE=DATE:{_at(t0 + 5 * DAY, '%Y%m%d')}",
        ),
    )
    connected = _connect(api, feed.url)
    assert connected.status_code == 200, connected.text
    grant_id = connected.json()["data"]["id"]
    # (the moment is a zero-length entry, as for events created in Slotwise)
    assert [b for b in _busy(api, grant_id, t0, t0 + DAY) if b[0] != b[1]] == [
        (t0 + HOUR, t0 + 2 * HOUR),
        (t0 + 3 * HOUR + 1800, t0 + 4 * HOUR + 1800),
        (t0 + 6 * HOUR, t0 + 7 * HOUR + 1800),
    ]
    assert _busy(api, grant_id, t0 + DAY, t0 + 6 * DAY) == [(t0 + 2 * DAY, t0 + 5 * DAY)]
    events = api.get(
        f"/v3/grants/{grant_id}/events",
        params={"calendar_id": "primary", "start": t0, "end": t0 + DAY},
    )
    assert events.status_code == 200, events.text
    titles = {e["title"] for e in events.json()["data"]}
    assert "A long title that a server folded over two lines" in titles


@pytest.mark.slow
def test_a_large_feed_connects_and_resyncs(api: httpx.Client, db: Database, feed: Feed) -> None:
    t0 = future_hour(days=2, hour=0)

    def start(i: int) -> int:  # event i: one hour every two hours (event 1 may be moved)
        return t0 + i * 2 * HOUR

    def body(numbers: list[int], moved: dict[int, int] | None = None) -> str:
        moved = moved or {}
        return _feed(
            *(
                _vevent(
                    f"UID:big-{i}",
                    f"DTSTART:{_at(moved.get(i, start(i)))}Z",
                    f"DTEND:{_at(moved.get(i, start(i)) + HOUR)}Z",
                    f"SUMMARY:Event {i}",
                )
                for i in numbers
            )
        )

    def mirror() -> tuple[dict[str, str], int]:
        """The calendar's event rows (id -> status) and its number of items."""
        with db.session(write=False) as session:
            rows = session.execute(
                select(Event.id, Event.status).where(Event.calendar_id == calendar_id)
            )
            items = session.scalar(
                select(func.count())
                .select_from(ProviderItem)
                .where(ProviderItem.calendar_id == calendar_id)
            )
            return {row.id: row.status for row in rows}, items or 0

    feed.validators = False  # every sync downloads the whole feed
    feed.body = body(list(range(5000)))
    connected = _connect(api, feed.url)
    assert connected.status_code == 200, connected.text
    grant_id = connected.json()["data"]["id"]
    calendar_id = api.get(f"/v3/grants/{grant_id}/calendars").json()["data"][0]["id"]
    rows, items = mirror()
    assert items == 5000 and len(rows) == 5000
    assert set(rows.values()) == {"confirmed"}
    assert _busy(api, grant_id, t0, t0 + 6 * HOUR) == [
        (t0, t0 + HOUR),
        (t0 + 2 * HOUR, t0 + 3 * HOUR),
        (t0 + 4 * HOUR, t0 + 5 * HOUR),
    ]
    assert _busy(api, grant_id, start(4999) - HOUR, start(4999) + 3 * HOUR) == [
        (start(4999), start(4999) + HOUR)
    ]

    # The same feed again: nothing changes.
    sync_now(db, calendar_id)
    assert mirror() == (rows, 5000)

    # Ten events gone, five new, one moved half an hour later.
    feed.body = body([*range(4990), *range(5000, 5005)], moved={1: start(1) + HOUR // 2})
    sync_now(db, calendar_id)
    after, items = mirror()
    assert items == 4995 and len(after) == 5005
    cancelled = {k for k, v in after.items() if v == "cancelled"}
    added = after.keys() - rows.keys()  # the ids of the events kept are unchanged
    assert len(cancelled) == 10 and cancelled <= rows.keys()
    assert len(added) == 5 and {after[k] for k in added} == {"confirmed"}
    assert _busy(api, grant_id, t0, t0 + 6 * HOUR) == [
        (t0, t0 + HOUR),
        (start(1) + HOUR // 2, start(1) + HOUR // 2 + HOUR),
        (t0 + 4 * HOUR, t0 + 5 * HOUR),
    ]
    assert _busy(api, grant_id, start(4995) - HOUR, start(4995) + 2 * HOUR) == []
    assert _busy(api, grant_id, start(5002) - HOUR, start(5002) + 2 * HOUR) == [
        (start(5002), start(5002) + HOUR)
    ]
