"""All token queries: per-grant access tokens, the operator's admin API keys, and hosted
authentication's sign-in attempts, codes, refresh tokens and signing keys."""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from slotwise.db.models import (
    AccessToken,
    ApiKey,
    AuthorizationCode,
    Grant,
    RefreshToken,
    SignInAttempt,
    SigningKey,
)


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


def grant_of_live_digest(session: Session, token_hash: str, now: int) -> Grant | None:
    """The grant of an access token that has not expired (admin-issued ones never do)."""
    query = (
        select(Grant)
        .join(AccessToken, AccessToken.grant_id == Grant.id)
        .where(AccessToken.token_hash == token_hash)
        .where(or_(AccessToken.expires_at.is_(None), AccessToken.expires_at > now))
    )
    return session.scalar(query)


def access_token_of_digest(session: Session, token_hash: str) -> AccessToken | None:
    return session.scalar(select(AccessToken).where(AccessToken.token_hash == token_hash))


def take_authorization_code(session: Session, code_hash: str) -> AuthorizationCode | None:
    """Read and delete a code in one step: of two concurrent exchanges only one gets it."""
    row = session.get(AuthorizationCode, code_hash)
    if row is None:
        return None
    taken = session.execute(
        delete(AuthorizationCode).where(AuthorizationCode.code_hash == code_hash)
    )
    return row if _count(taken) == 1 else None


def refresh_token_of_digest(session: Session, token_hash: str) -> RefreshToken | None:
    return session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))


def mark_refresh_token_used(session: Session, token_id: str, now: int) -> bool:
    """Whether this call is the one that used the token (a concurrent use loses)."""
    marked = session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    return _count(marked) == 1


def delete_family(session: Session, family_id: str) -> None:
    """Every refresh and access token of one sign-in."""
    session.execute(delete(RefreshToken).where(RefreshToken.family_id == family_id))
    session.execute(delete(AccessToken).where(AccessToken.family_id == family_id))


def find_sign_in_attempt(session: Session, id_hash: str, now: int) -> SignInAttempt | None:
    row = session.get(SignInAttempt, id_hash)
    return row if row is not None and row.expires_at > now else None


def take_code_try(session: Session, id_hash: str) -> bool:
    """Use up one try of an emailed code; False when none is left. One atomic update, so
    concurrent guesses cannot share a try."""
    taken = session.execute(
        update(SignInAttempt)
        .where(SignInAttempt.id_hash == id_hash, SignInAttempt.tries_left > 0)
        .values(tries_left=SignInAttempt.tries_left - 1)
    )
    return _count(taken) == 1


def delete_expired_sign_ins(session: Session, now: int) -> None:
    session.execute(delete(SignInAttempt).where(SignInAttempt.expires_at <= now))
    session.execute(delete(AuthorizationCode).where(AuthorizationCode.expires_at <= now))


def signing_keys(session: Session) -> list[SigningKey]:
    """The published keys, newest first."""
    query = (
        select(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc(), SigningKey.kid.desc())
    )
    return list(session.scalars(query))


def _count(result: object) -> int:
    rowcount: int = getattr(result, "rowcount", 0)
    return rowcount
