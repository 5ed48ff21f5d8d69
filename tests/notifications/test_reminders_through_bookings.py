"""Reminders end to end through the booking API: the worker's reminder clock is moved to the
due time, so the real booking, reschedule and cancel paths decide what fires."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import httpx
from sqlalchemy import func, select

from slotwise import clock
from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.models import Delivery, Reminder
from slotwise.worker import Worker
from tests.notifications.smtp import SmtpServer
from tests.support.scheduling import (
    HOUR,
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
)
from tests.webhooks.conftest import FAST
from tests.webhooks.receiver import Receiver

TRIGGERS = [
    "booking.created",
    "booking.rescheduled",
    "booking.cancelled",
    "booking.reminder",
]
REMINDERS = [
    {"type": "webhook", "minutes_before_event": 60},
    {"type": "email", "minutes_before_event": 60, "recipient": "host", "email_subject": "host"},
    {"type": "email", "minutes_before_event": 60, "recipient": "guest", "email_subject": "guest"},
    {"type": "email", "minutes_before_event": 60, "recipient": "all", "email_subject": "all"},
]


def passes(db: Database, settings: Settings, at: int | None, count: int = 5) -> None:
    """`count` worker passes with the reminder clock at `at` (or now): each pass handles
    whatever is due, so after them nothing due is left unhandled."""
    now_fn = (lambda: at) if at is not None else clock.now
    with Worker(db, settings, FAST, now_fn=now_fn) as worker:
        for _ in range(count):
            worker.run_once()


def pending(db: Database) -> bool:
    with db.session(write=False) as session:
        waiting = select(func.count()).select_from(Delivery).where(Delivery.status == "pending")
        return bool(session.scalar(waiting))


def test_reminders_through_the_booking_api(
    api: httpx.Client,
    db: Database,
    receiver: Receiver,
    settings: Settings,
    smtp: SmtpServer,
    run_worker: Callable[..., None],
) -> None:
    mail = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
    created = api.post(
        "/v3/webhooks", json={"trigger_types": TRIGGERS, "webhook_url": receiver.url}
    )
    receiver.secret = created.json()["data"]["webhook_secret"]
    ada_grant, ada_calendar = make_grant(db, "ada@example.com", "Ada")
    _, bob_calendar = make_grant(db, "bob@example.com", "Bob")
    body = config_body(
        [
            participant("ada@example.com", ada_calendar, organizer=True),
            participant("bob@example.com", bob_calendar),
        ],
        event_booking={"title": "Intro call", "timezone": "UTC", "reminders": REMINDERS},
    )
    config = create_config(api, ada_grant, body)
    start = future_hour(2, 10)
    booked = book(
        api,
        config["id"],
        start,
        additional_guests=[{"email": "plus@example.com", "name": "Plus"}],
    )
    assert booked.status_code == 200, booked.text
    booking_id = booked.json()["data"]["booking_id"]
    moved_to = start + HOUR
    moved = api.patch(
        f"/v3/scheduling/bookings/{booking_id}",
        params={"configuration_id": config["id"]},
        json={"start_time": moved_to, "end_time": moved_to + 1800},
    )
    assert moved.status_code == 200, moved.text
    # Webhooks and emails go out independently: wait for the booking emails too, so that
    # those counted below are the reminders only.
    run_worker(lambda: len(receiver.received) >= 2 and not pending(db), settings_=mail)
    rescheduled = receiver.received[1].object["booking_info"]
    assert (rescheduled["old_start_time"], rescheduled["old_end_time"]) == (start, start + 1800)
    sent_before = len(smtp.mailbox.messages)

    # At the old due time nothing fires: the reschedule moved the reminders.
    passes(db, mail, start - HOUR + 5)
    assert [r.type for r in receiver.received] == TRIGGERS[:2]

    passes(db, mail, moved_to - HOUR + 5)
    run_worker(
        lambda: len(receiver.received) >= 3 and len(smtp.mailbox.messages) >= sent_before + 8,
        settings_=mail,
    )
    reminder = receiver.received[2]
    assert reminder.type == "booking.reminder"
    obj = reminder.object
    assert obj["booking_id"] == booking_id and obj["configuration_id"] == config["id"]
    info = obj["booking_info"]
    assert info["time_until_event"] == HOUR - 5
    assert info["organizer_email"] == "ada@example.com"
    assert info["provider"] == "virtual-calendar"
    assert (info["start_time"], info["end_time"]) == (moved_to, moved_to + 1800)
    for absent in ("old_start_time", "old_end_time", "cancellation_reason"):
        assert absent not in info
    reminders = smtp.mailbox.messages[sent_before:]
    by_subject: dict[str, set[str]] = {}
    for to, message in reminders:
        by_subject.setdefault(str(message["Subject"]), set()).update(to)
    hosts = {"ada@example.com", "bob@example.com"}
    guests = {"guest@example.com", "plus@example.com"}
    assert by_subject == {"host": hosts, "guest": guests, "all": hosts | guests}
    assert len(reminders) == 8

    # Fired once only, however often the worker passes at that time.
    passes(db, mail, moved_to - HOUR + 30)
    assert len(receiver.received) == 3 and len(smtp.mailbox.messages) == sent_before + 8

    # A cancelled booking's reminders never fire.
    second = book(api, config["id"], start + 5 * HOUR)
    assert second.status_code == 200, second.text
    second_id = second.json()["data"]["booking_id"]
    cancelled = api.request(
        "DELETE",
        f"/v3/scheduling/bookings/{second_id}",
        params={"configuration_id": config["id"]},
        json={"cancellation_reason": "clash"},
    )
    assert cancelled.status_code == 200, cancelled.text
    run_worker(lambda: len(receiver.received) >= 5, settings_=mail)
    passes(db, mail, start + 4 * HOUR + 5)
    assert [r.type for r in receiver.received[3:]] == ["booking.created", "booking.cancelled"]
    with db.session(write=False) as session:
        rows = session.scalars(select(Reminder).where(Reminder.booking_id == second_id)).all()
    assert {r.status for r in rows} == {"cancelled"} and len(rows) == len(REMINDERS)
