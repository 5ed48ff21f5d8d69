"""Booking reminders: rows due at start − minutes_before_event, fired by the worker.

Scheduling happens in the fan-out of booking.created / booking.rescheduled (the booking's
pending reminders are replaced), and booking.cancelled cancels them. A reminder whose time has
already passed when it is scheduled is stored as `skipped`; one still pending when its event
has begun (the worker was down) is skipped too. Firing is one transaction: the
booking.reminder outbox row (webhook reminders) or the reminder emails, plus marking it sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.config import DeliveryPolicy, Settings
from slotwise.db.engine import Database
from slotwise.db.models import Delivery, Reminder
from slotwise.documents import ReminderSpec
from slotwise.ids import new_id
from slotwise.notifications import booking_emails, delivery, email, repository
from slotwise.notifications.notices import BookingNotice, info_as_stored, people, read_notice
from slotwise.notifications.outbox import notification_id, record
from slotwise.webhooks import service as webhooks
from slotwise.webhooks.triggers import order_key

SOURCE = "/nylas/passthru"
_NOT_IN_REMINDERS = (
    "old_start_time",
    "old_end_time",
    "cancellation_reason",
    "host_confirmation_url",
)


def schedule(
    session: Session,
    notice: BookingNotice,
    payload: dict[str, Any],
    specs: Sequence[ReminderSpec],
    now: int,
) -> bool:
    """Add the booking's reminders of `specs` (event_booking.reminders); the caller has
    cancelled its pending ones first. Each keeps `payload` (as stored, `notice` is its typed
    reading) to be fired from. Returns whether any of them is pending."""
    pending = False
    start = notice.booking_info.start_time
    for spec in specs:
        if spec.type not in ("webhook", "email"):
            continue
        due = start - spec.minutes_before_event * 60
        pending = pending or due > now
        session.add(
            Reminder(
                id=new_id(),
                booking_id=notice.booking_id,
                configuration_id=str(notice.configuration_id),
                kind=spec.type,
                recipient=spec.recipient,
                email_subject=spec.email_subject,
                webhook_url=spec.webhook_url if spec.type == "webhook" else None,
                payload=payload,
                minutes_before_event=spec.minutes_before_event,
                due_at=due,
                status="pending" if due > now else "skipped",
                created_at=now,
            )
        )
    return pending


def cancel(session: Session, booking_id: str) -> None:
    repository.cancel_pending_reminders(session, booking_id)


def reminder_payload(
    session: Session, reminder: Reminder, notice: BookingNotice, now: int
) -> dict[str, Any]:
    """booking.reminder's data.object (reference §8.6): the booking's booking_info as its
    notification carried it (less what only a change has), with the time left."""
    stored = info_as_stored(reminder.payload)
    info = {k: v for k, v in stored.items() if k not in _NOT_IN_REMINDERS}
    organizer = people(notice.booking_info).organizer.email
    provider = repository.provider_of_email(session, organizer)
    info.update(
        time_until_event=notice.booking_info.start_time - now,
        organizer_email=organizer,
        provider=provider or "virtual-calendar",
    )
    return {
        "booking_id": reminder.booking_id,
        "configuration_id": reminder.configuration_id,
        "object": "booking",
        "booking_info": info,
    }


def _fire(
    session: Session, settings: Settings, reminder: Reminder, notice: BookingNotice, now: int
) -> None:
    """The reminder's booking.reminder notification (webhooks) or its emails."""
    if reminder.kind == "webhook" and reminder.webhook_url:
        _fire_to_page_endpoint(session, reminder, notice, now)
        return
    if reminder.kind == "webhook":
        payload = reminder_payload(session, reminder, notice, now)
        record(session, "booking.reminder", payload, source=SOURCE)
        return
    if not email.smtp_configured(settings):
        return
    messages = booking_emails.reminder_emails(
        notice, reminder.recipient, reminder.email_subject, settings
    )
    for message in messages:
        session.add(
            Delivery(
                id=new_id(),
                kind="email",
                outbox_id=None,
                destination_id=None,
                trigger="booking.reminder",
                order_key=f"booking:{reminder.booking_id}/to:{message['to'][0]}",
                sequence=notification_id(),
                message=message,
                status="pending",
                attempts=0,
                next_attempt_ms=clock.now_ms(),
                created_at=now,
            )
        )


def _fire_to_page_endpoint(
    session: Session, reminder: Reminder, notice: BookingNotice, now: int
) -> None:
    """A page reminder with its own webhook_url: the same booking.reminder notification, one
    delivery to that URL only (the outbox row is born dispatched, so the fan-out leaves it
    alone and no registered webhook or other page hears of it)."""
    assert reminder.webhook_url is not None
    payload = reminder_payload(session, reminder, notice, now)
    message = record(session, "booking.reminder", payload, source=SOURCE, dispatched=True)
    endpoint = webhooks.page_endpoint(session, reminder.configuration_id, reminder.webhook_url)
    if endpoint.status not in ("active", "failing"):
        # The breaker gave up on the URL (docs/scheduling-pages.md): nothing is queued for it.
        return
    session.add(
        Delivery(
            id=new_id(),
            kind="webhook",
            outbox_id=message.id,
            destination_id=endpoint.id,
            trigger="booking.reminder",
            order_key=order_key("booking.reminder", payload),
            sequence=message.id,
            message=None,
            status="pending",
            attempts=0,
            next_attempt_ms=clock.now_ms(),
            created_at=now,
        )
    )


def fire_due(
    db: Database,
    settings: Settings,
    policy: DeliveryPolicy,
    *,
    now_fn: Callable[[], int] = clock.now,
) -> int:
    """Fire the reminders that are due at `now_fn()`; returns how many were handled."""
    now = now_fn()
    with db.session() as session:
        reminders = repository.due_reminders(
            session, now, policy.batch_size, skip_locked=not db.is_sqlite
        )
        for reminder in reminders:
            # Read tolerantly (notifications.notices): an unreadable start reads as 0, begun.
            notice = read_notice(reminder.payload)
            if notice.booking_info.start_time <= now:
                reminder.status = "skipped"
                continue
            try:
                # A reminder whose notification cannot be built from its stored row is marked
                # failed (with a failed delivery saying why); the others still fire.
                with session.begin_nested():
                    _fire(session, settings, reminder, notice, now)
            except Exception as exc:  # noqa: BLE001 - one bad row must not stop the batch
                delivery.record_unbuildable(
                    session,
                    outbox_id=None,
                    trigger="booking.reminder",
                    order_key=f"booking:{reminder.booking_id}/to:-",
                    sequence=notification_id(),
                    error=exc,
                )
                reminder.status = "failed"
                continue
            reminder.status = "sent"
            reminder.fired_at = now
        return len(reminders)
