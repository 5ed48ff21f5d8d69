"""A page's upcoming bookings, for its editor: list them, confirm a pending one, cancel one.

The editor holds the page's edit_token (or an account's access token), which reaches the page
and so its bookings: the organizer's view. Confirming and cancelling go through the booking
service like every other path, so the same compare-and-swap, webhooks and emails apply (and
`min_cancellation_notice` still refuses a late cancellation). Never commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from slotwise.bookings import service as bookings
from slotwise.bookings.salts import guest_salt
from slotwise.bookings.schemas import CancelBooking, DecideBooking
from slotwise.db.models import Booking, Configuration
from slotwise.errors import NotFound, field_error
from slotwise.pages import repository
from slotwise.scheduling.access import ORGANIZER, Access
from slotwise.validation import validate_model

MAX_LISTED = 200
MAX_REASON = 10_000


def upcoming(session: Session, config: Configuration, now: int) -> list[dict[str, Any]]:
    """The page's booked and pending bookings that have not ended, soonest first."""
    bookings = repository.upcoming_bookings(session, config.id, now, MAX_LISTED)
    return [_listed(b) for b in bookings]


def _listed(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "start_time": booking.start_ts,
        "end_time": booking.end_ts,
        "is_confirmed": booking.status == "booked",
        "title": booking.title,
        "recipient_email": booking.guest.get("email"),
        "recipient_name": booking.guest.get("name"),
        "host_email": booking.organizer_email,
        "additional_field_values": dict(booking.additional_fields or {}),
    }


def _booking(session: Session, config: Configuration, booking_id: str) -> Booking:
    booking = session.get(Booking, booking_id) if len(booking_id) <= 64 else None
    if booking is None or booking.configuration_id != config.id:
        raise NotFound(f"no booking {booking_id!r} on this page")
    return booking


def confirm(session: Session, config: Configuration, booking_id: str) -> dict[str, Any]:
    booking = _booking(session, config, booking_id)
    decision = DecideBooking(salt=guest_salt(booking), status="confirmed")
    access = Access(config, ORGANIZER)
    return _listed(bookings.confirm_booking(session, access, booking.id, decision))


def cancel(session: Session, config: Configuration, booking_id: str, body: dict[str, Any]) -> None:
    booking = _booking(session, config, booking_id)
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON):
        raise field_error("reason", f"expected a string of at most {MAX_REASON} characters")
    access = Access(config, ORGANIZER)
    cancel = validate_model(CancelBooking, {"cancellation_reason": reason})
    bookings.cancel_booking(session, access, booking.id, cancel)
