"""What GET /v3/scheduling/availability offers for a reschedule (`booking_id`)."""

from __future__ import annotations

import httpx

from slotwise.db.engine import Database
from tests.scheduling.test_availability import add_event, slots
from tests.support.scheduling import (
    HOUR,
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
    round_robin,
)


def test_round_robin_reschedule_lists_only_what_the_booked_host_can_take(
    api: httpx.Client, db: Database
) -> None:
    ada_grant, ada_calendar = make_grant(db, "ada@example.com", "Ada")
    bob_grant, bob_calendar = make_grant(db, "bob@example.com", "Bob")
    body = round_robin(
        config_body(
            [
                participant("ada@example.com", ada_calendar),
                participant("bob@example.com", bob_calendar),
            ]
        )
    )
    config = create_config(api, ada_grant, body)
    start = future_hour(3, 10)
    booked = book(api, config["id"], start, participants=[{"email": "bob@example.com"}])
    assert booked.status_code == 200, booked.text
    booking_id = booked.json()["data"]["booking_id"]
    busy = start + 2 * HOUR
    add_event(db, bob_grant, bob_calendar, busy, busy + HOUR)  # Bob busy, Ada free

    offered = slots(api, config["id"], start, start + 4 * HOUR, booking_id=booking_id)
    starts = [s["start_time"] for s in offered["time_slots"]]
    assert start in starts  # the booking's own time is free for it
    assert busy not in starts  # only Ada could take it, and the booking stays with Bob
    assert all(s["emails"] == ["bob@example.com"] for s in offered["time_slots"])
    # Every slot offered for the reschedule can be taken by it.
    for slot in offered["time_slots"][:3]:
        moved = api.patch(
            f"/v3/scheduling/bookings/{booking_id}",
            json={"start_time": slot["start_time"], "end_time": slot["end_time"]},
        )
        assert moved.status_code == 200, moved.text
    # Without booking_id the listing still offers Ada's free time.
    assert busy in [
        s["start_time"] for s in slots(api, config["id"], start, busy + HOUR)["time_slots"]
    ]
