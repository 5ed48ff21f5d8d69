"""All grant queries."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from slotwise.db.models import Grant


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


def find_grants_by_emails(session: Session, emails: list[str]) -> dict[str, Grant]:
    """Grants keyed by lower-cased email, in one query."""
    lowered = sorted({e.strip().lower() for e in emails})
    if not lowered:
        return {}
    rows = session.scalars(select(Grant).where(func.lower(Grant.email).in_(lowered)))
    return {g.email.lower(): g for g in rows}
