"""All calendar queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from slotwise.db.models import Calendar


def calendars_of(session: Session, grant_id: str) -> list[Calendar]:
    """A grant's calendars: the primary first, then oldest first."""
    query = (
        select(Calendar)
        .where(Calendar.grant_id == grant_id)
        .order_by(Calendar.is_primary.desc(), Calendar.created_at, Calendar.id)
    )
    return list(session.scalars(query))


def calendar_ids_of(session: Session, grant_ids: list[str]) -> dict[str, list[str]]:
    """Calendar ids per grant id, in one query."""
    out: dict[str, list[str]] = {g: [] for g in grant_ids}
    if not grant_ids:
        return out
    rows = session.execute(
        select(Calendar.grant_id, Calendar.id)
        .where(Calendar.grant_id.in_(grant_ids))
        .order_by(Calendar.is_primary.desc(), Calendar.created_at, Calendar.id)
    )
    for grant_id, calendar_id in rows:
        out[grant_id].append(calendar_id)
    return out


def primary_calendar(session: Session, grant_id: str) -> Calendar | None:
    query = select(Calendar).where(Calendar.grant_id == grant_id, Calendar.is_primary.is_(True))
    return session.scalars(query.limit(1)).first()


def primary_calendar_ids(session: Session, grant_ids: list[str]) -> dict[str, str]:
    if not grant_ids:
        return {}
    rows = session.execute(
        select(Calendar.grant_id, Calendar.id).where(
            Calendar.grant_id.in_(grant_ids), Calendar.is_primary.is_(True)
        )
    )
    return {grant_id: calendar_id for grant_id, calendar_id in rows}


def find_calendar(session: Session, calendar_id: str) -> Calendar | None:
    return session.get(Calendar, calendar_id)
