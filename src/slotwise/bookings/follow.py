"""Bookings follow the calendar events they made: the calendar is the truth.

When the event behind a live booking is moved (through the events API, or found moved by a
CalDAV / ICS sync) the booking takes the event's new times and `booking.rescheduled` is
recorded; when the event is deleted or cancelled the booking is cancelled and
`booking.cancelled` is recorded. The outbox fan-out turns those into webhooks, the guest's
emails and moved or removed reminders, exactly as for a change made through the booking API.

The rule compares state rather than reacting to who made the change: the booking API moves or
cancels the booking before it touches the event, in the same transaction, so by the time the
event change is published the booking already agrees with it and nothing is recorded twice.
The slot rules (open hours, notice, buffers, other bookings) are not applied: the organizer
has already put the event where it is.

The events service and the mirror sync publish event changes through `providers.changes`;
they sit below this module and cannot import it, so `subscribe()` is called by the layers that
assemble the application (the API app factory and the worker).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.bookings import payloads, repository
from slotwise.bookings.service import SOURCE
from slotwise.db.models import Booking, Configuration, Event
from slotwise.notifications import record
from slotwise.providers import changes

CANCELLATION_REASON = "The calendar event was deleted or cancelled"
_CHUNK = 500  # ids per IN (...) list


def subscribe() -> None:
    changes.subscribe(follow_events)


def follow_events(session: Session, event_ids: Sequence[str]) -> None:
    """Bring the live bookings made through these events in line with them."""
    ids = list(dict.fromkeys(event_ids))
    for i in range(0, len(ids), _CHUNK):
        for booking, event in repository.bookings_with_events(session, ids[i : i + _CHUNK]):
            config = session.get(Configuration, booking.configuration_id)
            if config is None:
                continue
            if event.status == "cancelled":
                _cancel(session, booking, config, event)
            elif (event.start_ts, event.end_ts) != (booking.start_ts, booking.end_ts):
                _move(session, booking, config, event)


def _cancel(session: Session, booking: Booking, config: Configuration, event: Event) -> None:
    values = {
        "status": "cancelled",
        "cancellation_reason": CANCELLATION_REASON,
        "updated_at": clock.now(),
    }
    if repository.change_status(session, booking, expected={"booked", "pending"}, values=values):
        record(
            session,
            "booking.cancelled",
            payloads.cancelled_payload(booking, config, event),
            source=SOURCE,
        )


def _move(session: Session, booking: Booking, config: Configuration, event: Event) -> None:
    old_start, old_end = booking.start_ts, booking.end_ts
    if repository.move_if_unchanged(session, booking, event.start_ts, event.end_ts, clock.now()):
        record(
            session,
            "booking.rescheduled",
            payloads.rescheduled_payload(booking, config, event, old_start, old_end),
            source=SOURCE,
        )
