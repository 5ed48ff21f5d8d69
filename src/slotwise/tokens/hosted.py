"""Hosted authentication's tokens: authorization codes exchanged with PKCE, refresh tokens
rotated on use, short-lived access tokens and signed id_tokens. Never commits.

* A code is single use (read and deleted in one step), bound to the client, the redirect URI
  and the PKCE challenge (S256 only: there is no client secret in a browser), and lives
  CODE_SECONDS.
* A refresh token is used once: using it marks it used and issues the next one of the same
  family. A used one presented again (later than REUSE_GRACE_SECONDS after its first use)
  means one copy is in the wrong hands: the whole family, its access tokens included, is
  revoked.
* Access tokens are the per-grant tokens v2 pages take (one store, tokens.service), with an
  expiry (Settings.access_token_seconds) and the family they belong to.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.capabilities import same_secret
from slotwise.db.models import AccessToken, AuthorizationCode, Grant, RefreshToken
from slotwise.errors import InvalidRequest, OAuthError
from slotwise.ids import new_uuid
from slotwise.tokens import repository, signing
from slotwise.tokens.schemas import TokenRequest
from slotwise.tokens.secrets import ACCESS_TOKEN_PREFIX, digest, new_secret
from slotwise.validation import validate_model

CODE_SECONDS = 60
CODE_PREFIX = "swac_"
REFRESH_TOKEN_PREFIX = "swrt_"
# The editor's identity module refreshes from each of its parallel calls with the same refresh
# token; uses this close together are one client's, and each gets tokens of the same family.
REUSE_GRACE_SECONDS = 10


@dataclass(frozen=True)
class Client:
    """What the token routes know of the caller's application and server."""

    application_id: str
    issuer: str
    access_token_seconds: int


def s256(verifier: str) -> str:
    """RFC 7636's S256: base64url of the SHA-256 digest of the verifier."""
    hashed = hashlib.sha256(verifier.encode("utf-8", "replace")).digest()
    return base64.urlsafe_b64encode(hashed).rstrip(b"=").decode()


def s256_of_hex(verifier: str) -> str:
    """S256 as the scheduler editor's identity module computes it (its own code, 2.6.0):
    base64url of the SHA-256 digest written in hex. Just as bound to the verifier."""
    hashed = hashlib.sha256(verifier.encode("utf-8", "replace")).hexdigest().encode()
    return base64.urlsafe_b64encode(hashed).rstrip(b"=").decode()


def verifier_matches(verifier: str, challenge: str) -> bool:
    return same_secret(s256(verifier), challenge) or same_secret(s256_of_hex(verifier), challenge)


def new_authorization_code(
    session: Session,
    grant: Grant,
    *,
    client_id: str,
    redirect_uri: str,
    code_challenge: str,
    access_type: str,
) -> str:
    code = new_secret(CODE_PREFIX)
    session.add(
        AuthorizationCode(
            code_hash=digest(code),
            grant_id=grant.id,
            client_id=client_id,
            redirect_uri=redirect_uri,
            code_challenge=code_challenge,
            access_type=access_type,
            expires_at=clock.now() + CODE_SECONDS,
        )
    )
    session.flush()
    return code


def exchange(session: Session, client: Client, body: dict[str, Any]) -> dict[str, Any]:
    """POST /v3/connect/token: the tokens for a code or a refresh token, else an OAuthError.

    What was done before a refusal must be committed all the same (the caller does): a code
    presented is used up, a reused refresh token's family revoked."""
    try:
        request = validate_model(TokenRequest, body)
    except InvalidRequest as exc:  # RFC 6749 names a malformed request invalid_request
        raise OAuthError("invalid_request", exc.message) from None
    if request.grant_type not in {"authorization_code", "refresh_token"}:
        raise OAuthError(
            "unsupported_grant_type", "grant_type: expected authorization_code or refresh_token"
        )
    if request.client_id != client.application_id:
        raise OAuthError("invalid_client", "client_id: not this server's application", 401)
    if request.grant_type == "authorization_code":
        return _from_code(session, client, request)
    return _from_refresh_token(session, client, request)


def _from_code(session: Session, client: Client, request: TokenRequest) -> dict[str, Any]:
    for name in ("code", "redirect_uri", "code_verifier"):
        if not getattr(request, name):
            raise OAuthError("invalid_request", f"{name}: is required")
    assert request.code and request.redirect_uri and request.code_verifier
    row = repository.take_authorization_code(session, digest(request.code))
    # Every refusal below says the same: which binding failed is no help to an attacker.
    refused = OAuthError("invalid_grant", "code: invalid, expired or already used")
    if row is None or row.expires_at <= clock.now():
        raise refused
    if row.client_id != request.client_id or row.redirect_uri != request.redirect_uri:
        raise refused
    if not verifier_matches(request.code_verifier, row.code_challenge):
        raise refused
    grant = session.get(Grant, row.grant_id)
    if grant is None or grant.grant_status != "valid":
        raise refused
    return _issue(session, client, grant, new_uuid(), offline=row.access_type == "offline")


