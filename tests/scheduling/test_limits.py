"""Booking limits (docs/scheduling.md): per configuration and per grant, in the organizer's
zone, over real HTTP on both databases; the periods and blocking spans as plain functions."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from slotwise.availability import zones
from slotwise.db.engine import Database
from slotwise.scheduling.limits import Limits, blocking_span, periods, week_start_of
from tests.support.scheduling import (
    DAY,
    HOUR,
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
    round_robin,
)

OPEN_9_TO_12 = [{"days": [0, 1, 2, 3, 4, 5, 6], "start": "9:00", "end": "12:00"}]


def offered(client: httpx.Client, config_id: str, start: int, end: int) -> list[int]:
    response = client.get(
        "/v3/scheduling/availability",
        params={"configuration_id": config_id, "start_time": start, "end_time": end},
    )
    assert response.status_code == 200, response.text
    return [s["start_time"] for s in response.json()["data"]["time_slots"]]


def _config(
    api: httpx.Client, db: Database, scheduler: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        availability={
            "duration_minutes": 30,
            "availability_rules": {"default_open_hours": OPEN_9_TO_12},
        },
        scheduler={"min_booking_notice": 0, "available_days_in_future": 30, **scheduler},
        **extra,
    )
    return {**create_config(api, grant_id, body), "grant": grant_id}


def _guest(n: int) -> dict[str, Any]:
    return {"guest": {"email": f"guest{n}@example.com", "name": f"Guest {n}"}}


def test_per_day_limit_closes_the_day_and_cancelling_reopens_it(
    api: httpx.Client, db: Database
) -> None:
    config = _config(api, db, {"booking_limits": {"per_day": 2}})
    day = future_hour(3, 0)
    first = book(api, config["id"], day + 9 * HOUR, **_guest(1))
    assert first.status_code == 200, first.text
    assert book(api, config["id"], day + 10 * HOUR, **_guest(2)).status_code == 200
    # The day is full: nothing offered on it, the next day untouched.
    assert offered(api, config["id"], day, day + DAY) == []
    assert offered(api, config["id"], day + DAY, day + 2 * DAY)[0] == day + DAY + 9 * HOUR
    refused = book(api, config["id"], day + 11 * HOUR, **_guest(3))
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["type"] == "timeslot_not_available"
    # The 409 helps: the next offered times, the first on the next day.
    assert error["suggestions"][0] == {
        "start_time": day + DAY + 9 * HOUR,
        "end_time": day + DAY + 9 * HOUR + 1800,
    }
    assert len(error["suggestions"]) == 3
    # Cancelling frees the count.
    booking_id = first.json()["data"]["booking_id"]
    cancelled = api.request(
        "DELETE", f"/v3/scheduling/bookings/{booking_id}", json={"cancellation_reason": "x"}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert day + 11 * HOUR in offered(api, config["id"], day, day + DAY)
    assert book(api, config["id"], day + 11 * HOUR, **_guest(3)).status_code == 200


def test_duration_limit_counts_minutes(api: httpx.Client, db: Database) -> None:
    config = _config(api, db, {"duration_limits": {"per_day": 60}})
    day = future_hour(3, 0)
    assert book(api, config["id"], day + 9 * HOUR, **_guest(1)).status_code == 200
    assert offered(api, config["id"], day, day + DAY)  # 30 of 60 minutes used
    assert book(api, config["id"], day + 10 * HOUR, **_guest(2)).status_code == 200
    assert offered(api, config["id"], day, day + DAY) == []


def test_per_week_limit_in_the_organizer_zone_with_a_monday_week(
    api: httpx.Client, db: Database
) -> None:
    config = _config(
        api,
        db,
        {"booking_limits": {"per_week": 1}, "week_start": "monday"},
        event_booking={"title": "Call", "timezone": "Asia/Kathmandu"},
    )
    tz = zones.zone("Asia/Kathmandu")
    today = zones.local_date(tz, future_hour(2, 0))
    monday = today.toordinal() + (7 - today.weekday()) % 7 + 7  # a Monday 7-13 days ahead
    week = zones.midnight(date.fromordinal(monday), tz)
    wednesday = week + 2 * DAY
    hour = zones.wall_to_utc(tz, date.fromordinal(monday + 2), 9 * 60)
    assert book(api, config["id"], hour, **_guest(1)).status_code == 200
    assert offered(api, config["id"], week, week + 7 * DAY) == []
    # The Sunday before and the next Monday are other weeks.
    assert offered(api, config["id"], week - DAY, week)
    assert offered(api, config["id"], week + 7 * DAY, week + 8 * DAY)
    assert wednesday < hour < week + 7 * DAY


def test_grant_limits_count_every_configuration(api: httpx.Client, db: Database) -> None:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    limits = api.put(
        f"/v3/grants/{grant_id}/scheduling/limits",
        json={"booking_limits": {"per_day": 1}, "timezone": "Europe/Berlin"},
    )
    assert limits.status_code == 200, limits.text
    assert limits.json()["data"]["booking_limits"]["per_day"] == 1
    assert (
        api.get(f"/v3/grants/{grant_id}/scheduling/limits").json()["data"]
        == (limits.json()["data"])
    )
    configs = [
        create_config(
            api,
            grant_id,
            config_body(
                [participant("ada@example.com", calendar_id, organizer=True)],
                availability={
                    "duration_minutes": 30,
                    "availability_rules": {"default_open_hours": OPEN_9_TO_12},
                },
            ),
        )
        for _ in range(2)
    ]
    day = future_hour(3, 0) - HOUR  # Berlin midnight in winter; the open hours lie inside
    assert book(api, configs[0]["id"], day + 10 * HOUR, **_guest(1)).status_code == 200
    assert offered(api, configs[1]["id"], day + 8 * HOUR, day + 14 * HOUR) == []
    assert book(api, configs[1]["id"], day + 11 * HOUR, **_guest(2)).status_code == 409
    # Lifting the limit reopens the day.
    cleared = api.put(f"/v3/grants/{grant_id}/scheduling/limits", json={})
    assert cleared.status_code == 200
    assert cleared.json()["data"]["booking_limits"] == {
        "per_day": None,
        "per_week": None,
        "per_month": None,
    }
    assert book(api, configs[1]["id"], day + 11 * HOUR, **_guest(2)).status_code == 200


def test_round_robin_skips_a_host_at_the_limit(api: httpx.Client, db: Database) -> None:
    people = []
    first = None
    for name in ("ada", "bob"):
        grant_id, calendar_id = make_grant(db, f"{name}@example.com")
        first = first or grant_id
        people.append(participant(f"{name}@example.com", calendar_id))
    assert first is not None
    body = round_robin(
        config_body(
            people,
            availability={
                "duration_minutes": 30,
                "availability_rules": {"default_open_hours": OPEN_9_TO_12},
            },
            scheduler={"min_booking_notice": 0, "booking_limits": {"per_day": 1}},
        )
    )
    body["availability"]["availability_rules"]["default_open_hours"] = OPEN_9_TO_12
    config = create_config(api, first, body)
    day = future_hour(3, 0)
    hosts = []
    for n in range(2):
        made = book(api, config["id"], day + (9 + n) * HOUR, **_guest(n))
        assert made.status_code == 200, made.text
        hosts.append(made.json()["data"]["organizer"]["email"])
    assert sorted(hosts) == ["ada@example.com", "bob@example.com"]
    assert offered(api, config["id"], day, day + DAY) == []
    assert book(api, config["id"], day + 11 * HOUR, **_guest(3)).status_code == 409


def test_rescheduling_within_a_full_day_is_allowed(api: httpx.Client, db: Database) -> None:
    config = _config(api, db, {"booking_limits": {"per_day": 1}})
    day = future_hour(3, 0)
    made = book(api, config["id"], day + 9 * HOUR, **_guest(1))
    booking_id = made.json()["data"]["booking_id"]
    moved = api.patch(
        f"/v3/scheduling/bookings/{booking_id}",
        json={"start_time": day + 10 * HOUR, "end_time": day + 10 * HOUR + 1800},
    )
    assert moved.status_code == 200, moved.text


@pytest.mark.parametrize(
    ("scheduler", "field"),
    [
        ({"booking_limits": {"per_day": 0}}, "scheduler.booking_limits.per_day"),
        ({"booking_limits": {"per_month": "many"}}, "scheduler.booking_limits.per_month"),
        ({"booking_limits": []}, "scheduler.booking_limits"),
        ({"duration_limits": {"per_day": 1441}}, "scheduler.duration_limits.per_day"),
        ({"week_start": "funday"}, "scheduler.week_start"),
    ],
)
def test_bad_configuration_limits_name_the_field(
    api: httpx.Client, db: Database, scheduler: dict[str, Any], field: str
) -> None:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)], scheduler=scheduler
    )
    response = api.post(f"/v3/grants/{grant_id}/scheduling/configurations", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith(field)


def test_configuration_limits_round_trip(api: httpx.Client, db: Database) -> None:
    scheduler = {
        "booking_limits": {"per_day": 3, "per_week": 10},
        "duration_limits": {"per_week": 600},
        "week_start": "sunday",
    }
    config = _config(api, db, scheduler)
    found = api.get(f"/v3/grants/{config['grant']}/scheduling/configurations/{config['id']}")
    for key, value in scheduler.items():
        assert found.json()["data"]["scheduler"][key] == value


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"booking_limits": {"per_week": -1}}, "booking_limits.per_week"),
        ({"duration_limits": {"per_week": 10081}}, "duration_limits.per_week"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"week_start": 1}, "week_start"),
        ({"locale": ["en"]}, "locale"),
    ],
)
def test_bad_grant_limits_name_the_field(
    api: httpx.Client, db: Database, body: dict[str, Any], field: str
) -> None:
    grant_id, _ = make_grant(db, "ada@example.com", "Ada")
    response = api.put(f"/v3/grants/{grant_id}/scheduling/limits", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith(field)
    missing = api.put("/v3/grants/nobody/scheduling/limits", json={})
    assert missing.status_code == 404


# -- periods and spans, as functions ------------------------------------------------------------


def _limits(timezone: str, week_start: int) -> Limits:
    return Limits("scheduler", timezone, week_start, (("per_week", 1),), (), None)


def test_week_start_follows_the_locale_unless_named() -> None:
    assert week_start_of(None, "en") == 6  # the United States' Sunday
    assert week_start_of(None, "de") == 0
    assert week_start_of(None, "en-GB") == 0
    assert week_start_of(None, "ar") == 5  # Egypt's Saturday
    assert week_start_of("wednesday", "de") == 2
    assert week_start_of(None, "qq-ZZ") == 6
    assert week_start_of(None, "no") == 0  # Norwegian: no likelier locale known, the world's


def test_periods_follow_local_days_across_dst() -> None:
    tz = zones.zone("Europe/Berlin")
    # 2026-03-29 is 23 hours long in Berlin; 2026-10-25 is 25.
    spring = zones.midnight(date(2026, 3, 29), tz)
    days = periods(_limits("Europe/Berlin", 0), "per_day", spring + HOUR, spring + 2 * DAY)
    assert [e - s for s, e in days] == [23 * HOUR, DAY, DAY]
    autumn = zones.midnight(date(2026, 10, 25), tz)
    [(s, e)] = periods(_limits("Europe/Berlin", 0), "per_day", autumn, autumn + HOUR)
    assert e - s == 25 * HOUR
    month = periods(_limits("Australia/Sydney", 0), "per_month", spring, spring + HOUR)
    assert month == [
        (
            zones.midnight(date(2026, 3, 1), zones.zone("Australia/Sydney")),
            zones.midnight(date(2026, 4, 1), zones.zone("Australia/Sydney")),
        )
    ]
    sunday_weeks = periods(_limits("UTC", 6), "per_week", spring, spring + HOUR)
    assert date.fromtimestamp(sunday_weeks[0][0]).weekday() == 6


def test_blocking_span_blocks_exactly_the_starts_in_its_period() -> None:
    period = (100 * HOUR, 124 * HOUR)
    duration, before, after = 1800, 900, 600
    first, last = blocking_span(period, duration, before, after)

    def blocked(start: int) -> bool:  # as the engine widens busy time by the buffers
        return start < last + after and start + duration > first - before

    for start in range(98 * HOUR, 126 * HOUR, 60):
        assert blocked(start) == (period[0] <= start < period[1]), start
    assert blocking_span((0, 3600), 3600, 600, 0) == (0, 3600)  # too short: blocked whole


def test_an_off_grid_refusal_suggests_the_grid(api: httpx.Client, db: Database) -> None:
    config = _config(api, db, {})
    day = future_hour(3, 0)
    refused = book(api, config["id"], day + 9 * HOUR + 7 * 60, **_guest(1))
    assert refused.status_code == 409, refused.text
    starts = [s["start_time"] for s in refused.json()["error"]["suggestions"]]
    assert starts == [day + 9 * HOUR + 30 * 60, day + 10 * HOUR, day + 10 * HOUR + 30 * 60]


def test_explanations_name_the_limit_and_the_hold(api: httpx.Client, db: Database) -> None:
    """The scheduler's explanations see the listing's own blocks: a reached limit (named) and
    another guest's hold, and agree with the listing about what is offered."""
    config = _config(api, db, {"booking_limits": {"per_day": 1}})
    day = future_hour(3, 0)
    assert book(api, config["id"], day + 9 * HOUR, **_guest(1)).status_code == 200
    tomorrow = day + DAY
    held = api.post(
        "/v3/scheduling/holds",
        params={"configuration_id": config["id"]},
        json={"start_time": tomorrow + 10 * HOUR, "end_time": tomorrow + 10 * HOUR + 1800},
    )
    assert held.status_code == 200, held.text
    times = [day + 10 * HOUR, tomorrow + 10 * HOUR, tomorrow + 11 * HOUR]
    response = api.get(
        "/v3/scheduling/availability/explain",
        params={"configuration_id": config["id"], "start_time": ",".join(map(str, times))},
    )
    assert response.status_code == 200, response.text
    limited, holding, free = response.json()["data"]["explanations"]
    assert [r["code"] for r in limited["reasons"]] == ["booking_limit"]
    assert limited["reasons"][0]["details"]["limit"] == "scheduler.booking_limits.per_day"
    assert [r["code"] for r in holding["reasons"]] == ["held"]
    assert free["offered"] and free["reasons"] == []
    listed = set(offered(api, config["id"], day, day + 2 * DAY))
    assert [x["offered"] for x in (limited, holding, free)] == [t in listed for t in times]


