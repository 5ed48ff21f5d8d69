"""What a booking notification causes besides webhooks: emails and reminders.

Runs inside the fan-out transaction of the notification, so they happen exactly when the
notification is dispatched. Emails are skipped when SMTP is not configured or the
configuration's event_booking.disable_emails is true (reminder emails are configured one by
one and still go out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.config import Settings
from slotwise.db.models import Configuration, Delivery, IcalSequence, OutboxMessage
from slotwise.documents import event_booking_of, scheduler_of
from slotwise.ids import new_id
from slotwise.notifications import booking_emails, email, reminders, repository
from slotwise.notifications.notices import BookingNotice, read_notice


def next_ical_sequence(session: Session, booking_id: str) -> int:
    """0 for a booking's first invitation, then 1, 2, ... (fan-out is serialized)."""
    row = session.get(IcalSequence, booking_id)
    now = clock.now()
    if row is None:
        session.add(IcalSequence(booking_id=booking_id, sequence=0, updated_at=now))
        return 0
    row.sequence += 1
    row.updated_at = now
    return row.sequence


def current_ical_sequence(session: Session, booking_id: str) -> int:
    """The SEQUENCE of the booking's last composed invitation (0 before the first)."""
    row = session.get(IcalSequence, booking_id)
    return row.sequence if row is not None else 0


@dataclass
class FanoutBatch:
    """What the rows of one fan-out batch need, read once: each booking row's payload typed
    (`notices`, by outbox id), and from the database, in two queries, their configurations.

    `pending_reminders`: bookings that have pending reminders. Only fan-out creates pending
    reminders and it runs one at a time, so the set is complete; rows of the batch add to it.
    """

    notices: dict[str, BookingNotice]
    configurations: dict[str, Configuration]
    pending_reminders: set[str]

    @classmethod
    def read(cls, session: Session, messages: Sequence[OutboxMessage]) -> FanoutBatch:
        notices = {
            m.id: read_notice(m.payload) for m in messages if m.trigger.startswith("booking.")
        }
        config_ids = sorted({n.configuration_id for n in notices.values() if n.configuration_id})
        booking_ids = sorted({n.booking_id for n in notices.values() if n.booking_id})
        return cls(
            notices,
            repository.configurations_by_id(session, config_ids),
            repository.with_pending_reminders(session, booking_ids),
        )


def on_booking_notification(
    session: Session, settings: Settings, message: OutboxMessage, batch: FanoutBatch
) -> None:
    """Queue the booking's emails and (re)schedule its reminders, in the fan-out transaction."""
    trigger = message.trigger
    notice = batch.notices[message.id]
    booking_id = notice.booking_id
    if trigger == "booking.reminder" or not booking_id:
        return
    config_id = notice.configuration_id
    config = batch.configurations.get(config_id) if config_id else None
    # Only the two parts the emails and reminders read, each typed on its own: a configuration
    # deleted since the notification was queued reads as empty (no reminders, default emails).
    document = config.document if config is not None else {}
    event_booking = event_booking_of(document)
    scheduler = scheduler_of(document)
    now = clock.now()
    if trigger in ("booking.created", "booking.rescheduled"):
        specs = list(event_booking.reminders)
        if booking_id in batch.pending_reminders:
            reminders.cancel(session, booking_id)
        if reminders.schedule(session, notice, message.payload, specs, now):
            batch.pending_reminders.add(booking_id)
    elif trigger == "booking.cancelled" and booking_id in batch.pending_reminders:
        reminders.cancel(session, booking_id)
    if (
        trigger not in booking_emails.EMAIL_TRIGGERS
        or not email.smtp_configured(settings)
        or event_booking.disable_emails
    ):
        return
    sequence = next_ical_sequence(session, booking_id)
    composed_all = booking_emails.compose_all(
        trigger, notice, event_booking, scheduler, sequence, settings, now
    )
    for composed in composed_all:
        session.add(
            Delivery(
                id=new_id(),
                kind="email",
                outbox_id=message.id,
                destination_id=None,
                trigger=trigger,
                order_key=f"booking:{booking_id}/to:{composed['to'][0]}",
                sequence=message.id,
                message=composed,
                status="pending",
                attempts=0,
                next_attempt_ms=clock.now_ms(),
                created_at=now,
            )
        )
