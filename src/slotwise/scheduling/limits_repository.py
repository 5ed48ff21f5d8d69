"""Queries of booking limits: per-grant limits, and the bookings each host has in a range."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from slotwise.db.models import Booking, BookingHost, GrantLimits

LIVE = ("booked", "pending")


@dataclass(frozen=True)
class Booked:
    """One live booking of a host, as booking limits count it."""

    grant_id: str
    configuration_id: str
    start: int
    end: int
    event_id: str | None


def find_grant_limits(session: Session, grant_id: str) -> GrantLimits | None:
    return session.get(GrantLimits, grant_id)


# Built once: every offer and every booking re-check runs it.
_LIMITS_OF = select(GrantLimits.grant_id, GrantLimits.document).where(
    GrantLimits.grant_id.in_(bindparam("ids", expanding=True))
)


def grant_limit_documents(session: Session, grant_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored limits of those grants that have any, by grant id."""
    if not grant_ids:
        return {}
    rows = session.execute(_LIMITS_OF, {"ids": sorted(set(grant_ids))})
    return {grant_id: document for grant_id, document in rows}


def bookings_of_hosts(
    session: Session,
    grant_ids: Sequence[str],
    start: int,
    end: int,
    *,
    configuration_id: str | None = None,
    exclude_event_ids: Collection[str] = (),
) -> list[Booked]:
    """Live bookings starting in [start, end) that book any of these grants (of one
    configuration only, if given)."""
    query = (
        select(
            BookingHost.grant_id,
            Booking.configuration_id,
            Booking.start_ts,
            Booking.end_ts,
            Booking.event_id,
        )
        .join(Booking, Booking.id == BookingHost.booking_id)
        .where(
            BookingHost.grant_id.in_(sorted(set(grant_ids))),
            Booking.status.in_(LIVE),
            Booking.start_ts >= start,
            Booking.start_ts < end,
        )
    )
    if configuration_id is not None:
        query = query.where(Booking.configuration_id == configuration_id)
    found = [Booked(*row) for row in session.execute(query)]
    return [b for b in found if b.event_id is None or b.event_id not in exclude_event_ids]


def add_booking_hosts(session: Session, booking_id: str, grant_ids: Sequence[str]) -> None:
    for grant_id in sorted(set(grant_ids)):
        session.add(BookingHost(booking_id=booking_id, grant_id=grant_id))
