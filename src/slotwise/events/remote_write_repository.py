"""Queries of the queued remote writes (events.remote_writes) and the mirror items they touch."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from slotwise.db.models import ProviderItem, RemoteWrite


def due_writes(
    session: Session, now_ms: int, limit: int, *, skip_locked: bool
) -> Sequence[RemoteWrite]:
    """Writes due and not leased to a worker, oldest due first; locked (skipping rows another
    worker holds) with `skip_locked`."""
    query = (
        select(RemoteWrite)
        .where(
            RemoteWrite.next_attempt_ms <= now_ms,
            or_(RemoteWrite.claimed_until_ms.is_(None), RemoteWrite.claimed_until_ms < now_ms),
        )
        .order_by(RemoteWrite.next_attempt_ms, RemoteWrite.event_id)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def item_at(session: Session, calendar_id: str, href: str) -> ProviderItem | None:
    query = select(ProviderItem).where(
        ProviderItem.calendar_id == calendar_id, ProviderItem.href == href
    )
    return session.scalars(query).first()


def delete_item_at(session: Session, calendar_id: str, href: str) -> None:
    session.execute(
        delete(ProviderItem).where(
            ProviderItem.calendar_id == calendar_id, ProviderItem.href == href
        )
    )


def pending_writes(session: Session) -> list[RemoteWrite]:
    return list(session.scalars(select(RemoteWrite).order_by(RemoteWrite.created_at)))


def make_all_due(session: Session, now_ms: int) -> None:
    session.execute(update(RemoteWrite).values(next_attempt_ms=now_ms, claimed_until_ms=None))
