"""The queries of the mirror (sync and connect): mirror state, items and the event rows a sync
writes in bulk.

Statements that run once per sync whatever its size take lists; `_CHUNK` keeps every IN (...)
list short enough for both databases.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from slotwise.db.models import (
    Calendar,
    Event,
    Grant,
    ProviderCalendar,
    ProviderItem,
    RemoteWrite,
)

_CHUNK = 500  # ids per IN (...) list
_T = TypeVar("_T")


def _chunks(values: Sequence[_T]) -> Iterator[list[_T]]:
    for i in range(0, len(values), _CHUNK):
        yield list(values[i : i + _CHUNK])


# Planning ------------------------------------------------------------------------------------


def stale_mirrors(
    session: Session,
    *,
    checked_before: float,
    calendar_ids: Sequence[str] | None = None,
    grant_ids: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[ProviderCalendar]:
    """Mirrors never checked or last checked at or before `checked_before`, oldest first.

    The stale mirrors alone: joined with their grants and calendars in one query, a planner
    that believes provider_calendars large (SQLite with no statistics for an empty table)
    drives the join from calendars and scans them all on every idle worker pass.
    """
    query = select(ProviderCalendar).where(
        or_(
            ProviderCalendar.checked_at.is_(None),
            ProviderCalendar.checked_at <= checked_before,
        )
    )
    if calendar_ids is not None:
        query = query.where(ProviderCalendar.calendar_id.in_(list(calendar_ids)))
    if grant_ids is not None:
        query = query.where(ProviderCalendar.grant_id.in_(list(grant_ids)))
    query = query.order_by(ProviderCalendar.checked_at.is_not(None), ProviderCalendar.checked_at)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def grant_settings(session: Session, grant_ids: set[str]) -> dict[str, tuple[str, Any, Any]]:
    """Per grant id: (provider kind, sealed settings, shown settings)."""
    query = select(Grant.id, Grant.provider, Grant.sealed_settings, Grant.settings).where(
        Grant.id.in_(grant_ids)
    )
    return {
        grant_id: (kind, sealed, shown) for grant_id, kind, sealed, shown in session.execute(query)
    }


def calendar_zones(session: Session, calendar_ids: Sequence[str]) -> dict[str, str | None]:
    query = select(Calendar.id, Calendar.timezone).where(Calendar.id.in_(list(calendar_ids)))
    return {calendar_id: timezone for calendar_id, timezone in session.execute(query)}


def item_etags(session: Session, calendar_ids: Sequence[str]) -> list[tuple[str, str, str | None]]:
    """(calendar id, href, etag) of every mirrored object of these calendars."""
    query = select(ProviderItem.calendar_id, ProviderItem.href, ProviderItem.etag).where(
        ProviderItem.calendar_id.in_(list(calendar_ids))
    )
    return [(c, h, e) for c, h, e in session.execute(query)]


# Applying ------------------------------------------------------------------------------------


def locked_mirror(session: Session, calendar_id: str, *, wait: bool) -> ProviderCalendar | None:
    """The calendar's mirror state, locked; without `wait`, None while another sync holds it."""
    query = (
        select(ProviderCalendar)
        .where(ProviderCalendar.calendar_id == calendar_id)
        .with_for_update(skip_locked=not wait)
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).first()


def items_of(session: Session, calendar_id: str) -> dict[str, ProviderItem]:
    """The calendar's mirrored objects by href."""
    query = select(ProviderItem).where(ProviderItem.calendar_id == calendar_id)
    return {item.href: item for item in session.scalars(query)}


def event_masters(session: Session, calendar_id: str) -> dict[str, str | None]:
    """The calendar's event rows: id -> master_event_id."""
    query = select(Event.id, Event.master_event_id).where(Event.calendar_id == calendar_id)
    return {event_id: master for event_id, master in session.execute(query).all()}


def item_of_event(session: Session, calendar_id: str, event_id: str) -> ProviderItem | None:
    """The mirrored object an event row of this calendar was stored as, if any."""
    query = select(ProviderItem).where(
        ProviderItem.calendar_id == calendar_id, ProviderItem.event_id == event_id
    )
    return session.scalars(query).first()


def calendar_of_event(session: Session, event_id: str) -> str | None:
    return session.scalar(select(Event.calendar_id).where(Event.id == event_id))


def cancel_events(session: Session, event_ids: Sequence[str], now: int) -> None:
    """Cancel these events and their exception rows (those not cancelled yet)."""
    for ids in _chunks(event_ids):
        session.execute(
            update(Event)
            .where(or_(Event.id.in_(ids), Event.master_event_id.in_(ids)))
            .where(Event.status != "cancelled")
            .values(status="cancelled", updated_at=now)
            .execution_options(synchronize_session=False)
        )


def delete_events(session: Session, event_ids: Sequence[str]) -> None:
    for ids in _chunks(event_ids):
        session.execute(
            delete(Event).where(Event.id.in_(ids)).execution_options(synchronize_session=False)
        )


def delete_items(session: Session, item_ids: Sequence[int]) -> None:
    for ids in _chunks(item_ids):
        session.execute(
            delete(ProviderItem)
            .where(ProviderItem.id.in_(ids))
            .execution_options(synchronize_session=False)
        )


def update_events(session: Session, rows: list[dict[str, Any]]) -> None:
    """Bulk UPDATE by primary key (each row holds its "id")."""
    if rows:
        session.execute(update(Event), rows)


def insert_events(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(Event), rows)


def update_item_etags(session: Session, etags: dict[int, str | None]) -> None:
    if etags:
        session.execute(
            update(ProviderItem), [{"id": id_, "etag": etag} for id_, etag in etags.items()]
        )


def insert_items(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(ProviderItem), rows)


# Connecting ----------------------------------------------------------------------------------


def mirrors_of_grant(session: Session, grant_id: str) -> list[ProviderCalendar]:
    query = select(ProviderCalendar).where(ProviderCalendar.grant_id == grant_id)
    return list(session.scalars(query))


def has_primary_calendar(session: Session, grant_id: str) -> bool:
    query = select(Calendar.id).where(Calendar.grant_id == grant_id, Calendar.is_primary)
    return session.scalar(query) is not None


def events_awaiting_write(session: Session, calendar_id: str) -> set[str]:
    """The events of this calendar whose remote write is still queued (events.remote_writes)."""
    query = select(RemoteWrite.event_id).where(RemoteWrite.calendar_id == calendar_id)
    return set(session.scalars(query))
