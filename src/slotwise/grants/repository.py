"""All grant queries."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from slotwise.db.lists import bound_list, one_of
from slotwise.db.models import Calendar, Grant


def find_grant(session: Session, identifier: str) -> Grant | None:
    """A grant by any identifier form the v3 paths allow: id, `grant:<id>`, email, `email:<e>`."""
    kind, sep, value = identifier.partition(":")
    if sep and kind in {"grant", "email", "external"}:
        identifier = value
        if kind == "email":
            return find_grant_by_email(session, value)
    grant = session.get(Grant, identifier)
    if grant is None and "@" in identifier:
        grant = find_grant_by_email(session, identifier)
    return grant


def find_grant_by_email(session: Session, email: str) -> Grant | None:
    return session.scalar(select(Grant).where(func.lower(Grant.email) == email.strip().lower()))


def grants_by_email(session: Session, emails: list[str]) -> dict[str, Grant]:
    """Grants keyed by lower-cased email, in one query."""
    lowered = sorted({e.strip().lower() for e in emails})
    if not lowered:
        return {}
    rows = session.scalars(select(Grant).where(func.lower(Grant.email).in_(lowered)))
    return {g.email.lower(): g for g in rows}


@functools.cache
def _grant_calendar_rows_query() -> Any:
    # Built once: the availability requests run it on every call, and a reused statement
    # skips construction and cache-key work.
    return (
        select(Grant.email, Grant.id, Grant.provider, Calendar.id, Calendar.is_primary)
        .outerjoin(Calendar, Calendar.grant_id == Grant.id)
        .where(one_of(func.lower(Grant.email), bound_list("emails")))
    )


def grant_calendar_rows_by_email(
    session: Session, emails: list[str]
) -> Sequence[tuple[str, str, str, str | None, bool | None]]:
    """(email, grant id, provider, calendar id, is primary) of the grants of these emails, a
    row per calendar (a grant without calendars comes once, with None for both): plain rows
    in one query, for the calendar availability requests, which need only the ids (loading 50
    grants through the ORM was a tenth of a large request beyond the engine, and a second
    query for their calendars another round trip)."""
    lowered = sorted({e.strip().lower() for e in emails})
    if not lowered:
        return []
    return session.connection().execute(_grant_calendar_rows_query(), {"emails": lowered}).all()


def list_grants(
    session: Session,
    *,
    limit: int,
    offset: int,
    sort_by: str = "created_at",
    descending: bool = True,
    email: str | None = None,
    provider: str | None = None,
    grant_status: str | None = None,
    since: int | None = None,
    before: int | None = None,
) -> list[Grant]:
    query = select(Grant)
    if email:
        query = query.where(func.lower(Grant.email) == email.strip().lower())
    if provider:
        query = query.where(Grant.provider == provider)
    if grant_status:
        query = query.where(Grant.grant_status == grant_status)
    if since is not None:
        query = query.where(Grant.created_at >= since)
    if before is not None:
        query = query.where(Grant.created_at < before)
    column = Grant.updated_at if sort_by == "updated_at" else Grant.created_at
    if descending:
        query = query.order_by(column.desc(), Grant.id.desc())
    else:
        query = query.order_by(column.asc(), Grant.id.asc())
    return list(session.scalars(query.offset(offset).limit(limit)))
