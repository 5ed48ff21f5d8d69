"""The booking API end to end: booked, rescheduled, cancelled → webhooks, emails, reminders."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sqlalchemy import select

from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.models import Reminder
from tests.notifications.smtp import SmtpServer
from tests.notifications.test_emails_reminders import invite, vevent
from tests.support.delivery import subscribe
from tests.support.scheduling import (
    HOUR,
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
)
from tests.webhooks.receiver import Receiver

TRIGGERS = ["booking.created", "booking.rescheduled", "booking.cancelled"]


def test_booking_lifecycle_notifies_everyone(
    api: httpx.Client,
    server: object,
    db: Database,
    receiver: Receiver,
    smtp: SmtpServer,
    mail_settings: Settings,
    run_worker: Callable[..., None],
) -> None:
    mail = mail_settings
    subscribe(api, receiver, TRIGGERS)
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        event_booking={
            "title": "Intro call",
            "timezone": "UTC",
            "reminders": [{"type": "webhook", "minutes_before_event": 30}],
        },
    )
    config = create_config(api, grant_id, body)
    start = future_hour(2, 10)
    created = book(api, config["id"], start)
    assert created.status_code == 200, created.text
    booking_id = created.json()["data"]["booking_id"]
    moved = api.patch(
        f"/v3/scheduling/bookings/{booking_id}",
        params={"configuration_id": config["id"]},
        json={"start_time": start + HOUR, "end_time": start + HOUR + 1800},
    )
    assert moved.status_code == 200, moved.text
    run_worker(lambda: len(receiver.received) >= 2, settings_=mail)
    with db.session(write=False) as session:
        rows = session.scalars(select(Reminder).where(Reminder.booking_id == booking_id)).all()
        assert sorted((r.status, r.due_at) for r in rows) == [
            ("cancelled", start - 1800),
            ("pending", start + HOUR - 1800),
        ]
    cancelled = api.request(
        "DELETE",
        f"/v3/scheduling/bookings/{booking_id}",
        params={"configuration_id": config["id"]},
        json={"cancellation_reason": "no longer needed"},
    )
    assert cancelled.status_code == 200, cancelled.text
    run_worker(
        lambda: len(receiver.received) >= 3 and len(smtp.mailbox.messages) >= 6, settings_=mail
    )
    assert [r.type for r in receiver.received] == TRIGGERS
    assert receiver.received[2].object["booking_info"]["cancellation_reason"] == "no longer needed"
    with db.session(write=False) as session:
        statuses = {r.status for r in session.scalars(select(Reminder))}
    assert statuses == {"cancelled"}
    guest = [m for to, m in smtp.mailbox.messages if to == ["guest@example.com"]]
    host = [m for to, m in smtp.mailbox.messages if to == ["ada@example.com"]]
    assert len(guest) == 3 and len(host) == 3
    calendars = [invite(m) for m in guest]
    assert [str(c["METHOD"]) for c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [int(vevent(c)["SEQUENCE"]) for c in calendars] == [0, 1, 2]
    assert len({str(vevent(c)["UID"]) for c in calendars}) == 1
    assert vevent(calendars[1]).decoded("DTSTART").timestamp() == start + HOUR
