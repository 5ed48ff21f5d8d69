"""Group seats under contention: real threads, and two server processes on one database.

The last seat of a meeting is taken exactly once; a full meeting's waitlist hands out
distinct places; and when seats free at the same moment, each goes to the next in line once,
none is lost and nobody is promoted twice.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import Booking, WaitlistEntry
from tests.scheduling.test_group_events import create_event, event_body, make_group, offer
from tests.support.scheduling import HOUR, future_hour
from tests.support.waiting import HTTP_TIMEOUT

THREADS = 40


def _post(url: str, config_id: str, body: dict[str, Any]) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=HTTP_TIMEOUT) as client:
        return client.post(
            "/v3/scheduling/bookings", params={"configuration_id": config_id}, json=body
        )


def _seat_body(slot: dict[str, Any], guest: str, **extra: Any) -> dict[str, Any]:
    return {
        "start_time": slot["start_time"],
        "end_time": slot["end_time"],
        "event_id": slot["event_id"],
        "guest": {"email": guest, "name": "Guest"},
        **extra,
    }


def _race(urls: list[str], config_id: str, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    def one(i: int) -> httpx.Response:
        return _post(urls[i % len(urls)], config_id, bodies[i])

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(one, range(len(bodies))))


def _live_seats(db: Database) -> list[Booking]:
    with db.session(write=False) as session:
        query = select(Booking).where(Booking.status.in_(["booked", "pending"]))
        return list(session.scalars(query))


def _setup(api: httpx.Client, db: Database, capacity: int) -> tuple[str, dict[str, Any]]:
    grant_id, _, config_id = make_group(api, db)
    start = future_hour(3, 9)
    create_event(api, grant_id, config_id, event_body(start, capacity=capacity))
    [slot] = offer(api, config_id, start - HOUR, start + HOUR)
    return config_id, slot


def test_last_seat_is_taken_exactly_once(api: httpx.Client, db: Database, urls: list[str]) -> None:
    config_id, slot = _setup(api, db, capacity=3)
    for i in range(2):
        early = _post(urls[0], config_id, _seat_body(slot, f"early{i}@example.com"))
        assert early.status_code == 200, early.text
    bodies = [_seat_body(slot, f"guest{i}@example.com") for i in range(THREADS)]
    responses = _race(urls, config_id, bodies)
    for r in responses:
        assert r.status_code in {200, 409}, r.text
    won = [r for r in responses if r.status_code == 200]
    assert len(won) == 1
    for r in responses:
        if r.status_code == 409:
            assert r.json()["error"]["message"] == "Event is full"
    assert len(_live_seats(db)) == 3
    [full] = offer(api, config_id, slot["start_time"] - HOUR, slot["end_time"])
    assert full["capacity"] == 0


def test_freed_seats_go_down_the_line_once(
    api: httpx.Client, db: Database, urls: list[str]
) -> None:
    config_id, slot = _setup(api, db, capacity=2)
    # Through the servers under test: the cancelling one must open the seats' sealed salts.
    seats = [
        _post(urls[0], config_id, _seat_body(slot, f"seat{i}@example.com")).json()["data"]
        for i in range(2)
    ]
    waiting = 10
    joined = _race(
        urls,
        config_id,
        [_seat_body(slot, f"wait{i}@example.com", waitlist=True) for i in range(waiting)],
    )
    assert all(r.status_code == 200 for r in joined), [r.text for r in joined]
    positions = sorted(r.json()["data"]["position"] for r in joined)
    assert positions == list(range(1, waiting + 1))
    first_two = {
        r.json()["data"]["guest"]["email"] for r in joined if r.json()["data"]["position"] <= 2
    }

    def leave(i: int) -> httpx.Response:
        with httpx.Client(base_url=urls[i % len(urls)], timeout=HTTP_TIMEOUT) as client:
            return client.request(
                "DELETE",
                f"/v3/scheduling/bookings/{seats[i]['booking_id']}",
                params={"configuration_id": config_id},
                json={},
            )

    # Both seats free at once while more guests try to book and to join the line.
    def newcomer(i: int) -> httpx.Response:
        body = _seat_body(slot, f"late{i}@example.com", waitlist=True)
        return _post(urls[i % len(urls)], config_id, body)

    with ThreadPoolExecutor(12) as pool:
        cancels = [pool.submit(leave, i) for i in range(2)]
        late = [pool.submit(newcomer, i) for i in range(10)]
        assert all(f.result().status_code == 200 for f in cancels), [
            f.result().text for f in cancels
        ]
        late_responses = [f.result() for f in late]
    assert all(r.status_code == 200 for r in late_responses), [r.text for r in late_responses]
    live = _live_seats(db)
    assert len(live) == 2
    with db.session(write=False) as session:
        entries = list(session.scalars(select(WaitlistEntry)))
    promoted = [e for e in entries if e.status == "booked"]
    assert len(promoted) == len({e.booking_id for e in promoted})
    booked_emails = {b.guest["email"] for b in live}
    # A late guest may have taken a seat freed before the line was served only if nobody was
    # waiting; here ten were, so the freed seats went to the first two in line.
    assert booked_emails == first_two
    assert {e.guest_email for e in promoted} == first_two
    assert {e.booking_id for e in promoted} == {b.id for b in live}
