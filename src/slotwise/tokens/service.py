"""Per-grant access tokens: issue (the token is shown once), list, revoke, resolve. Never commits.

A hosted-auth flow or the v2 pages face resolve a presented token with `grant_for_token`; a
revoked token's row is gone, so it resolves to nothing, exactly like a token never issued; an
expired one (hosted authentication's tokens expire, tokens.hosted) resolves to nothing too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.db.models import AccessToken, Grant
from slotwise.errors import NotFound
from slotwise.ids import new_uuid
from slotwise.tokens import repository
from slotwise.tokens.secrets import ACCESS_TOKEN_PREFIX, digest, new_secret

# A presented token longer than this is not one of ours; refusing it early bounds the hashing.
MAX_TOKEN_LENGTH = 512


@dataclass(frozen=True)
class IssuedToken:
    row: AccessToken
    token: str  # the only time the token exists in clear


def issue_token(session: Session, grant: Grant) -> IssuedToken:
    token = new_secret(ACCESS_TOKEN_PREFIX)
    row = AccessToken(
        id=new_uuid(), grant_id=grant.id, token_hash=digest(token), created_at=clock.now()
    )
    session.add(row)
    session.flush()
    return IssuedToken(row, token)


def list_tokens(session: Session, grant: Grant) -> list[AccessToken]:
    return repository.tokens_of_grant(session, grant.id)


def revoke_token(session: Session, grant: Grant, token_id: str) -> None:
    row = repository.token_of_grant(session, grant.id, token_id)
    if row is None:
        raise NotFound(f"access token {token_id} not found")
    session.delete(row)
    session.flush()


def grant_for_token(session: Session, token: str | None) -> Grant | None:
    """The grant a presented access token stands for, or None (unknown, revoked, malformed)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return repository.grant_of_live_digest(session, digest(token), clock.now())


def token_to_dict(row: AccessToken) -> dict[str, Any]:
    """The listed form: never the token itself."""
    return {"id": row.id, "grant_id": row.grant_id, "created_at": row.created_at}