def _from_refresh_token(session: Session, client: Client, request: TokenRequest) -> dict[str, Any]:
    if not request.refresh_token:
        raise OAuthError("invalid_request", "refresh_token: is required")
    refused = OAuthError("invalid_grant", "refresh_token: invalid, revoked or already used")
    row = repository.refresh_token_of_digest(session, digest(request.refresh_token))
    if row is None or row.client_id != request.client_id:
        raise refused
    now = clock.now()
    first_use = row.used_at is None and repository.mark_refresh_token_used(session, row.id, now)
    if not first_use:
        session.refresh(row)  # a concurrent use may have marked it since it was read
    if not first_use and not _concurrent(row, now):
        repository.delete_family(session, row.family_id)
        session.flush()
        raise OAuthError("invalid_grant", "refresh_token: already used; the sign-in is revoked")
    grant = session.get(Grant, row.grant_id)
    if grant is None or grant.grant_status != "valid":
        raise refused
    return _issue(session, client, grant, row.family_id, offline=True)


def _concurrent(row: RefreshToken, now: int) -> bool:
    """A used token presented again within REUSE_GRACE_SECONDS of its first use: the same
    browser refreshing from several calls at once (the editor does), not a stolen copy."""
    return row.used_at is not None and now - row.used_at < REUSE_GRACE_SECONDS


def _issue(
    session: Session, client: Client, grant: Grant, family_id: str, *, offline: bool
) -> dict[str, Any]:
    now = clock.now()
    access = new_secret(ACCESS_TOKEN_PREFIX)
    session.add(
        AccessToken(
            id=new_uuid(),
            grant_id=grant.id,
            token_hash=digest(access),
            created_at=now,
            expires_at=now + client.access_token_seconds,
            family_id=family_id,
        )
    )
    answer: dict[str, Any] = {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": client.access_token_seconds,
        "scope": " ".join(grant.scope or []),
        "grant_id": grant.id,
        "email": grant.email,
        "provider": grant.provider,
        "id_token": signing.sign(session, _claims(client, grant, now)),
    }
    if offline:
        refresh = new_secret(REFRESH_TOKEN_PREFIX)
        session.add(
            RefreshToken(
                id=new_uuid(),
                token_hash=digest(refresh),
                family_id=family_id,
                grant_id=grant.id,
                client_id=client.application_id,
                created_at=now,
            )
        )
        answer["refresh_token"] = refresh
    session.flush()
    return answer


def _claims(client: Client, grant: Grant, now: int) -> dict[str, Any]:
    return {
        "iss": client.issuer,
        "aud": client.application_id,
        "sub": grant.id,
        "email": grant.email,
        "email_verified": True,
        "name": grant.name or grant.email,
        "provider": grant.provider,
        "iat": now,
        "exp": now + client.access_token_seconds,
    }


def access_token_info(session: Session, token: str) -> dict[str, Any] | None:
    """tokeninfo?access_token=: what a live token stands for, else None."""
    if len(token) > 512:
        return None
    row = repository.access_token_of_digest(session, digest(token))
    now = clock.now()
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    grant = session.get(Grant, row.grant_id)
    if grant is None:
        return None
    return {
        "grant_id": grant.id,
        "email": grant.email,
        "provider": grant.provider,
        "scope": " ".join(grant.scope or []),
        "token_type": "Bearer",
        "expires_in": None if row.expires_at is None else row.expires_at - now,
        "iat": row.created_at,
        "exp": row.expires_at,
    }


def id_token_info(session: Session, client: Client, token: str) -> dict[str, Any] | None:
    """tokeninfo?id_token=: the claims of an id_token this server signed, else None."""
    if len(token) > 8192:
        return None
    claims = signing.verify(session, token, client.application_id)
    if claims is None or session.get(Grant, str(claims.get("sub"))) is None:
        return None
    return claims


def revoke(session: Session, token: str) -> None:
    """POST /v3/connect/revoke: an access token goes alone, a refresh token with its family.
    An unknown token is no error (RFC 7009 §2.2): the caller's goal is reached either way."""
    if len(token) > 512:
        return
    hashed = digest(token)
    refresh = repository.refresh_token_of_digest(session, hashed)
    if refresh is not None:
        repository.delete_family(session, refresh.family_id)
    access = repository.access_token_of_digest(session, hashed)
    if access is not None:
        session.delete(access)
    session.flush()
