"""No double bookings: many real threads (and two server processes) racing for the same people.

Every request must end as a booking or a 409 `timeslot_not_available`, exactly the possible
number must succeed, and afterwards nobody has two overlapping bookings or events.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import Booking, Event
from tests.support.scheduling import (
    HOUR,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
    round_robin,
)
from tests.support.server import http_client
from tests.support.waiting import HTTP_TIMEOUT

THREADS = 24


def assert_no_double_booking(db: Database) -> None:
    with db.session(write=False) as session:
        bookings = list(session.scalars(select(Booking).where(Booking.status != "cancelled")))
        events = list(session.scalars(select(Event).where(Event.status != "cancelled")))
    per_person: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for b in bookings:
        for email in b.hosts:
            per_person[email].append((b.start_ts, b.end_ts))
    per_calendar: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for e in events:
        per_calendar[e.calendar_id].append((e.start_ts, e.end_ts))
    for owner, spans in itertools.chain(per_person.items(), per_calendar.items()):
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start >= end, f"double booking for {owner}: {spans}"


def race(urls: list[str], config_id: str, starts: list[int]) -> list[httpx.Response]:
    def one(i: int) -> httpx.Response:
        start = starts[i % len(starts)]
        with http_client(base_url=urls[i % len(urls)], timeout=HTTP_TIMEOUT) as client:
            return client.post(
                "/v3/scheduling/bookings",
                params={"configuration_id": config_id},
                json={
                    "start_time": start,
                    "end_time": start + 1800,
                    "guest": {"email": f"guest{i}@example.com", "name": f"Guest {i}"},
                },
            )

    with ThreadPoolExecutor(THREADS) as pool:
        responses = list(pool.map(one, range(THREADS)))
    for r in responses:
        assert r.status_code in {200, 409}, r.text
        if r.status_code == 409:
            assert r.json()["error"]["type"] == "timeslot_not_available"
    return responses


def _collective(api: httpx.Client, db: Database, **availability: Any) -> dict:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    _, bob_calendar = make_grant(db, "bob@example.com", "Bob")
    body = config_body(
        [
            participant("ada@example.com", calendar_id, organizer=True),
            participant("bob@example.com", bob_calendar),
        ],
        availability={"duration_minutes": 30, **availability},
    )
    return create_config(api, grant_id, body)


def test_same_slot_exactly_one_wins(api: httpx.Client, db: Database, urls: list[str]) -> None:
    config = _collective(api, db)
    responses = race(urls, config["id"], [future_hour(2, 10)])
    assert sum(r.status_code == 200 for r in responses) == 1
    assert_no_double_booking(db)


def test_overlapping_starts_never_overlap(api: httpx.Client, db: Database, urls: list[str]) -> None:
    config = _collective(api, db, interval_minutes=15)
    base = future_hour(2, 10)
    starts = [base + k * 900 for k in range(6)]  # 10:00, 10:15, ... 11:15
    responses = race(urls, config["id"], starts)
    won = sorted(r.json()["data"]["start_time"] for r in responses if r.status_code == 200)
    assert won
    assert_no_double_booking(db)
    # Maximal: every start that lost overlaps one that won.
    for start in starts:
        assert any(start < w + 1800 and w < start + 1800 for w in won), (start, won)


def test_round_robin_pool_fills_exactly(api: httpx.Client, db: Database, urls: list[str]) -> None:
    people = []
    first_grant = None
    for name in ("ada", "bob", "cy"):
        grant_id, calendar_id = make_grant(db, f"{name}@example.com")
        first_grant = first_grant or grant_id
        people.append(participant(f"{name}@example.com", calendar_id))
    assert first_grant is not None
    config = create_config(api, first_grant, round_robin(config_body(people)))
    start = future_hour(2, 10)
    # Two members are taken first; then everyone races for the last free member.
    for _ in range(2):
        warmup = api.post(
            "/v3/scheduling/bookings",
            params={"configuration_id": config["id"]},
            json={
                "start_time": start,
                "end_time": start + 1800,
                "guest": {"email": "early@example.com", "name": "Early"},
            },
        )
        assert warmup.status_code == 200, warmup.text
    responses = race(urls, config["id"], [start])
    assert sum(r.status_code == 200 for r in responses) == 1
    hosts = {r.json()["data"]["organizer"]["email"] for r in responses if r.status_code == 200}
    assert len(hosts) == 1
    assert_no_double_booking(db)
    later = race(urls, config["id"], [start + HOUR])
    assert sum(r.status_code == 200 for r in later) == 3
    assert_no_double_booking(db)
