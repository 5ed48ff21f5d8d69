"""A group configuration's seats notify as any booking does: booking.* webhooks and emails to
guest and organizer, reminders from `group_booking.reminders`, and the guest promoted from the
waitlist is told by the same booking.created email and webhook."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sqlalchemy import select

from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.models import Reminder
from tests.notifications.smtp import SmtpServer
from tests.scheduling.test_group_events import (
    book_seat,
    cancel,
    create_event,
    event_body,
    make_group,
    offer,
)
from tests.support.delivery import subscribe
from tests.support.scheduling import HOUR, future_hour
from tests.webhooks.receiver import Receiver

TRIGGERS = ["booking.created", "booking.cancelled"]


def test_seats_and_the_waitlist_notify(
    api: httpx.Client,
    server: object,
    db: Database,
    receiver: Receiver,
    smtp: SmtpServer,
    mail_settings: Settings,
    run_worker: Callable[..., None],
) -> None:
    subscribe(api, receiver, TRIGGERS)
    group_booking = {
        "calendar_id": "primary",
        "reminders": [{"type": "email", "minutes_before_event": 60}],
    }
    grant_id, _, config_id = make_group(api, db, group_booking=group_booking)
    start = future_hour(3, 9)
    create_event(api, grant_id, config_id, event_body(start, capacity=1))
    [slot] = offer(api, config_id, start - HOUR, start + HOUR)
    seat = book_seat(api, config_id, slot, "bo@example.com").json()["data"]
    waiting = book_seat(api, config_id, slot, "cy@example.com", waitlist=True)
    assert waiting.json()["data"]["position"] == 1
    cancel(api, seat["booking_id"], config_id)

    run_worker(
        lambda: len(receiver.received) >= 3 and len(smtp.mailbox.messages) >= 5,
        settings_=mail_settings,
    )
    kinds = [
        (r.type, r.object["booking_info"]["participants"][-1]["email"]) for r in receiver.received
    ]
    assert sorted(kinds) == sorted(
        [
            ("booking.created", "bo@example.com"),
            ("booking.cancelled", "bo@example.com"),
            ("booking.created", "cy@example.com"),
        ]
    )
    for hook in receiver.received:
        info = hook.object["booking_info"]
        assert info["is_group_event"] is True
        assert info["event_id"] == slot["event_id"]
        assert (info["start_time"], info["end_time"]) == (slot["start_time"], slot["end_time"])
    to = [tuple(addresses) for addresses, _ in smtp.mailbox.messages]
    assert to.count(("bo@example.com",)) == 2  # booked, then cancelled
    assert to.count(("cy@example.com",)) == 1  # promoted from the line
    with db.session(write=False) as session:
        reminders = list(session.scalars(select(Reminder)))
    assert sorted((r.status, r.due_at) for r in reminders) == [
        ("cancelled", start - HOUR),
        ("pending", start - HOUR),
    ]
