"""All access-token queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from slotwise.db.models import AccessToken, Grant


def grant_of_digest(session: Session, token_hash: str) -> Grant | None:
    query = (
        select(Grant)
        .join(AccessToken, AccessToken.grant_id == Grant.id)
        .where(AccessToken.token_hash == token_hash)
    )
    return session.scalar(query)


def tokens_of_grant(session: Session, grant_id: str) -> list[AccessToken]:
    query = (
        select(AccessToken)
        .where(AccessToken.grant_id == grant_id)
        .order_by(AccessToken.created_at, AccessToken.id)
    )
    return list(session.scalars(query))


def token_of_grant(session: Session, grant_id: str, token_id: str) -> AccessToken | None:
    token = session.get(AccessToken, token_id)
    return token if token is not None and token.grant_id == grant_id else None
