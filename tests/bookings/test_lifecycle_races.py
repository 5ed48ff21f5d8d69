"""A reschedule racing a cancellation of the same booking.

On PostgreSQL the reschedule reads "booked" and then waits for the cancellation's row lock; on
SQLite it waits for the write lock before reading. Either way it must lose cleanly.
"""

from __future__ import annotations

import threading

import httpx
import pytest
from sqlalchemy import select, text

from slotwise.db.engine import Database
from slotwise.db.models import Booking, OutboxMessage
from tests.support.scheduling import (
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
)


@pytest.mark.slow
def test_reschedule_that_loses_to_a_cancellation_changes_nothing(
    api: httpx.Client, db: Database
) -> None:
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    config = create_config(
        api, grant_id, config_body([participant("ada@example.com", calendar_id, organizer=True)])
    )
    start = future_hour(2, 10)
    booking_id = book(api, config["id"], start).json()["data"]["booking_id"]
    moved_to = future_hour(3, 10)
    result: list[httpx.Response] = []

    with db.session() as session:
        # A cancellation in flight: the row is changed and locked, not yet committed.
        session.execute(
            text("UPDATE bookings SET status = 'cancelled' WHERE id = :id"), {"id": booking_id}
        )
        patch = threading.Thread(
            target=lambda: result.append(
                api.patch(
                    f"/v3/scheduling/bookings/{booking_id}",
                    json={"start_time": moved_to, "end_time": moved_to + 1800},
                )
            )
        )
        patch.start()
        patch.join(timeout=3)  # it waits for the row (PostgreSQL) or the write lock (SQLite)
        assert patch.is_alive()
    patch.join(timeout=30)

    [response] = result
    assert response.status_code == 409, response.text
    with db.session(write=False) as session:
        booking = session.get(Booking, booking_id)
        assert booking is not None
        assert (booking.status, booking.start_ts) == ("cancelled", start)
        triggers = list(session.scalars(select(OutboxMessage.trigger)))
    assert "booking.rescheduled" not in triggers
