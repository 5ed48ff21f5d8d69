"""Booking limits and holds under contention: real threads, and two server processes over one
database, racing for the last booking a limit allows and for one slot to hold."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select

from slotwise.db.engine import Database
from slotwise.db.models import Booking, Hold
from tests.support.scheduling import (
    HOUR,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
)
from tests.support.waiting import HTTP_TIMEOUT

THREADS = 24
HOLDERS = 40


def _post_all(urls: list[str], path: str, bodies: list[tuple[str, dict[str, Any]]]) -> list[int]:
    def one(i: int) -> int:
        config_id, body = bodies[i]
        with httpx.Client(base_url=urls[i % len(urls)], timeout=HTTP_TIMEOUT) as client:
            response = client.post(path, params={"configuration_id": config_id}, json=body)
        assert response.status_code in {200, 409}, response.text
        if response.status_code == 409:
            assert response.json()["error"]["type"] == "timeslot_not_available", response.text
        return response.status_code

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(one, range(len(bodies))))


def _booking(start: int, i: int) -> dict[str, Any]:
    return {
        "start_time": start,
        "end_time": start + 1800,
        "guest": {"email": f"guest{i}@example.com", "name": f"Guest {i}"},
    }


def _live_bookings(db: Database) -> int:
    with db.session(write=False) as session:
        query = select(func.count()).select_from(Booking).where(Booking.status != "cancelled")
        return int(session.scalar(query) or 0)


def test_the_last_booking_a_configuration_allows_goes_to_one(
    api: httpx.Client, db: Database, urls: list[str]
) -> None:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        scheduler={"min_booking_notice": 0, "booking_limits": {"per_day": 2}},
    )
    config = create_config(api, grant_id, body)
    day = future_hour(3, 0)
    warmup = api.post(
        "/v3/scheduling/bookings", params={"configuration_id": config["id"]}, json=_booking(day, 0)
    )
    assert warmup.status_code == 200, warmup.text
    # Every request wants a different free slot of the same day: only the limit stops them.
    bodies = [(config["id"], _booking(day + HOUR + i * 1800, i + 1)) for i in range(THREADS)]
    codes = _post_all(urls, "/v3/scheduling/bookings", bodies)
    assert codes.count(200) == 1
    assert _live_bookings(db) == 2


def test_a_grant_limit_holds_across_configurations(
    api: httpx.Client, db: Database, urls: list[str]
) -> None:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    limits = api.put(
        f"/v3/grants/{grant_id}/scheduling/limits", json={"booking_limits": {"per_week": 1}}
    )
    assert limits.status_code == 200, limits.text
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        scheduler={"min_booking_notice": 0},
    )
    configs = [create_config(api, grant_id, body)["id"] for _ in range(2)]
    day = future_hour(3, 0)
    bodies = [(configs[i % 2], _booking(day + i * 1800, i)) for i in range(THREADS)]
    codes = _post_all(urls, "/v3/scheduling/bookings", bodies)
    assert codes.count(200) == 1
    assert _live_bookings(db) == 1


def test_forty_guests_holding_one_slot_make_one_hold(
    api: httpx.Client, db: Database, urls: list[str]
) -> None:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        scheduler={"min_booking_notice": 0},
    )
    config = create_config(api, grant_id, body)
    slot = future_hour(3, 10)
    window = {"start_time": slot, "end_time": slot + 1800}
    bodies = [(config["id"], {**window, "email": f"g{i}@example.com"}) for i in range(HOLDERS)]
    codes = _post_all(urls, "/v3/scheduling/holds", bodies)
    assert codes.count(200) == 1
    with db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Hold)) == 1
