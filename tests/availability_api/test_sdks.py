"""The official SDKs' availability calls, unchanged, against a live Slotwise.

- v3 Python SDK (nylas 6.x, installed in the test environment): calendars.get_availability.
- v3 Node SDK (nylas@8.4.0, npm): calendars.getAvailability, through tests/node/availability.mjs.
- v2 Python SDK (nylas 5.14.1, the same package name, so installed apart and driven in its own
  process by sdk_v2_driver.py): free_busy, availability, consecutive_availability.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from nylas import Client
from nylas.models.availability import GetAvailabilityResponse, TimeSlot
from nylas.models.errors import NylasApiError

from tests.availability_api.helpers import event, grant, ts
from tests.conftest import API_KEY
from tests.support.server import LiveServer
from tests.support.tools import npm_package, pip_package, require_executable, run_json

pytestmark = pytest.mark.sdk

MONDAY = "2026-03-02"
WEEKDAYS_V3 = [1, 2, 3, 4, 5]  # v3 counts 0 = Sunday
WEEKDAYS_V2 = [0, 1, 2, 3, 4]  # v2 counts 0 = Monday
ANN, BOB, CAT = "ann@example.com", "bob@example.com", "cat@example.com"
HERE = Path(__file__).resolve().parent
NODE_SCRIPT = HERE.parent / "node" / "availability.mjs"
V2_DRIVER = HERE / "sdk_v2_driver.py"


def at(clock: str, day: str = MONDAY) -> int:
    return ts(f"{day}T{clock}")


@pytest.fixture
def team(api: httpx.Client) -> dict[str, dict[str, Any]]:
    """ann busy 9:00-10:00, bob busy 11:00-11:30, cat free; ann was last booked into the
    round-robin group "team-intro" (so she is last in line)."""
    grants = {email: grant(api, email) for email in (ANN, BOB, CAT)}
    event(api, ANN, at("09:00"), at("10:00"))
    event(api, BOB, at("11:00"), at("11:30"))
    event(
        api,
        ANN,
        at("09:00", "2026-02-20"),
        at("09:30", "2026-02-20"),
        metadata={"key5": "team-intro"},
    )
    return grants


# The same five requests, as the v3 wire format (snake_case) and as the Node SDK takes them.


def _v3_requests() -> list[dict[str, Any]]:
    window = {"start_time": at("09:00"), "end_time": at("12:00"), "duration_minutes": 30}
    return [
        {
            **window,
            "participants": [{"email": ANN}, {"email": BOB}],
            "availability_rules": {"availability_method": "collective"},
        },
        {
            **window,
            "participants": [{"email": ANN}, {"email": BOB}, {"email": CAT}],
            "availability_rules": {
                "availability_method": "max-availability",
                "round_robin_group_id": "team-intro",
            },
        },
        {
            **window,
            "interval_minutes": 15,
            "participants": [
                {
                    "email": ANN,
                    "open_hours": [
                        {"days": WEEKDAYS_V3, "timezone": "UTC", "start": "9:00", "end": "11:30"}
                    ],
                }
            ],
            "availability_rules": {
                "availability_method": "collective",
                "buffer": {"before": 0, "after": 15},
            },
        },
        {
            "start_time": at("09:00"),
            "end_time": at("17:00"),
            "duration_minutes": 30,
            "participants": [
                {
                    "email": CAT,
                    "open_hours": [
                        {"days": WEEKDAYS_V3, "timezone": "UTC", "start": "9:00", "end": "17:00"}
                    ],
                    "specific_time_availability": [
                        {"date": MONDAY, "start": "14:00", "end": "15:00"}
                    ],
                }
            ],
        },
        {
            "start_time": at("10:10"),
            "end_time": at("12:00"),
            "duration_minutes": 30,
            "round_to": 30,
            "participants": [{"email": CAT}],
        },
    ]


EXPECTED_STARTS = [
    # collective: ann and bob both free
    [at("10:00"), at("10:30"), at("11:30")],
    # max-availability over ann, bob, cat: cat is always free
    [at(t) for t in ("09:00", "09:30", "10:00", "10:30", "11:00", "11:30")],
    # ann's open hours end 11:30; her 9-10 meeting plus 15 minutes after it keeps her to 10:15+
    [at(t) for t in ("10:15", "10:30", "10:45", "11:00")],
    # the Monday override replaces the weekly 9-17
    [at("14:00"), at("14:30")],
    # starts snap up to the half hour
    [at("10:30"), at("11:00"), at("11:30")],
]


def _check_max_availability_slots(slots: list[tuple[list[str], int]]) -> None:
    """Each round-robin slot names the people free then; ann is busy 9-10, bob 11-11:30."""
    by_start = {start: set(emails) for emails, start in slots}
    assert by_start[at("09:00")] == {BOB, CAT}
    assert by_start[at("10:00")] == {ANN, BOB, CAT}
    assert by_start[at("11:00")] == {ANN, CAT}


def test_python_sdk_get_availability(server: LiveServer, team: dict[str, Any]) -> None:
    nylas = Client(api_key=API_KEY, api_uri=server.url)
    answers = [nylas.calendars.get_availability(request_body=r) for r in _v3_requests()]
    for answer, expected in zip(answers, EXPECTED_STARTS, strict=True):
        assert isinstance(answer.data, GetAvailabilityResponse)
        assert answer.request_id
        assert all(isinstance(s, TimeSlot) for s in answer.data.time_slots)
        assert [s.start_time for s in answer.data.time_slots] == expected
        assert all(s.end_time - s.start_time == 1800 for s in answer.data.time_slots)

    collective = answers[0].data
    assert all(s.emails == [ANN, BOB] for s in collective.time_slots)
    assert collective.order == []

    round_robin = answers[1].data
    assert round_robin.order == [BOB, CAT, ANN]
    _check_max_availability_slots([(s.emails, s.start_time) for s in round_robin.time_slots])

    assert all(s.emails == [ANN] for s in answers[2].data.time_slots)
    assert all(s.emails == [CAT] for s in answers[3].data.time_slots)

    bad = {**_v3_requests()[0], "duration_minutes": 7}
    with pytest.raises(NylasApiError) as raised:
        nylas.calendars.get_availability(request_body=bad)
    assert raised.value.status_code == 400
    assert raised.value.type == "invalid_request_error"
    assert str(raised.value).startswith("duration_minutes")


def _camel(value: Any) -> Any:
    """The camelCase shape a Node program writes (keys only, as the SDK converts them back)."""
    if isinstance(value, list):
        return [_camel(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        head, *rest = key.split("_")
        out[head + "".join(part.capitalize() for part in rest)] = _camel(item)
    return out


def test_node_sdk_get_availability(server: LiveServer, team: dict[str, Any]) -> None:
    node = require_executable("node")
    folder = npm_package("nylas@8.4.0", "node-sdk")
    requests = [_camel(r) for r in _v3_requests()]
    # The Node SDK's own names: the group id is roundRobinEventId, and the deprecated
    # roundTo30Minutes (sent as round_to_30_minutes) stands in for round_to.
    rules = requests[1]["availabilityRules"]
    rules["roundRobinEventId"] = rules.pop("roundRobinGroupId")
    del requests[4]["roundTo"]
    requests[4]["roundTo30Minutes"] = True
    # A specific-time override may carry its own time zone: 8:00-9:00 in Chicago (CST) is 14-15 UTC.
    requests[3]["participants"][0]["specificTimeAvailability"] = [
        {"date": MONDAY, "start": "8:00", "end": "9:00", "timezone": "America/Chicago"}
    ]
    answers = run_json(
        [node, str(NODE_SCRIPT)],
        env={
            "NODE_PATH": str(folder / "node_modules"),
            "SLOTWISE_URL": server.url,
            "SLOTWISE_API_KEY": API_KEY,
        },
        cwd=folder,
        stdin=json.dumps(requests),
    )
    for answer, starts in zip(answers, EXPECTED_STARTS, strict=True):
        assert "data" in answer, answer
        assert answer["requestId"]
        assert set(answer["data"]) == {"timeSlots", "order"}
        assert [s["startTime"] for s in answer["data"]["timeSlots"]] == starts
    assert answers[0]["data"]["order"] == []
    assert answers[1]["data"]["order"] == [BOB, CAT, ANN]
    _check_max_availability_slots(
        [(s["emails"], s["startTime"]) for s in answers[1]["data"]["timeSlots"]]
    )


def _v2(server: LiveServer, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    folder = pip_package("nylas==5.14.1", "nylas-v2")
    results: list[dict[str, Any]] = run_json(
        [sys.executable, str(V2_DRIVER), server.url, API_KEY],
        env={"PYTHONPATH": str(folder)},
        stdin=json.dumps(calls),
    )
    return results


def _ok(result: dict[str, Any]) -> Any:
    assert "result" in result, result
    return result["result"]


def test_v2_sdk_free_busy_availability_and_consecutive(
    server: LiveServer, api: httpx.Client, team: dict[str, Any]
) -> None:
    calendar = api.post(f"/v3/grants/{ANN}/calendars", json={"name": "Side"}).json()["data"]
    side_busy = api.post(
        f"/v3/grants/{ANN}/events",
        params={"calendar_id": calendar["id"]},
        json={"title": "side", "when": {"start_time": at("11:30"), "end_time": at("12:00")}},
    )
    assert side_busy.status_code == 200, side_busy.text
    window = {"start_at": f"{MONDAY}T09:00:00+00:00", "end_at": f"{MONDAY}T12:00:00+00:00"}
    guest_busy = [
        {
            "object": "free_busy",
            "email": "guest@elsewhere.example",
            "time_slots": [
                {
                    "object": "time_slot",
                    "status": "busy",
                    "start_time": at("10:30"),
                    "end_time": at("11:00"),
                }
            ],
        }
    ]
    weekdays = {"days": WEEKDAYS_V2, "timezone": "UTC", "start": "9:00", "end": "11:30"}
    results = _v2(
        server,
        [
            {"call": "free_busy", "kwargs": {"emails": [ANN, BOB], **window}},
            {
                "call": "free_busy",
                "kwargs": {
                    "emails": [],
                    "calendars": [
                        {"account_id": team[ANN]["id"], "calendar_ids": [calendar["id"]]}
                    ],
                    **window,
                },
            },
            {
                "call": "availability",
                "kwargs": {
                    "emails": [ANN, "guest@elsewhere.example"],
                    "duration": {"minutes": 30},
                    "interval": 30,
                    "free_busy": guest_busy,
                    "open_hours": [
                        {"emails": [ANN, "guest@elsewhere.example"], **weekdays},
                    ],
                    **window,
                },
            },
            {
                "call": "availability",
                "kwargs": {
                    "emails": [ANN, BOB],
                    "duration": 30,
                    "interval": 30,
                    "round_robin": "max-availability",
                    "buffer": 0,
                    "calendars": [
                        {"account_id": team[ANN]["id"], "calendar_ids": [calendar["id"]]}
                    ],
                    **window,
                },
            },
            {
                "call": "availability",
                "kwargs": {
                    "emails": [ANN, BOB],
                    "duration": 30,
                    "interval": 30,
                    "round_robin": "max-fairness",
                    "event_collection_id": "not-used-here",
                    **window,
                },
            },
            {
                "call": "consecutive_availability",
                "kwargs": {
                    "emails": [[ANN], [BOB]],
                    "duration": 30,
                    "interval": 30,
                    "open_hours": [{"emails": [ANN, BOB], **weekdays}],
                    "free_busy": [],
                    **window,
                },
            },
            {
                "call": "availability",
                "kwargs": {
                    "emails": [ANN],
                    "duration": 30,
                    "interval": 30,
                    "round_robin": "loudest",
                    **window,
                },
            },
        ],
    )
    *answers, refused = results
    free_busy, side_calendar, availability, round_robin, fairness, consecutive = map(_ok, answers)
    # A refusal reaches the program as the SDK's NylasApiError carrying the server's message.
    assert refused["error"] == 400
    assert json.loads(refused["body"])["error"]["message"].startswith("round_robin")
    # The v2 SDK reads `message` at the top level and shows it in its exception.
    assert "round_robin" in refused["message"]

    assert [item["email"] for item in free_busy] == [ANN, BOB]
    assert all(item["object"] == "free_busy" for item in free_busy)
    assert [(s["start_time"], s["status"]) for s in free_busy[0]["time_slots"]] == [
        (at("09:00"), "busy")
    ]
    assert [s["start_time"] for s in free_busy[1]["time_slots"]] == [at("11:00")]
    assert [(i["calendar_id"], len(i["time_slots"])) for i in side_calendar] == [
        (calendar["id"], 1)
    ]

    # ann busy 9-10, the guest 10:30-11, open until 11:30
    assert availability["object"] == "availability"
    assert [s["start_time"] for s in availability["time_slots"]] == [at("10:00"), at("11:00")]
    assert "order" not in availability

    # Only ann's side calendar is read (11:30-12:00 busy), not her primary.
    assert round_robin["order"] == [BOB, ANN]
    by_start = {s["start_time"]: set(s["emails"]) for s in round_robin["time_slots"]}
    assert by_start[at("09:00")] == {ANN, BOB}
    assert by_start[at("11:00")] == {ANN}
    assert by_start[at("11:30")] == {BOB}

    # max-fairness keeps the front half of the line: ann has a round-robin booking, bob none.
    assert fairness["order"] == [BOB]
    assert {e for s in fairness["time_slots"] for e in s["emails"]} == {BOB}

    assert consecutive[0] == [
        {"emails": [ANN], "start_time": at("10:00"), "end_time": at("10:30")},
        {"emails": [BOB], "start_time": at("10:30"), "end_time": at("11:00")},
    ]
    assert all(m[1]["start_time"] == m[0]["end_time"] for m in consecutive)
