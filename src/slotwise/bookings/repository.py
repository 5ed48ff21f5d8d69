"""All booking queries, including the compare-and-swap status changes."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from slotwise.db.models import Booking, Event


def find_booking(session: Session, booking_id: str) -> Booking | None:
    return session.get(Booking, booking_id)


def find_event(session: Session, event_id: str | None) -> Event | None:
    return session.get(Event, event_id) if event_id else None


def change_status(
    session: Session, booking: Booking, *, expected: Collection[str], values: dict[str, object]
) -> bool:
    """UPDATE … WHERE status IN expected; True if this transaction made the change."""
    result = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status.in_(list(expected)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    changed = bool(getattr(result, "rowcount", 0))
    if changed:
        session.refresh(booking)
    return changed


def next_rotation_seq(session: Session, configuration_id: str) -> int:
    """The next number in the rotation of a configuration's booked events (`key5` is the
    configuration's id); call it under the booking's locks so no two get the same."""
    found = session.scalar(
        select(func.max(Event.rotation_seq)).where(Event.key5 == configuration_id)
    )
    return int(found or 0) + 1


def bookings_of_configuration(session: Session, configuration_id: str) -> list[Booking]:
    query = select(Booking).where(Booking.configuration_id == configuration_id)
    return list(session.scalars(query.order_by(Booking.start_ts)))


def bookings_with_events(
    session: Session, event_ids: Collection[str]
) -> list[tuple[Booking, Event]]:
    """The live (booked or pending) bookings made through these events, with their events."""
    query = (
        select(Booking, Event)
        .join(Event, Event.id == Booking.event_id)
        .where(Booking.event_id.in_(list(event_ids)), Booking.status.in_(["booked", "pending"]))
        .order_by(Booking.id)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def move_if_unchanged(session: Session, booking: Booking, start: int, end: int, now: int) -> bool:
    """Set the booking's times unless it was cancelled or moved since it was read."""
    result = session.execute(
        update(Booking)
        .where(
            Booking.id == booking.id,
            Booking.status.in_(["booked", "pending"]),
            Booking.start_ts == booking.start_ts,
            Booking.end_ts == booking.end_ts,
        )
        .values(start_ts=start, end_ts=end, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    changed = bool(getattr(result, "rowcount", 0))
    if changed:
        session.refresh(booking)
    return changed
