"""GET /v3/scheduling/availability/explain: a configuration's times explained by its rules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from slotwise import clock
from slotwise.db.engine import Database
from tests.scheduling.test_availability import add_event, slots
from tests.support.scheduling import (
    DAY,
    HOUR,
    book,
    config_body,
    create_config,
    make_grant,
    participant,
    round_robin,
)
from tests.support.server import LiveServer
from tests.support.waiting import HTTP_TIMEOUT

URL = "/v3/scheduling/availability/explain"


def _explain(client: httpx.Client, config_id: str, times: list[int], **params: Any) -> Any:
    response = client.get(
        URL,
        params={
            "configuration_id": config_id,
            "start_time": ",".join(map(str, times)),
            **params,
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _codes(reasons: list[dict[str, Any]]) -> list[str]:
    return [r["code"] for r in reasons]


def test_notice_horizon_busy_and_grid_against_the_listing(
    api: httpx.Client, db: Database, ada: tuple[str, str], frozen_clock: int
) -> None:
    grant_id, calendar_id = ada
    day = (frozen_clock // DAY + 2) * DAY  # midnight UTC, two days ahead
    clock.freeze(day - 2 * DAY + 12 * HOUR)  # noon two days before
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        scheduler={"min_booking_notice": 60, "available_days_in_future": 2},
        availability={
            "duration_minutes": 30,
            "availability_rules": {"buffer": {"before": 15, "after": 0}},
        },
    )
    config = create_config(api, grant_id, body)
    event_id = add_event(db, grant_id, calendar_id, day + 10 * HOUR, day + 11 * HOUR)
    now = day - 2 * DAY + 12 * HOUR
    times = [
        day + 9 * HOUR,  # offered
        day + 9 * HOUR + 30 * 60,  # ends inside the 15-minute buffer before 10:00
        day + 10 * HOUR,  # busy
        day + 11 * HOUR + 5 * 60,  # free, but the 30-minute grid from 11:00 skips it
        now + 30 * 60,  # before the hour's notice
        day + 3 * DAY + 9 * HOUR,  # after the last day offered
    ]
    data = _explain(api, config["id"], times)
    found = data["explanations"]
    listed = slots(api, config["id"], day, day + DAY)
    offered = {s["start_time"] for s in listed["time_slots"]}
    assert [x["offered"] for x in found] == [t in offered for t in times]
    offered_x, buffer_x, busy_x, grid_x, notice_x, horizon_x = found
    assert offered_x["offered"] and offered_x["reasons"] == []
    assert _codes(buffer_x["reasons"]) == ["buffer"]
    assert buffer_x["reasons"][0]["details"]["side"] == "before"
    assert _codes(busy_x["reasons"]) == ["busy"]
    # The organizer's own calendar: the event is named.
    assert busy_x["reasons"][0]["details"] == {
        "event_id": event_id,
        "calendar_id": calendar_id,
        "span": [day + 10 * HOUR, day + 11 * HOUR],
    }
    assert _codes(grid_x["reasons"]) == ["not_on_grid"]
    assert grid_x["reasons"][0]["details"]["nearest"] == [day + 11 * HOUR, day + 11 * HOUR + 1800]
    assert _codes(notice_x["reasons"]) == ["before_min_booking_notice"]
    assert notice_x["reasons"][0]["details"] == {"earliest_start": now + HOUR}
    assert _codes(horizon_x["reasons"]) == ["beyond_available_days_in_future"]


def test_round_robin_says_whose_turn_it_is_and_hides_other_hosts_events(
    api: httpx.Client, db: Database, ada: tuple[str, str], frozen_clock: int
) -> None:
    grant_id, ada_calendar = ada
    bob_grant, bob_calendar = make_grant(db, "bob@example.com")
    people = [
        participant("ada@example.com", ada_calendar),
        participant("bob@example.com", bob_calendar),
    ]
    config = create_config(api, grant_id, round_robin(config_body(people), method="max-fairness"))
    day = (frozen_clock // DAY + 2) * DAY
    # Ada was booked through this configuration a while ago, so it is Bob's turn.
    add_event(
        db,
        grant_id,
        ada_calendar,
        day - 10 * DAY,
        day - 10 * DAY + HOUR,
        metadata={"key5": config["id"]},
        created_at=frozen_clock - DAY,
    )
    add_event(db, bob_grant, bob_calendar, day + 14 * HOUR, day + 15 * HOUR)
    data = _explain(api, config["id"], [day + 10 * HOUR, day + 14 * HOUR])
    assert data["order"] == ["bob@example.com"]
    turn, busy = data["explanations"]
    assert turn["offered"] and turn["emails"] == ["bob@example.com"]
    ada_says = turn["participants"][0]
    assert ada_says["email"] == "ada@example.com"
    assert _codes(ada_says["reasons"]) == ["not_this_hosts_turn"]
    assert not busy["offered"]
    assert busy["blocked_by"] == ["ada@example.com", "bob@example.com"]
    bob_busy = next(r for r in busy["reasons"] if r["email"] == "bob@example.com")
    # Bob is not the organizer (a round-robin configuration has none): just "busy".
    assert bob_busy == {
        "code": "busy",
        "message": "busy",
        "email": "bob@example.com",
        "details": {},
    }


def test_only_the_api_key_or_the_configurations_session(
    api: httpx.Client, server: LiveServer, ada: tuple[str, str]
) -> None:
    grant_id, calendar_id = ada
    people = [participant("ada@example.com", calendar_id, organizer=True)]
    public = create_config(api, grant_id, config_body(people, slug="open-page"))
    private = create_config(api, grant_id, config_body(people, requires_session_auth=True))
    t = (int(clock.now()) // DAY + 2) * DAY + 10 * HOUR

    def anonymous(config_id: str, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.get(
            server.url + URL,
            params={"configuration_id": config_id, "start_time": t},
            headers=headers,
            timeout=HTTP_TIMEOUT,
        )

    # A guest of a public configuration reads its availability, not the explanation.
    assert anonymous(public["id"]).status_code == 401
    assert anonymous(private["id"]).status_code == 401
    session = api.post("/v3/scheduling/sessions", json={"configuration_id": private["id"]})
    token = session.json()["data"]["session_id"]
    assert anonymous(private["id"], token).status_code == 200
    assert anonymous(public["id"], token).status_code == 403  # another configuration's session
    assert _explain(api, public["id"], [t])["explanations"][0]["start_time"] == t


def test_start_times_are_checked(api: httpx.Client, ada: tuple[str, str]) -> None:
    grant_id, calendar_id = ada
    people = [participant("ada@example.com", calendar_id, organizer=True)]
    config = create_config(api, grant_id, config_body(people))
    base = {"configuration_id": config["id"]}
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "start_time"),
        ({"start_time": "soon"}, "start_time[0]"),
        ({"start_time": "1,2,x"}, "start_time[2]"),
        ({"start_time": ",".join(["1"] * 201)}, "start_time"),
        ({"start_time": "1", "window_start": "5"}, "window_end"),
        ({"start_time": "1", "window_start": "5", "window_end": "5"}, "window_end"),
        ({"start_time": "1", "window_start": "0", "window_end": str(401 * DAY)}, "window_end"),
    ]
    for params, field in cases:
        response = api.get(URL, params={**base, **params})
        assert response.status_code == 400, (params, response.text)
        assert response.json()["error"]["message"].startswith(f"{field}:"), response.text
    repeated = api.get(URL, params=[*base.items(), ("start_time", "1"), ("start_time", "2")])
    assert repeated.status_code == 200
    assert len(repeated.json()["data"]["explanations"]) == 2


def test_times_far_apart_are_refused_not_listed(api: httpx.Client, ada: tuple[str, str]) -> None:
    grant_id, calendar_id = ada
    people = [participant("ada@example.com", calendar_id, organizer=True)]
    config = create_config(api, grant_id, config_body(people))
    response = api.get(
        URL, params={"configuration_id": config["id"], "start_time": "0,253401000000"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith("start_time:")
    edge = _explain(api, config["id"], [253_402_300_799 - 8 * DAY])
    assert edge["explanations"][0]["offered"] is False


# -- configurations seating several guests (scheduler.capacity) ---------------------------------

OPEN_9_TO_12 = [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "9:00", "end": "12:00"}]


def _group_call(people: list[dict[str, Any]], method: str | None = None) -> dict[str, Any]:
    body = config_body(
        people,
        availability={"duration_minutes": 30, "interval_minutes": 15},
        scheduler={"min_booking_notice": 0, "available_days_in_future": 30, "capacity": 2},
    )
    if method is not None:
        body = round_robin(body, method=method)
    rules = body["availability"].setdefault("availability_rules", {})
    rules["default_open_hours"] = OPEN_9_TO_12
    return body


def _offered(client: httpx.Client, config_id: str, start: int, end: int) -> dict[int, list[str]]:
    listed = slots(client, config_id, start, end)["time_slots"]
    return {s["start_time"]: s["emails"] for s in listed}


def test_seats_left_are_offered_and_a_full_meeting_is_full(
    api: httpx.Client, ada: tuple[str, str], frozen_clock: int
) -> None:
    """Two seats per slot: a meeting with a seat left is offered, a time overlapping it is the
    host's busy time (the organizer's: named), a full meeting is `full`; always as listed."""
    grant_id, calendar_id = ada
    body = _group_call([participant("ada@example.com", calendar_id, organizer=True)])
    config = create_config(api, grant_id, body)
    day = (frozen_clock // DAY + 2) * DAY
    ten = day + 10 * HOUR
    first = book(api, config["id"], ten, guest={"email": "g1@example.com", "name": "G1"})
    assert first.status_code == 200, first.text
    event_id = first.json()["data"]["event_id"]
    times = [ten, ten + 15 * 60, ten + HOUR]
    joined, overlapping, free = _explain(api, config["id"], times)["explanations"]
    listed = _offered(api, config["id"], day, day + DAY)
    assert [x["offered"] for x in (joined, overlapping, free)] == [t in listed for t in times]
    assert joined["offered"] and joined["emails"] == ["ada@example.com"]
    assert free["offered"]
    assert _codes(overlapping["reasons"]) == ["busy"]
    assert overlapping["reasons"][0]["details"] == {
        "event_id": event_id,
        "span": [ten, ten + 1800],
    }
    second = book(api, config["id"], ten, guest={"email": "g2@example.com", "name": "G2"})
    assert second.status_code == 200, second.text
    [full] = _explain(api, config["id"], [ten])["explanations"]
    assert ten not in _offered(api, config["id"], day, day + DAY)
    assert not full["offered"]
    assert _codes(full["reasons"]) == ["full"]
    assert full["reasons"][0]["details"] == {"capacity": 2, "taken": 2}
    assert "email" not in full["reasons"][0]  # the meeting's, not one host's


@pytest.mark.parametrize("method", ["max-availability", "strict-rotation"])
def test_a_round_robin_seat_left_goes_to_the_meetings_host(
    api: httpx.Client, db: Database, ada: tuple[str, str], frozen_clock: int, method: str
) -> None:
    """The next guest joins ada's meeting, so bob is told the meeting is another host's; with
    strict rotation bob has the turn for new meetings, and ada's seat left is still offered."""
    grant_id, ada_calendar = ada
    _, bob_calendar = make_grant(db, "bob@example.com")
    people = [
        participant("ada@example.com", ada_calendar),
        participant("bob@example.com", bob_calendar),
    ]
    strict = method == "strict-rotation"
    body = _group_call(people, "max-fairness" if strict else method)
    body["availability"]["availability_rules"]["strict_rotation"] = strict
    config = create_config(api, grant_id, body)
    day = (frozen_clock // DAY + 2) * DAY
    ten = day + 10 * HOUR
    made = book(api, config["id"], ten, guest={"email": "g1@example.com", "name": "G1"})
    assert made.status_code == 200, made.text
    assert made.json()["data"]["organizer"]["email"] == "ada@example.com"
    times = [ten, ten + 15 * 60, day + 11 * HOUR]
    joined, overlapping, later = _explain(api, config["id"], times)["explanations"]
    listed = _offered(api, config["id"], day, day + DAY)
    for x in (joined, overlapping, later):
        assert x["offered"] == (x["start_time"] in listed)
        assert x["emails"] == listed.get(x["start_time"], [])
    assert joined["offered"] and joined["emails"] == ["ada@example.com"]
    ada_says, bob_says = joined["participants"]
    assert ada_says["reasons"] == []
    assert _codes(bob_says["reasons"]) == ["another_hosts_meeting"]
    assert bob_says["reasons"][0]["details"] == {"hosts": ["ada@example.com"]}
    # Overlapping ada's meeting: ada is busy with it (just "busy": round robin has no
    # organizer); bob takes it.
    assert overlapping["emails"] == ["bob@example.com"]
    ada_busy = overlapping["participants"][0]["reasons"]
    assert ada_busy[0] == {
        "code": "busy",
        "message": "busy",
        "email": "ada@example.com",
        "details": {},
    }
    assert _codes(ada_busy[1:]) == (["not_this_hosts_turn"] if strict else [])
    if strict:
        assert later["emails"] == ["bob@example.com"]
        assert _codes(later["participants"][0]["reasons"]) == ["not_this_hosts_turn"]
    else:
        assert later["emails"] == ["ada@example.com", "bob@example.com"]
