"""Booking emails over real SMTP with iCalendar invitations, and booking reminders."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from email.message import EmailMessage as Message
from typing import Any

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import select

from slotwise import clock
from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.models import Configuration, Delivery, Grant, Reminder
from slotwise.ids import encode_booking_ref, new_salt
from slotwise.notifications import record
from tests.notifications.smtp import SmtpServer
from tests.support.delivery import subscribe
from tests.webhooks.receiver import Receiver

ORGANIZER = "host@example.com"
GUEST = "guest@example.com"


@pytest.fixture
def mail_settings(mail_settings: Settings) -> Settings:
    """The shared mail settings, with a public URL for the links in the emails."""
    return dataclasses.replace(mail_settings, public_url="https://slots.example")


def configuration(db: Database, **event_booking: Any) -> str:
    config_id = str(uuid.uuid4())
    now = clock.now()
    with db.session() as session:
        session.add(
            Grant(
                id="g-" + config_id[:8],
                provider="virtual-calendar",
                email=ORGANIZER,
                name="Hosting Person",
                created_at=now,
                updated_at=now,
            )
        )
        session.flush()
        session.add(
            Configuration(
                id=config_id,
                grant_id="g-" + config_id[:8],
                document={
                    "event_booking": {"title": "Intro call", **event_booking},
                    "scheduler": {"rescheduling_url": "https://x/r/:booking_ref"},
                },
                created_at=now,
                updated_at=now,
            )
        )
    return config_id


class BookingStory:
    """Outbox rows shaped like the booking service's (payloads of reference §8.6)."""

    def __init__(self, db: Database, config_id: str, start: int) -> None:
        self.db = db
        self.config_id = config_id
        self.booking_id = str(uuid.uuid4())
        self.ref = encode_booking_ref(config_id, self.booking_id, new_salt())
        self.start, self.end = start, start + 1800

    def info(self, **extra: Any) -> dict[str, Any]:
        return {
            "event_id": "e1",
            "start_time": self.start,
            "end_time": self.end,
            "participants": [
                {"email": ORGANIZER, "name": "Hosting Person"},
                {"email": GUEST, "name": "Guest Person"},
                {"email": "friend@example.com", "name": ""},
            ],
            "title": "Intro call",
            "duration": 30,
            "organizer_timezone": "Europe/Paris",
            "guest_timezone": "America/New_York",
            "participant_rescheduling_url": f"https://x/r/{self.ref}",
            "organizer_email": ORGANIZER,
            "organizer_name": "Hosting Person",
            "guest_email": GUEST,
            "guest_name": "Guest Person",
            **extra,
        }

    def emit(self, trigger: str, **extra: Any) -> None:
        payload: dict[str, Any] = {
            "booking_id": self.booking_id,
            "configuration_id": self.config_id,
            "object": "booking",
            "booking_info": self.info(**extra),
        }
        if trigger != "booking.cancelled":
            payload["booking_ref"] = self.ref
        if trigger == "booking.pending":
            payload["booking_type"] = "organizer-confirmation"
        with self.db.session() as session:
            record(session, trigger, payload)

    def reschedule(self, start: int) -> None:
        old = (self.start, self.end)
        self.start, self.end = start, start + 1800
        self.emit("booking.rescheduled", old_start_time=old[0], old_end_time=old[1])


