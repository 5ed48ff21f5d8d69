"""POST /v3/calendars/availability through HTTP, with busy time from stored events."""

from __future__ import annotations

import httpx
import pytest

from tests.availability_api.helpers import error_of, event, grant, ts
from tests.support.waiting import HTTP_TIMEOUT

MONDAY = "2026-03-02"
WEEKDAYS_V3 = [1, 2, 3, 4, 5]  # v3 counts 0 = Sunday


def _request(emails: list[str], **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "start_time": ts(f"{MONDAY}T09:00"),
        "end_time": ts(f"{MONDAY}T12:00"),
        "duration_minutes": 30,
        "participants": [{"email": e} for e in emails],
    }
    body.update(extra)
    return body


def _starts(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [s["start_time"] for s in response.json()["data"]["time_slots"]]


def test_collective_slots_avoid_everyones_events(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    grant(api, "bob@example.com")
    event(api, "ann@example.com", ts(f"{MONDAY}T09:00"), ts(f"{MONDAY}T10:00"))
    event(api, "bob@example.com", ts(f"{MONDAY}T11:00"), ts(f"{MONDAY}T11:30"))
    body = _request(
        ["ann@example.com", "bob@example.com"],
        availability_rules={"availability_method": "collective"},
    )
    response = api.post("/v3/calendars/availability", json=body)
    assert _starts(response) == [
        ts(f"{MONDAY}T10:00"),
        ts(f"{MONDAY}T10:30"),
        ts(f"{MONDAY}T11:30"),
    ]
    slot = response.json()["data"]["time_slots"][0]
    assert slot["emails"] == ["ann@example.com", "bob@example.com"]
    assert slot["end_time"] - slot["start_time"] == 1800
    assert response.json()["data"]["order"] == []


def test_non_busy_and_cancelled_events_do_not_block(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    event(api, "ann@example.com", ts(f"{MONDAY}T09:00"), ts(f"{MONDAY}T12:00"), busy=False)
    cancelled = event(api, "ann@example.com", ts(f"{MONDAY}T09:00"), ts(f"{MONDAY}T12:00"))
    deleted = api.delete(
        f"/v3/grants/ann@example.com/events/{cancelled['id']}", params={"calendar_id": "primary"}
    )
    assert deleted.status_code == 200
    response = api.post("/v3/calendars/availability", json=_request(["ann@example.com"]))
    assert len(_starts(response)) == 6


def test_open_hours_buffers_and_interval(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    event(api, "ann@example.com", ts(f"{MONDAY}T10:00"), ts(f"{MONDAY}T10:30"))
    body = _request(
        ["ann@example.com"],
        interval_minutes=15,
        availability_rules={
            "availability_method": "collective",
            "buffer": {"before": 15, "after": 15},
            "default_open_hours": [
                {"days": WEEKDAYS_V3, "timezone": "UTC", "start": "9:30", "end": "12:00"}
            ],
        },
    )
    # Busy 9:45-10:45 with buffers; open from 9:30. 9:30 cannot fit 30 minutes before 9:45.
    starts = _starts(api.post("/v3/calendars/availability", json=body))
    assert starts == [ts(f"{MONDAY}T{t}") for t in ("10:45", "11:00", "11:15", "11:30")]


def test_sunday_is_day_zero_on_v3(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    sunday = "2026-03-01"
    body = {
        "start_time": ts(f"{sunday}T00:00"),
        "end_time": ts(f"{MONDAY}T23:00"),
        "duration_minutes": 60,
        "participants": [
            {
                "email": "ann@example.com",
                "open_hours": [{"days": [0], "timezone": "UTC", "start": "10:00", "end": "11:00"}],
            }
        ],
    }
    assert _starts(api.post("/v3/calendars/availability", json=body)) == [ts(f"{sunday}T10:00")]


def test_round_to_snaps_starts_up(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    event(api, "ann@example.com", ts(f"{MONDAY}T09:00"), ts(f"{MONDAY}T09:05"))
    body = _request(["ann@example.com"], end_time=ts(f"{MONDAY}T10:00"))
    assert _starts(api.post("/v3/calendars/availability", json=body)) == [ts(f"{MONDAY}T09:15")]


def test_max_fairness_orders_by_last_booking(api: httpx.Client) -> None:
    for name in ("ann", "bob", "cat"):
        grant(api, f"{name}@example.com")
    # ann was booked into the group, so she goes to the back of the line.
    event(
        api,
        "ann@example.com",
        ts("2026-02-20T09:00"),
        ts("2026-02-20T09:30"),
        metadata={"key5": "team-intro"},
    )
    body = _request(
        ["ann@example.com", "bob@example.com", "cat@example.com"],
        availability_rules={
            "availability_method": "max-availability",
            "round_robin_group_id": "team-intro",
        },
    )
    response = api.post("/v3/calendars/availability", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["order"] == [
        "bob@example.com",
        "cat@example.com",
        "ann@example.com",
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"duration_minutes": 7}, "duration_minutes"),
        ({"duration_minutes": "30"}, "duration_minutes"),
        ({"interval_minutes": 0}, "interval_minutes"),
        ({"end_time": ts("2026-03-01T00:00")}, "end_time"),
        ({"end_time": ts("2028-03-10T00:00")}, "end_time"),
        ({"start_time": None}, "start_time"),
        ({"participants": []}, "participants"),
        ({"participants": [{"email": "nobody@example.com"}]}, "participants[0].email"),
        (
            {"participants": [{"email": "ann@example.com", "calendar_ids": ["nope"]}]},
            "participants[0].calendar_ids[0]",
        ),
        (
            {"availability_rules": {"availability_method": "random"}},
            "availability_rules.availability_method",
        ),
        (
            {
                "participants": [
                    {
                        "email": "ann@example.com",
                        "open_hours": [
                            {"days": [1], "timezone": "Mars/Base", "start": "9:00", "end": "17:00"}
                        ],
                    }
                ]
            },
            "participants[0].open_hours[0].timezone",
        ),
        (
            {
                "participants": [
                    {
                        "email": "ann@example.com",
                        "open_hours": [
                            {"days": [9], "timezone": "UTC", "start": "9:00", "end": "17:00"}
                        ],
                    }
                ]
            },
            "participants[0].open_hours[0].days[0]",
        ),
    ],
)
def test_bad_requests_name_the_field(
    api: httpx.Client, change: dict[str, object], field: str
) -> None:
    grant(api, "ann@example.com")
    body = _request(["ann@example.com"])
    body.update(change)
    message = error_of(api.post("/v3/calendars/availability", json=body))
    assert message.startswith(field), message


def test_too_many_participants(api: httpx.Client) -> None:
    body = _request([f"p{i}@example.com" for i in range(51)])
    assert error_of(api.post("/v3/calendars/availability", json=body)).startswith("participants")


def test_requires_api_key(server: object, api: httpx.Client) -> None:
    response = httpx.post(
        f"{api.base_url}/v3/calendars/availability", json={}, timeout=HTTP_TIMEOUT
    )
    assert error_of(response, 401)
