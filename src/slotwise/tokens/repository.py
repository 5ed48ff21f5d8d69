"""All token queries: per-grant access tokens and the operator's admin API keys."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from slotwise.db.models import AccessToken, ApiKey, Grant


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


def add_api_key(session: Session, key: ApiKey) -> None:
    session.add(key)


def any_api_key(session: Session) -> bool:
    return session.scalar(select(ApiKey.id).limit(1)) is not None


def api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))


def api_key_of_digest(session: Session, key_hash: str) -> str | None:
    """The id of the stored admin API key with this digest (one unique-index read)."""
    return session.scalar(select(ApiKey.id).where(ApiKey.key_hash == key_hash))


def delete_api_key(session: Session, key_id: str) -> bool:
    """Remove the key; whether there was one."""
    found = session.get(ApiKey, key_id)
    if found is None:
        return False
    session.delete(found)
    return True