def invite(message: Message) -> Calendar:
    [part] = [p for p in message.walk() if p.get_filename() == "invite.ics"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return Calendar.from_ical(payload)


def vevent(cal: Calendar) -> Any:
    [event] = cal.walk("VEVENT")
    return event


def test_confirmed_rescheduled_cancelled_emails_with_invitations(
    db: Database, mail_settings: Settings, smtp: SmtpServer, run_worker: Callable[..., None]
) -> None:
    story = BookingStory(db, configuration(db), clock.now() + 86400)
    story.emit("booking.created")
    run_worker(lambda: len(smtp.mailbox.messages) >= 3, settings_=mail_settings)
    created = smtp.mailbox.wait_for(3)
    recipients = sorted(to[0] for to, _ in created)
    assert recipients == sorted([GUEST, "friend@example.com", ORGANIZER])
    guest_mail = next(m for to, m in created if to == [GUEST])
    assert guest_mail["Subject"] == "Booking confirmed: Intro call"
    assert f"https://x/r/{story.ref}" in guest_mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    cal = invite(guest_mail)
    event = vevent(cal)
    assert str(cal["METHOD"]) == "REQUEST"
    uid = str(event["UID"])
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART").timestamp() == story.start
    assert event.decoded("DTEND").timestamp() == story.end
    assert str(event["ORGANIZER"]) == f"mailto:{ORGANIZER}"
    attendees = {str(a) for a in event.get("ATTENDEE")}
    assert f"mailto:{GUEST}" in attendees

    story.reschedule(story.start + 3600)
    run_worker(lambda: len(smtp.mailbox.messages) >= 6, settings_=mail_settings)
    moved = invite(next(m for to, m in smtp.mailbox.messages[3:] if to == [ORGANIZER]))
    assert str(moved["METHOD"]) == "REQUEST"
    assert str(vevent(moved)["UID"]) == uid and int(vevent(moved)["SEQUENCE"]) == 1
    assert vevent(moved).decoded("DTSTART").timestamp() == story.start

    story.emit("booking.cancelled", cancellation_reason="conflict")
    run_worker(lambda: len(smtp.mailbox.messages) >= 9, settings_=mail_settings)
    cancelled_mail = next(m for to, m in smtp.mailbox.messages[6:] if to == [GUEST])
    assert cancelled_mail["Subject"] == "Booking cancelled: Intro call"
    cancelled = invite(cancelled_mail)
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert str(vevent(cancelled)["UID"]) == uid and int(vevent(cancelled)["SEQUENCE"]) == 2
    assert str(vevent(cancelled)["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize("template", [None, "https://app.example/confirm/:booking_ref"])
def test_pending_request_goes_to_the_organizer_with_links(
    db: Database,
    mail_settings: Settings,
    smtp: SmtpServer,
    run_worker: Callable[..., None],
    template: str | None,
) -> None:
    config_id = configuration(db)
    if template:
        with db.session() as session:
            config = session.get(Configuration, config_id)
            assert config is not None
            config.document = {
                **config.document,
                "scheduler": {"organizer_confirmation_url": template},
            }
    story = BookingStory(db, config_id, clock.now() + 86400)
    story.emit("booking.pending")
    run_worker(lambda: len(smtp.mailbox.messages) >= 1 and settled(db), settings_=mail_settings)
    [(to, message)] = smtp.mailbox.messages  # and no other, now that nothing is left to send
    assert to == [ORGANIZER]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    base = (
        f"https://app.example/confirm/{story.ref}"
        if template
        else f"https://slots.example/scheduling/organizer-confirmation/{story.ref}"
    )
    assert f"Confirm: {base}?action=confirm" in text
    assert f"Decline: {base}?action=decline" in text
    assert str(vevent(invite(message))["STATUS"]) == "TENTATIVE"


def test_disable_emails_is_honoured(
    db: Database, mail_settings: Settings, smtp: SmtpServer, run_worker: Callable[..., None]
) -> None:
    story = BookingStory(db, configuration(db, disable_emails=True), clock.now() + 86400)
    story.emit("booking.created")

    def dispatched() -> bool:
        with db.session(write=False) as session:
            return session.scalar(select(Reminder.id)) is None and _undispatched(session) == 0

    run_worker(dispatched, settings_=mail_settings)
    with db.session(write=False) as session:
        assert session.scalars(select(Delivery)).all() == []
    assert smtp.mailbox.messages == []


def settled(db: Database) -> bool:
    """Every notification dispatched and every delivery finished (sent or given up)."""
    with db.session(write=False) as session:
        unfinished = select(Delivery.id).where(Delivery.status == "pending")
        return _undispatched(session) == 0 and session.scalar(unfinished) is None


def _undispatched(session: Any) -> int:
    from slotwise.db.models import OutboxMessage

    return len(
        session.scalars(select(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None))).all()
    )


def test_smtp_down_means_later_delivery(
    db: Database, settings: Settings, run_worker: Callable[..., None]
) -> None:
    down = SmtpServer()  # not started yet: connections are refused
    mail = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=down.port)
    story = BookingStory(db, configuration(db), clock.now() + 86400)
    story.emit("booking.created")

    def tried_twice() -> bool:
        with db.session(write=False) as session:
            return all(d.attempts >= 2 for d in session.scalars(select(Delivery))) and bool(
                session.scalars(select(Delivery)).all()
            )

    run_worker(tried_twice, settings_=mail)
    down.start()
    try:
        run_worker(lambda: len(down.mailbox.messages) >= 3, settings_=mail)
    finally:
        down.stop()


def reminders_of(db: Database, booking_id: str) -> list[tuple[str, str, int]]:
    with db.session(write=False) as session:
        rows = session.scalars(select(Reminder).where(Reminder.booking_id == booking_id)).all()
        return sorted((r.kind, r.status, r.due_at) for r in rows)


def test_reminders_fire_move_and_cancel(
    api: httpx.Client,
    db: Database,
    receiver: Receiver,
    mail_settings: Settings,
    smtp: SmtpServer,
    run_worker: Callable[..., None],
    frozen_clock: int,
) -> None:
    subscribe(api, receiver, ["booking.reminder"])
    config_id = configuration(
        db,
        reminders=[
            {"type": "webhook", "minutes_before_event": 1},
            {
                "type": "email",
                "minutes_before_event": 1,
                "recipient": "guest",
                "email_subject": "Soon!",
            },
        ],
        disable_emails=True,
    )
    # The clock stands still until the reminders are due, however slowly the set-up runs.
    now = frozen_clock
    # Booked far ahead, then moved to start 62 s from now: the reminders move with it.
    moved = BookingStory(db, config_id, now + 7200)
    moved.emit("booking.created")
    cancelled = BookingStory(db, config_id, now + 62)
    cancelled.emit("booking.created")
    cancelled.emit("booking.cancelled")
    late = BookingStory(db, config_id, now + 30)  # 1 minute before has already passed
    late.emit("booking.created")
    run_worker(lambda: bool(reminders_of(db, late.booking_id)), settings_=mail_settings)
    moved.reschedule(now + 62)
    run_worker(lambda: len(reminders_of(db, moved.booking_id)) == 4, settings_=mail_settings)
    statuses = [s for _, s, _ in reminders_of(db, moved.booking_id)]
    assert sorted(statuses) == ["cancelled", "cancelled", "pending", "pending"]
    assert {s for _, s, _ in reminders_of(db, cancelled.booking_id)} == {"cancelled"}
    assert {s for _, s, _ in reminders_of(db, late.booking_id)} == {"skipped"}
    assert receiver.received == [] and smtp.mailbox.messages == []

    clock.advance(3)  # the moved booking's reminders (due 60 s before it) are now due
    run_worker(
        lambda: len(receiver.received) >= 1 and len(smtp.mailbox.messages) >= 2,
        settings_=mail_settings,
    )
    [reminder] = receiver.received
    assert reminder.type == "booking.reminder"
    assert reminder.object["booking_id"] == moved.booking_id
    info = reminder.object["booking_info"]
    assert info["time_until_event"] == 59
    assert info["organizer_email"] == ORGANIZER and info["provider"] == "virtual-calendar"
    assert info["start_time"] == moved.start and "old_start_time" not in info
    assert sorted(to[0] for to, _ in smtp.mailbox.messages) == sorted([GUEST, "friend@example.com"])
    assert all(m["Subject"] == "Soon!" for _, m in smtp.mailbox.messages)


def test_state_changes_are_emailed_to_the_owners(
    api: httpx.Client,
    db: Database,
    receiver: Receiver,
    mail_settings: Settings,
    smtp: SmtpServer,
    run_worker: Callable[..., None],
) -> None:
    from tests.webhooks.conftest import FAST

    response = api.post(
        "/v3/webhooks",
        json={
            "trigger_types": ["grant.created"],
            "webhook_url": receiver.url,
            "notification_email_addresses": ["ops@example.com"],
        },
    )
    receiver.secret = response.json()["data"]["webhook_secret"]
    receiver.mode = "error"
    with db.session() as session:
        record(session, "grant.created", {"grant_id": "g1"})
    policy = dataclasses.replace(FAST, failing_after_seconds=0.3, max_attempts=1000)
    run_worker(lambda: len(smtp.mailbox.messages) >= 1, policy=policy, settings_=mail_settings)
    [(to, message)] = smtp.mailbox.messages
    assert to == ["ops@example.com"] and "failing" in message["Subject"]
