"""What a booking does with holds: converts the guest's own, and ends the guest's others.

A hold is converted only by the secret it was answered with (`hold_secret`), so nobody but
its taker can book through it; a wrong secret is refused, naming `hold_id`. A hold that has
expired (or, once expired, was tidied away) converts nothing: the booking is checked as any
other, and the slot is the guest's if it is still free.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from slotwise.bookings.schemas import NewBooking
from slotwise.capabilities import matches_hash
from slotwise.db.models import Configuration, Hold
from slotwise.errors import field_error
from slotwise.scheduling import holds_repository

NOT_THIS_GUESTS = "no hold of this configuration has this hold_id and hold_secret"


def own_hold(session: Session, config: Configuration, hold_id: str, secret: str | None) -> Hold:
    """The hold `hold_id` of `config`, if `secret` is its own (live or expired)."""
    hold = holds_repository.find_hold(session, hold_id)
    if (
        hold is None
        or hold.configuration_id != config.id
        or not matches_hash(secret or "", hold.secret_hash)
    ):
        raise field_error("hold_id", NOT_THIS_GUESTS)
    return hold


def claim_hold(session: Session, config: Configuration, req: NewBooking, now: int) -> Hold | None:
    """The live hold the booking converts (None: it names none, or it expired)."""
    if req.hold_id is None or holds_repository.find_hold(session, req.hold_id) is None:
        return None
    hold = own_hold(session, config, req.hold_id, req.hold_secret)
    if hold.expires_at <= now:
        # Inert; left to be tidied under the hosts' locks (deleting it here, before them,
        # could wait on a booking that holds those locks and deletes it too).
        return None
    if (hold.start_ts, hold.end_ts) != (req.start_time, req.end_time):
        raise field_error("hold_id", "holds another time: book the held start_time and end_time")
    return hold


def release_guest_holds(
    session: Session, config: Configuration, hold: Hold | None, email: str
) -> None:
    """A booked guest holds nothing more in the configuration: the converted hold and any
    other hold under their email end with the booking."""
    if hold is not None:
        holds_repository.delete_hold(session, hold.id)
    other = holds_repository.find_guest_hold(session, config.id, email.lower())
    if other is not None:
        holds_repository.delete_hold(session, other.id)
