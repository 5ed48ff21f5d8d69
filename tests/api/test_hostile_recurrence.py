"""Hostile recurrence rules through the events API: a series from 1970 with an instance every
minute (or second) is answered from the window, not walked from DTSTART."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.factories import connect, create_event, list_events

T0 = 1_767_225_600  # 2026-01-01 00:00 UTC
DAY = 86_400
EVERY_HOUR = ",".join(str(h) for h in range(24))
EVERY_MINUTE = ",".join(str(m) for m in range(60))
EVERY_SECOND = ",".join(str(s) for s in range(60))


def _free_busy(api: httpx.Client, grant: dict[str, Any], start: int, end: int) -> list[Any]:
    body = {"start_time": start, "end_time": end, "emails": [grant["email"]]}
    response = api.post(f"/v3/grants/{grant['id']}/calendars/free-busy", json=body)
    assert response.status_code == 200, response.text
    return [(s["start_time"], s["end_time"]) for s in response.json()["data"][0]["time_slots"]]


def test_a_1970_series_every_minute_is_read_for_the_window(api: httpx.Client) -> None:
    grant = connect(api, "dense@example.com")
    rule = f"RRULE:FREQ=DAILY;BYHOUR={EVERY_HOUR};BYMINUTE={EVERY_MINUTE};BYSECOND=0"
    master = create_event(
        api, grant["id"], {"when": {"start_time": 0, "end_time": 30}, "recurrence": [rule]}
    )
    hour = _free_busy(api, grant, T0 + 9 * 3600, T0 + 10 * 3600)
    assert hour == [(T0 + 9 * 3600 + m * 60, T0 + 9 * 3600 + m * 60 + 30) for m in range(60)]
    items = list_events(api, grant["id"], start=T0, end=T0 + 600)
    assert [e["id"] for e in items] == [f"{master['id']}_20260101T00{m:02d}00Z" for m in range(10)]


def test_a_series_denser_than_the_cap_counts_as_busy_to_the_window_end(
    api: httpx.Client,
) -> None:
    grant = connect(api, "seconds@example.com")
    rule = f"RRULE:FREQ=DAILY;BYHOUR={EVERY_HOUR};BYMINUTE={EVERY_MINUTE};BYSECOND={EVERY_SECOND}"
    create_event(api, grant["id"], {"when": {"start_time": 0, "end_time": 1}, "recurrence": [rule]})
    week = _free_busy(api, grant, T0, T0 + 7 * DAY)
    assert week == [(T0, T0 + 7 * DAY)]
