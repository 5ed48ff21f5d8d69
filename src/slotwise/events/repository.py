"""All event queries."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BigInteger,
    Row,
    and_,
    bindparam,
    false,
    func,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from slotwise.db.models import Event

TENTATIVE = ("maybe", "tentative")


@dataclass
class EventFilter:
    calendar_id: str
    start: int
    end: int
    show_cancelled: bool = False
    busy: bool | None = None
    title: str | None = None
    description: str | None = None
    location: str | None = None
    master_event_id: str | None = None
    ical_uid: str | None = None
    updated_after: int | None = None
    updated_before: int | None = None
    key_columns: dict[str, str] = field(default_factory=dict)  # key1..key5 equality


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def get_event(session: Session, event_id: str, *, for_update: bool = False) -> Event | None:
    """`for_update` locks the row (PostgreSQL; SQLite writers are already serialised)."""
    if for_update:
        return session.get(Event, event_id, with_for_update=True, populate_existing=True)
    return session.get(Event, event_id)


def events_in_window(session: Session, f: EventFilter) -> list[Event]:
    """Single events overlapping [start, end) and recurring masters that may; in start order."""
    single = and_(
        Event.is_recurring == false(),
        Event.start_ts < f.end,
        or_(
            Event.end_ts > f.start, and_(Event.end_ts == Event.start_ts, Event.start_ts >= f.start)
        ),
    )
    master = and_(
        Event.is_recurring == true(),
        Event.start_ts < f.end,
        or_(Event.recur_until.is_(None), Event.recur_until > f.start),
    )
    query = select(Event).where(Event.calendar_id == f.calendar_id, or_(single, master))
    if not f.show_cancelled:
        query = query.where(Event.status != "cancelled")
    if f.busy is not None:
        query = query.where(Event.busy == (true() if f.busy else false()))
    for column, text in (
        (Event.title, f.title),
        (Event.description, f.description),
        (Event.location, f.location),
    ):
        if text:
            query = query.where(func.lower(column).like(_like(text), escape="\\"))
    if f.master_event_id:
        query = query.where(
            or_(Event.id == f.master_event_id, Event.master_event_id == f.master_event_id)
        )
    if f.ical_uid:
        query = query.where(Event.ical_uid == f.ical_uid)
    if f.updated_after is not None:
        query = query.where(Event.updated_at > f.updated_after)
    if f.updated_before is not None:
        query = query.where(Event.updated_at < f.updated_before)
    for key, value in f.key_columns.items():
        query = query.where(getattr(Event, key) == value)
    return list(session.scalars(query.order_by(Event.start_ts, Event.id)))


def exceptions_of(session: Session, master_id: str) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.master_event_id == master_id)))


def _busy_conditions(tentative_as_busy: bool, exclude: bool) -> list[Any]:
    conditions: list[Any] = [
        Event.calendar_id.in_(bindparam("calendar_ids", expanding=True)),
        Event.busy == true(),
        Event.status != "cancelled",
    ]
    if not tentative_as_busy:
        conditions.append(Event.status.not_in(TENTATIVE))
    if exclude:
        conditions.append(Event.id.not_in(bindparam("exclude", expanding=True)))
    return conditions


@functools.cache
def _busy_query(tentative_as_busy: bool, exclude: bool) -> Any:
    """Busy single events and recurring masters in one round trip (UNION ALL of two selects,
    so each keeps its own index). Built once per variant: availability and every booking
    re-check run it, and a reused statement skips construction and cache-key work.

    Rows: (id, calendar_id, start_ts, end_ts, is_recurring, timezone, recurrence, when); the
    last three are NULL for single events.
    """
    start, end = bindparam("start", type_=BigInteger), bindparam("end", type_=BigInteger)
    masters = select(
        Event.id,
        Event.calendar_id,
        Event.start_ts,
        Event.end_ts,
        Event.is_recurring,
        Event.timezone,
        Event.recurrence,
        Event.when,
    ).where(
        *_busy_conditions(tentative_as_busy, exclude),
        Event.is_recurring == true(),
        Event.start_ts < end,
        or_(Event.recur_until.is_(None), Event.recur_until > start),
    )
    singles = select(
        Event.id,
        Event.calendar_id,
        Event.start_ts,
        Event.end_ts,
        Event.is_recurring,
        null(),
        null(),
        null(),
    ).where(
        *_busy_conditions(tentative_as_busy, exclude),
        Event.is_recurring == false(),
        Event.start_ts < end,
        Event.end_ts > start,
    )
    return union_all(masters, singles)


def busy_rows(
    session: Session,
    calendar_ids: Sequence[str],
    start: int,
    end: int,
    *,
    tentative_as_busy: bool,
    exclude: Collection[str],
) -> Sequence[Row[Any]]:
    """Busy single events overlapping [start, end) and busy recurring masters that may reach
    it: (id, calendar_id, start_ts, end_ts, is_recurring, timezone, recurrence, when), the last
    three only for masters."""
    params: dict[str, Any] = {"calendar_ids": list(calendar_ids), "start": start, "end": end}
    if exclude:
        params["exclude"] = list(exclude)
    return session.execute(_busy_query(tentative_as_busy, bool(exclude)), params).all()


def last_booked(
    session: Session, grant_ids: Collection[str], keys: Collection[str] | None
) -> dict[str, int]:
    """When each grant was last booked into a round-robin group: the newest creation time of
    its non-cancelled events whose `metadata.key5` is one of `keys` (any key5 when None).

    One query on the indexed key5 column. Creation time, not start: a guest booking far ahead
    still moves the host to the back of the line at once; a cancelled meeting does not.
    """
    if not grant_ids or (keys is not None and not keys):
        return {}
    group = Event.key5.in_(list(keys)) if keys is not None else Event.key5.is_not(None)
    query = (
        select(Event.grant_id, func.max(Event.created_at))
        .where(group, Event.grant_id.in_(list(grant_ids)), Event.status != "cancelled")
        .group_by(Event.grant_id)
    )
    return {grant_id: int(at) for grant_id, at in session.execute(query) if at is not None}
