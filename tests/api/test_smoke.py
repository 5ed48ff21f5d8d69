from __future__ import annotations

import httpx

from tests.support.factories import connect, create_event, list_events


def test_smoke(api: httpx.Client) -> None:
    grant = connect(api, "a@example.com", name="A", timezone="Europe/Berlin")
    assert grant["email"] == "a@example.com"
    cal = api.get(f"/v3/grants/{grant['id']}/calendars/primary").json()
    assert cal["data"]["is_primary"] is True, cal
    ev = create_event(api, "a@example.com", {"title": "x", "when": {"start_time": 1000, "end_time": 2000}})
    assert ev["when"]["object"] == "timespan"
    rec = create_event(api, "a@example.com", {"title": "daily", "when": {"start_time": 1700000000, "end_time": 1700001800}, "recurrence": ["RRULE:FREQ=DAILY;COUNT=5"]})
    items = list_events(api, "a@example.com", start=1699999999, end=1800000000)
    print(items)
    assert len(items) == 5
    fb = api.post(f"/v3/grants/{grant['id']}/calendars/free-busy", json={"start_time": 1699990000, "end_time": 1700990000, "emails": ["a@example.com", "b@x.com"]})
    print(fb.json())
    assert fb.status_code == 200
