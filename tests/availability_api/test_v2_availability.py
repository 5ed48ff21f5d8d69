"""The v2 availability faces of seed 003, through HTTP."""

from __future__ import annotations

import httpx

from tests.availability_api.helpers import error_of, event, grant, ts

MONDAY = "2026-03-02"


def _window(**extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "start_time": ts(f"{MONDAY}T09:00"),
        "end_time": ts(f"{MONDAY}T11:00"),
        "duration_minutes": 30,
        "interval_minutes": 30,
        "free_busy": [],
    }
    body.update(extra)
    return body


def test_grant_busy_and_free_busy_entries_combine(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    event(api, "ann@example.com", ts(f"{MONDAY}T09:00"), ts(f"{MONDAY}T09:30"))
    body = _window(
        emails=["ann@example.com", "guest@elsewhere.example"],
        free_busy=[
            {
                "email": "guest@elsewhere.example",
                "object": "free_busy",
                "time_slots": [
                    {"start_time": str(ts(f"{MONDAY}T10:00")), "end_time": ts(f"{MONDAY}T10:30")}
                ],
            }
        ],
    )
    response = api.post("/calendars/availability", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["object"] == "availability"
    assert [s["start"] for s in data["time_slots"]] == [
        ts(f"{MONDAY}T09:30"),
        ts(f"{MONDAY}T10:30"),
    ]
    assert data["time_slots"][0]["status"] == "free"
    assert "order" not in data


def test_email_without_grant_needs_free_busy(api: httpx.Client) -> None:
    body = _window(emails=["stranger@example.com"])
    message = error_of(api.post("/calendars/availability", json=body))
    assert message.startswith("emails[0]") and "stranger@example.com" in message


def test_open_hours_monday_is_zero_and_times_without_leading_zero(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    body = _window(
        emails=["ann@example.com"],
        end_time=ts(f"{MONDAY}T23:00"),
        open_hours=[
            {
                "emails": ["ann@example.com"],
                "days": ["0"],
                "timezone": "America/Chicago",
                "start": "9:00",
                "end": "10:00",
                "object_type": "open_hours",
            }
        ],
    )
    response = api.post("/calendars/availability", json=body)
    assert response.status_code == 200, response.text
    # 9:00-10:00 in Chicago on a Monday in March (CST, UTC-6) is 15:00-16:00 UTC.
    starts = [s["start"] for s in response.json()["time_slots"]]
    assert starts == [ts(f"{MONDAY}T15:00"), ts(f"{MONDAY}T15:30")]


def test_round_robin_returns_emails_and_order(api: httpx.Client) -> None:
    grant(api, "bob@example.com")
    grant(api, "ann@example.com")
    event(api, "ann@example.com", ts(f"{MONDAY}T09:00"), ts(f"{MONDAY}T10:00"))
    body = _window(emails=["bob@example.com", "ann@example.com"], round_robin="max-availability")
    data = api.post("/calendars/availability", json=body).json()
    assert data["order"] == ["ann@example.com", "bob@example.com"]
    assert data["time_slots"][0]["emails"] == ["bob@example.com"]
    assert set(data["time_slots"][-1]["emails"]) == {"ann@example.com", "bob@example.com"}


def test_consecutive_with_two_dimensional_emails(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    grant(api, "bob@example.com")
    event(api, "bob@example.com", ts(f"{MONDAY}T09:00"), ts(f"{MONDAY}T09:30"))
    body = _window(emails=[["ann@example.com"], ["bob@example.com"]])
    response = api.post("/calendars/availability/consecutive", json=body)
    assert response.status_code == 200, response.text
    itineraries = response.json()
    assert itineraries[0] == [
        {
            "emails": ["ann@example.com"],
            "start_time": ts(f"{MONDAY}T09:00"),
            "end_time": ts(f"{MONDAY}T09:30"),
        },
        {
            "emails": ["bob@example.com"],
            "start_time": ts(f"{MONDAY}T09:30"),
            "end_time": ts(f"{MONDAY}T10:00"),
        },
    ]
    starts = [it[0]["start_time"] for it in itineraries]
    assert starts == sorted(starts)


def test_consecutive_meetings_with_a_gap(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    grant(api, "bob@example.com")
    body = _window(
        duration_minutes=999,
        meetings=[
            {"emails": ["ann@example.com"], "duration_minutes": 30},
            {"emails": [], "duration_minutes": 15},
            {"emails": ["bob@example.com", "ann@example.com"], "duration_minutes": 15},
        ],
    )
    response = api.post("/calendars/availability/consecutive", json=body)
    assert response.status_code == 200, response.text
    first = response.json()[0]
    assert [m["end_time"] - m["start_time"] for m in first] == [1800, 900]
    assert first[1]["start_time"] - first[0]["end_time"] == 900


def test_consecutive_gap_rules(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    leading_gap = _window(
        meetings=[
            {"emails": [], "duration_minutes": 15},
            {"emails": ["ann@example.com"], "duration_minutes": 15},
        ]
    )
    assert error_of(api.post("/calendars/availability/consecutive", json=leading_gap)).startswith(
        "meetings"
    )


def test_string_timestamps_and_bad_types(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    ok = _window(emails=["ann@example.com"], start_time=str(ts(f"{MONDAY}T09:00")))
    assert api.post("/calendars/availability", json=ok).status_code == 200
    bad = _window(emails=["ann@example.com"], duration_minutes="thirty")
    assert error_of(api.post("/calendars/availability", json=bad)).startswith("duration_minutes")
    bad = _window(emails=["ann@example.com"], round_robin="loudest")
    assert error_of(api.post("/calendars/availability", json=bad)).startswith("round_robin")
    assert error_of(api.post("/calendars/availability", content=b"{nope")).startswith("body")
