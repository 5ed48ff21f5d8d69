"""Queries about group events: their rows, the seats taken in them and their waitlists."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from slotwise.db.models import Booking, GroupEvent, WaitlistEntry

LIVE = ("booked", "pending")
WAITING = "waiting"


def find_group_event(session: Session, event_id: str) -> GroupEvent | None:
    return session.get(GroupEvent, event_id)


def group_events_of(session: Session, configuration_id: str) -> list[GroupEvent]:
    query = (
        select(GroupEvent)
        .where(GroupEvent.configuration_id == configuration_id)
        .order_by(GroupEvent.created_at, GroupEvent.event_id)
    )
    return list(session.scalars(query))


def seats_taken(session: Session, occurrence_ids: Iterable[str]) -> dict[str, int]:
    """Live (booked or pending) seats per occurrence id."""
    ids = sorted(set(occurrence_ids))
    if not ids:
        return {}
    query = (
        select(Booking.group_event_id, func.count())
        .where(Booking.group_event_id.in_(ids), Booking.status.in_(LIVE))
        .group_by(Booking.group_event_id)
    )
    return {str(k): int(n) for k, n in session.execute(query)}


def live_seats_of_series(session: Session, master_id: str) -> list[Booking]:
    """Live seats in any occurrence of the group event `master_id` (instance ids extend it)."""
    escaped = master_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = select(Booking).where(
        or_(
            Booking.group_event_id == master_id,
            Booking.group_event_id.like(escaped + "\\_%", escape="\\"),
        ),
        Booking.status.in_(LIVE),
    )
    return list(session.scalars(query))


def live_seats(session: Session, occurrence_id: str) -> list[Booking]:
    """The live seats of one occurrence (at most its capacity)."""
    query = select(Booking).where(Booking.group_event_id == occurrence_id, Booking.status.in_(LIVE))
    return list(session.scalars(query))


def waiting_counts(session: Session, occurrence_ids: Iterable[str]) -> dict[str, int]:
    ids = sorted(set(occurrence_ids))
    if not ids:
        return {}
    query = (
        select(WaitlistEntry.occurrence_id, func.count())
        .where(WaitlistEntry.occurrence_id.in_(ids), WaitlistEntry.status == WAITING)
        .group_by(WaitlistEntry.occurrence_id)
    )
    return {str(k): int(n) for k, n in session.execute(query)}


def waiting_entry_of(session: Session, occurrence_id: str, email: str) -> WaitlistEntry | None:
    query = select(WaitlistEntry).where(
        WaitlistEntry.occurrence_id == occurrence_id,
        WaitlistEntry.status == WAITING,
        WaitlistEntry.guest_email == email.lower(),
    )
    return session.scalar(query.limit(1))


def last_position(session: Session, occurrence_id: str) -> int:
    """The highest place ever given in this occurrence's line (0: none yet)."""
    query = select(func.max(WaitlistEntry.position)).where(
        WaitlistEntry.occurrence_id == occurrence_id
    )
    return int(session.scalar(query) or 0)


def first_waiting(session: Session, occurrence_id: str) -> WaitlistEntry | None:
    query = (
        select(WaitlistEntry)
        .where(WaitlistEntry.occurrence_id == occurrence_id, WaitlistEntry.status == WAITING)
        .order_by(WaitlistEntry.position)
    )
    return session.scalar(query.limit(1))


def places_ahead(session: Session, entry: WaitlistEntry) -> int:
    """How many are still waiting ahead of `entry`."""
    query = select(func.count()).where(
        WaitlistEntry.occurrence_id == entry.occurrence_id,
        WaitlistEntry.status == WAITING,
        WaitlistEntry.position < entry.position,
    )
    return int(session.scalar(query) or 0)