def _pool_at_limits(api: httpx.Client, db: Database, strict: bool) -> tuple[str, list[str]]:
    """ada, bob and cyd in a max-fairness pool (strict rotation or not), open 9:00-12:00 in
    half hours; ada alone may be booked once a day (her grant's limits)."""
    people, grants = [], []
    for name in ("ada", "bob", "cyd"):
        grant_id, calendar_id = make_grant(db, f"{name}@example.com")
        grants.append(grant_id)
        people.append(participant(f"{name}@example.com", calendar_id))
    body = round_robin(
        config_body(people, availability={"duration_minutes": 30}), method="max-fairness"
    )
    rules = body["availability"]["availability_rules"]
    rules.update(default_open_hours=OPEN_9_TO_12, strict_rotation=strict)
    limits = api.put(
        f"/v3/grants/{grants[0]}/scheduling/limits", json={"booking_limits": {"per_day": 1}}
    )
    assert limits.status_code == 200, limits.text
    return create_config(api, grants[0], body)["id"], grants


def _slots(client: httpx.Client, config_id: str, start: int, end: int) -> list[tuple[int, str]]:
    """The slots offered in [start, end): (start, the host first in the listing's emails)."""
    response = client.get(
        "/v3/scheduling/availability",
        params={"configuration_id": config_id, "start_time": start, "end_time": end},
    )
    assert response.status_code == 200, response.text
    return [(s["start_time"], s["emails"][0]) for s in response.json()["data"]["time_slots"]]


