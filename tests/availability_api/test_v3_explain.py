"""POST /v3/calendars/availability/explain through HTTP, with busy time from stored events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from tests.availability_api.helpers import error_of, event, grant, ts

MONDAY = "2026-03-02"


def _body(emails: list[str], times: Sequence[object], **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "start_time": ts(f"{MONDAY}T09:00"),
        "end_time": ts(f"{MONDAY}T12:00"),
        "duration_minutes": 30,
        "participants": [{"email": e} for e in emails],
        "times": times,
    }
    body.update(extra)
    return body


def _explain(api: httpx.Client, body: dict[str, object]) -> dict[str, Any]:
    response = api.post("/v3/calendars/availability/explain", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def test_each_time_is_explained_against_the_listing(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    grant(api, "bob@example.com")
    busy = event(api, "ann@example.com", ts(f"{MONDAY}T09:00"), ts(f"{MONDAY}T10:00"))
    times = [ts(f"{MONDAY}T{t}") for t in ("09:30", "10:00", "10:10", "13:00")]
    body = _body(
        ["ann@example.com", "bob@example.com"],
        times,
        availability_rules={"availability_method": "collective"},
    )
    data = _explain(api, body)
    listed = api.post("/v3/calendars/availability", json={**body, "times": None})
    offered = {s["start_time"] for s in listed.json()["data"]["time_slots"]}
    found = data["explanations"]
    assert isinstance(found, list)
    assert [x["start_time"] for x in found] == times
    assert (
        [x["offered"] for x in found]
        == [t in offered for t in times]
        == [
            False,
            True,
            False,
            False,
        ]
    )
    at_930, at_1000, at_1010, at_1300 = found
    assert at_930["blocked_by"] == ["ann@example.com"]
    (reason,) = at_930["reasons"]
    assert reason["code"] == "busy" and reason["email"] == "ann@example.com"
    assert reason["details"] == {
        "event_id": busy["id"],
        "calendar_id": busy["calendar_id"],
        "span": [ts(f"{MONDAY}T09:00"), ts(f"{MONDAY}T10:00")],
    }
    assert [p["available"] for p in at_930["participants"]] == [False, True]
    assert at_1000["reasons"] == [] and at_1000["emails"] == ["ann@example.com", "bob@example.com"]
    assert [r["code"] for r in at_1010["reasons"]] == ["not_on_grid"]
    assert at_1010["reasons"][0]["details"]["nearest"] == [
        ts(f"{MONDAY}T10:00"),
        ts(f"{MONDAY}T10:30"),
    ]
    assert [r["code"] for r in at_1300["reasons"]] == ["outside_window"]


def test_open_hours_reason_names_rule_zone_date_and_dst(api: httpx.Client) -> None:
    """New York springs forward on 2026-03-08: the rule's day is noted as a clock change."""
    grant(api, "ann@example.com")
    sunday = "2026-03-08"
    body = {
        "start_time": ts(f"{sunday}T05:00"),
        "end_time": ts(f"{sunday}T23:00"),
        "duration_minutes": 30,
        "participants": [
            {
                "email": "ann@example.com",
                "open_hours": [
                    {"days": [0], "timezone": "America/New_York", "start": "9:00", "end": "17:00"}
                ],
            }
        ],
        "times": [ts(f"{sunday}T12:00")],  # 08:00 EDT
    }
    (x,) = _explain(api, body)["explanations"]
    (reason,) = x["reasons"]
    assert reason["code"] == "outside_open_hours"
    (rule,) = reason["details"]["rules"]
    assert rule["timezone"] == "America/New_York"
    assert rule["local_date"] == sunday
    assert rule["hours"] == "09:00-17:00"
    assert rule["dst"] == {"offset_before": "-05:00", "offset_after": "-04:00"}
    assert rule["open"] == [ts(f"{sunday}T13:00"), ts(f"{sunday}T21:00")]


def test_round_robin_lists_each_hosts_reasons(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    grant(api, "bob@example.com")
    event(api, "ann@example.com", ts(f"{MONDAY}T09:00"), ts(f"{MONDAY}T10:00"))
    body = _body(
        ["ann@example.com", "bob@example.com"],
        [ts(f"{MONDAY}T09:00")],
        availability_rules={"availability_method": "max-availability", "buffer": {"after": 15}},
    )
    (x,) = _explain(api, body)["explanations"]
    assert x["offered"] and x["emails"] == ["bob@example.com"] and x["reasons"] == []
    ann, bob = x["participants"]
    assert [r["code"] for r in ann["reasons"]] == ["busy"] and bob["reasons"] == []
    (after,) = _explain(api, {**body, "times": [ts(f"{MONDAY}T10:00")]})["explanations"]
    assert [r["code"] for r in after["participants"][0]["reasons"]] == ["buffer"]


def test_times_are_checked_field_by_field(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    url = "/v3/calendars/availability/explain"
    cases: list[tuple[object, str]] = [
        (None, "times"),
        ([], "times"),
        ("soon", "times"),
        ([ts(f"{MONDAY}T09:00"), "ten"], "times[1]"),
        ([-5], "times[0]"),
        ([10**13], "times[0]"),
        ([True], "times[0]"),
        (list(range(201)), "times"),
    ]
    for times, field in cases:
        body = _body(["ann@example.com"], [])
        body["times"] = times
        message = error_of(api.post(url, json=body))
        assert message.startswith(f"{field}:"), (times, message)
    # The availability body's own checks still apply.
    message = error_of(
        api.post(url, json={**_body(["ann@example.com"], [1]), "duration_minutes": 7})
    )
    assert message.startswith("duration_minutes:")
    assert api.post(url, json=_body(["ann@example.com"], list(range(200)))).status_code == 200


def test_requires_the_api_key(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    body = _body(["ann@example.com"], [ts(f"{MONDAY}T09:00")])
    anonymous = httpx.post(f"{api.base_url}/v3/calendars/availability/explain", json=body)
    assert anonymous.status_code == 401


def test_extreme_times_are_explained_not_crashed(api: httpx.Client) -> None:
    grant(api, "ann@example.com")
    last = 253_402_300_799 - 8 * 86400
    times = [0, 1, last, last - 1000]
    body = _body(
        ["ann@example.com"],
        times,
        participants=[
            {
                "email": "ann@example.com",
                "open_hours": [
                    {
                        "days": [0, 6],
                        "timezone": "Pacific/Kiritimati",
                        "start": "0:00",
                        "end": "0:00",
                    }
                ],
            }
        ],
    )
    found = _explain(api, body)["explanations"]
    assert [x["start_time"] for x in found] == times
    assert not any(x["offered"] for x in found)
    url = "/v3/calendars/availability/explain"
    message = error_of(api.post(url, json={**body, "times": [last + 1]}))
    assert message.startswith("times[0]:")
    message = error_of(api.post(url, json={**body, "duration_minutes": 31 * 1440 + 5}))
    assert message.startswith("duration_minutes:")
