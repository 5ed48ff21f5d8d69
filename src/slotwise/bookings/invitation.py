"""The booking's invitation as a file the guest downloads ("Add to calendar").

Built by the code that builds the emailed invitation (notifications.booking_emails.ics) from
the payload the emails are made of, with the same UID and the SEQUENCE last emailed, so a
calendar that imports both keeps one event. Before the first email is composed (or when no
emails are sent) the SEQUENCE is 0, the first email's.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from slotwise.bookings.payloads import created_payload
from slotwise.config import Settings
from slotwise.db.models import Booking, Configuration, Event
from slotwise.notifications.booking_effects import current_ical_sequence
from slotwise.notifications.booking_emails import ics
from slotwise.notifications.notices import read_notice

_TRIGGERS = {"pending": "booking.pending", "cancelled": "booking.cancelled"}


def booking_invitation(
    session: Session, booking: Booking, config: Configuration, settings: Settings, now: int
) -> str:
    """The iCalendar text of the booking as it stands (a cancelled one as its CANCEL)."""
    event = session.get(Event, booking.event_id) if booking.event_id else None
    notice = read_notice(created_payload(booking, config, event))
    trigger = _TRIGGERS.get(booking.status, "booking.created")
    text, _ = ics(trigger, notice, current_ical_sequence(session, booking.id), settings, now)
    return text
