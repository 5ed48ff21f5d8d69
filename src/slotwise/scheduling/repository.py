"""All queries about configurations, sessions and the calendars and history they draw on."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from slotwise.db.lists import bound_list, one_of
from slotwise.db.models import Booking, Calendar, Configuration, Grant, SchedulingSession
from slotwise.events import repository as events_repository


def find_configuration(session: Session, configuration_id: str) -> Configuration | None:
    return session.get(Configuration, configuration_id)


def find_by_slug(session: Session, slug: str) -> Configuration | None:
    return session.scalar(select(Configuration).where(Configuration.slug == slug))


def slug_taken(session: Session, slug: str, *, except_id: str | None = None) -> bool:
    query = select(Configuration.id).where(Configuration.slug == slug)
    if except_id is not None:
        query = query.where(Configuration.id != except_id)
    return session.scalar(query.limit(1)) is not None


def list_configurations(
    session: Session, grant_id: str, *, offset: int, limit: int
) -> list[Configuration]:
    query = (
        select(Configuration)
        .where(Configuration.grant_id == grant_id)
        .order_by(Configuration.created_at, Configuration.id)
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(query))


def session_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def find_session(session: Session, token: str) -> SchedulingSession | None:
    """The session a bearer token opens (rows are keyed by the token's SHA-256)."""
    return session.get(SchedulingSession, session_token_hash(token))


def delete_expired_sessions(session: Session, now: int) -> None:
    session.execute(delete(SchedulingSession).where(SchedulingSession.expires_at <= now))


def calendars_of_grants(session: Session, grant_ids: Iterable[str]) -> list[Calendar]:
    ids = sorted(set(grant_ids))
    if not ids:
        return []
    return list(session.scalars(select(Calendar).where(Calendar.grant_id.in_(ids))))


# Built once: availability and every booking run it.
_GRANTS_WITH_CALENDARS = (
    select(Grant, Calendar)
    .outerjoin(Calendar, Calendar.grant_id == Grant.id)
    .where(one_of(func.lower(Grant.email), bound_list("emails")))
)


def grants_with_calendars(
    session: Session, emails: Iterable[str]
) -> dict[str, tuple[Grant, list[Calendar]]]:
    """Grants by lower-cased email with all their calendars, in one query."""
    lowered = sorted({e.strip().lower() for e in emails})
    if not lowered:
        return {}
    rows = session.execute(_GRANTS_WITH_CALENDARS, {"emails": lowered})
    out: dict[str, tuple[Grant, list[Calendar]]] = {}
    for grant, calendar in rows:
        entry = out.setdefault(grant.email.lower(), (grant, []))
        if calendar is not None:
            entry[1].append(calendar)
    return out


def grant_ids_of_kinds(session: Session, emails: Iterable[str], kinds: Iterable[str]) -> list[str]:
    """Ids of the grants with these emails whose provider is one of `kinds` (one query)."""
    lowered = sorted({e.strip().lower() for e in emails})
    if not lowered:
        return []
    query = select(Grant.id).where(
        func.lower(Grant.email).in_(lowered), Grant.provider.in_(sorted(kinds))
    )
    return list(session.scalars(query))


def last_booked(
    session: Session, keys: Sequence[str], grant_ids: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """When each grant was last booked through a configuration or group with one of `keys`,
    as (created_at, rotation_seq)."""
    return events_repository.last_booked_order(session, grant_ids, keys)


def count_bookings(session: Session, configuration_id: str) -> int:
    """Every booking ever made through the configuration, cancelled ones included."""
    query = select(func.count()).select_from(Booking)
    return int(session.scalar(query.where(Booking.configuration_id == configuration_id)) or 0)


def live_bookings(session: Session, configuration_id: str, start: int, end: int) -> list[Booking]:
    """The configuration's booked and pending bookings overlapping [start, end)."""
    query = select(Booking).where(
        Booking.configuration_id == configuration_id,
        Booking.start_ts < end,
        Booking.end_ts > start,
        Booking.status.in_(["booked", "pending"]),
    )
    return list(session.scalars(query))


def booking_of(session: Session, booking_id: str, configuration_id: str) -> Booking | None:
    """The booking, if it belongs to this configuration."""
    return session.scalar(
        select(Booking).where(
            Booking.id == booking_id, Booking.configuration_id == configuration_id
        )
    )


def delete_configuration(session: Session, config: Configuration) -> None:
    session.delete(config)
    session.flush()