def _hosts(client: httpx.Client, config_id: str, start: int, end: int) -> set[str]:
    return {email for _, email in _slots(client, config_id, start, end)}


def _host_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["organizer"]["email"]).split("@")[0]


@pytest.mark.parametrize("strict", [True, False], ids=["strict-rotation", "max-fairness"])
def test_round_robin_passes_a_host_at_a_limit_over_until_the_period_ends(
    api: httpx.Client, db: Database, strict: bool
) -> None:
    """ada, next in turn again after one booking each, is at her limit for the day: the day's
    slots go to bob, then cyd, in rotation (not to nobody); the next day is ada's turn. The
    listing, the booking and the explanation agree; cancelling ada's booking gives her the
    turn back."""
    config_id, _ = _pool_at_limits(api, db, strict)
    day = future_hour(3, 0)
    first = book(api, config_id, day + 9 * HOUR, **_guest(0))
    assert [_host_of(first)] + [
        _host_of(book(api, config_id, day + 9 * HOUR + n * 1800, **_guest(n))) for n in (1, 2)
    ] == ["ada", "bob", "cyd"]
    # ada is least recently booked, so it is her turn; her limit passes it to bob today.
    assert _hosts(api, config_id, day, day + DAY) == {"bob@example.com"}
    assert _slots(api, config_id, day + DAY, day + 2 * DAY)[0] == (
        day + DAY + 9 * HOUR,
        "ada@example.com",
    )
    assert _host_of(book(api, config_id, day + 10 * HOUR + 1800, **_guest(3))) == "bob"
    # Now cyd's turn (ada still passed over); the explanation says why for each host.
    assert _hosts(api, config_id, day, day + DAY) == {"cyd@example.com"}
    response = api.get(
        "/v3/scheduling/availability/explain",
        params={"configuration_id": config_id, "start_time": day + 11 * HOUR},
    )
    assert response.status_code == 200, response.text
    [x] = response.json()["data"]["explanations"]
    assert x["offered"] and x["emails"] == ["cyd@example.com"]
    said = {p["email"]: p["reasons"] for p in x["participants"]}
    assert [r["code"] for r in said["ada@example.com"]] == ["booking_limit"]
    assert said["ada@example.com"][0]["details"]["limit"] == "grant.booking_limits.per_day"
    assert said["cyd@example.com"] == []
    [turn] = said["bob@example.com"]
    assert turn["code"] == "not_this_hosts_turn"
    assert turn["details"]["next_in_turn"] == ["cyd@example.com"]
    assert turn["details"]["passed_over_at_limit"] == ["ada@example.com"]
    assert _host_of(book(api, config_id, day + 11 * HOUR, **_guest(4))) == "cyd"
    # Cancelling ada's booking frees her count, and she is the least recently booked again.
    booking_id = first.json()["data"]["booking_id"]
    cancelled = api.request("DELETE", f"/v3/scheduling/bookings/{booking_id}", json={})
    assert cancelled.status_code == 200, cancelled.text
    assert "ada@example.com" in _hosts(api, config_id, day, day + DAY)
    assert _host_of(book(api, config_id, day + 11 * HOUR + 1800, **_guest(5))) == "ada"
