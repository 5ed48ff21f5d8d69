"""The sign-in page's rules (GET /v3/connect/auth): check the client's request, sign the user
in, hand the redirect URI a code. Never commits.

Two ways in:
* A CalDAV or iCloud account: its server, username and app password, verified by contacting
  the server (grants.service.connect_custom), which creates the grant or re-authenticates it.
  An email already connected to another server or username is refused: knowing a password of
  some other server proves nothing about this account.
* A Slotwise (virtual-calendar) account: a six-digit code emailed to its address, valid
  CODE_SECONDS with CODE_TRIES tries. An email with no such account is answered exactly as
  one with, and no mail is sent, so the page tells nobody which addresses have accounts.

Each visit is a sign-in attempt whose id (a secret in the page's forms) carries the client's
request; only its digest is stored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.applications.service import is_registered
from slotwise.capabilities import same_secret
from slotwise.config import Settings
from slotwise.db.models import Grant, SignInAttempt
from slotwise.errors import InvalidRequest
from slotwise.grants import repository as grants_repository
from slotwise.grants import service as grants
from slotwise.notifications import email
from slotwise.notifications.direct import queue_email
from slotwise.providers import credentials
from slotwise.tokens import hosted, repository
from slotwise.tokens.secrets import digest, new_secret

ATTEMPT_SECONDS = 30 * 60
CODE_SECONDS = 10 * 60
CODE_TRIES = 5
ATTEMPT_PREFIX = "swsi_"
REMOTE_PROVIDERS = {"caldav", "icloud"}


class ClientError(InvalidRequest):
    """The request names no registered client or redirect URI: the browser is not sent back
    (RFC 6749 §4.1.2.1), the page shows the error."""


@dataclass(frozen=True)
class AuthRequest:
    client_id: str
    redirect_uri: str
    state: str | None
    code_challenge: str
    access_type: str
    login_hint: str | None
    provider: str | None


def _param(query: dict[str, str], name: str, limit: int = 2048) -> str | None:
    value = query.get(name)
    if value is not None and len(value) > limit:
        raise ClientError(f"{name}: longer than {limit} characters")
    return value or None


def check_request(session: Session, settings: Settings, query: dict[str, str]) -> AuthRequest:
    """The client's request, or a ClientError (no redirect) / InvalidRequest (redirect)."""
    client_id = _param(query, "client_id", 200)
    redirect_uri = _param(query, "redirect_uri")
    if client_id != settings.application_id:
        raise ClientError("client_id: not this server's application")
    if redirect_uri is None or not is_registered(session, redirect_uri):
        raise ClientError("redirect_uri: not registered for this application")
    if _param(query, "response_type", 32) != "code":
        raise InvalidRequest("response_type: expected code")
    challenge = _param(query, "code_challenge", 128)
    if _param(query, "code_challenge_method", 16) != "S256" or not challenge:
        raise InvalidRequest("code_challenge: PKCE with code_challenge_method=S256 is required")
    access_type = _param(query, "access_type", 16) or "online"
    if access_type not in {"online", "offline"}:
        raise InvalidRequest("access_type: expected online or offline")
    return AuthRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        state=_param(query, "state", 1000),
        code_challenge=challenge,
        access_type=access_type,
        login_hint=_param(query, "login_hint", 320),
        provider=_param(query, "provider", 32),
    )


def error_redirect(redirect_uri: str, state: str | None, message: str) -> str:
    """Where a refused (but well-addressed) request goes: back to the client, as RFC 6749 says
    and as the editor reads it (error, error_description and error_code)."""
    params = {"error": "invalid_request", "error_description": message, "error_code": "400"}
    if state is not None:
        params["state"] = state
    return _with_params(redirect_uri, params)


def _with_params(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


def begin(session: Session, request: AuthRequest) -> str:
    """A new sign-in attempt; its id, for the page's forms."""
    now = clock.now()
    repository.delete_expired_sign_ins(session, now)
    secret = new_secret(ATTEMPT_PREFIX)
    session.add(
        SignInAttempt(
            id_hash=digest(secret),
            client_id=request.client_id,
            redirect_uri=request.redirect_uri,
            state=request.state,
            code_challenge=request.code_challenge,
            access_type=request.access_type,
            tries_left=0,
            expires_at=now + ATTEMPT_SECONDS,
        )
    )
    session.flush()
    return secret


def attempt_of(session: Session, secret: str) -> SignInAttempt:
    row = repository.find_sign_in_attempt(session, digest(secret[:200]), clock.now())
    if row is None:
        raise ClientError("This sign-in has expired. Go back to the app and start again.")
    return row


def _finish(session: Session, attempt: SignInAttempt, grant: Grant) -> str:
    """The redirect to the client with a fresh authorization code and the client's state."""
    code = hosted.new_authorization_code(
        session,
        grant,
        client_id=attempt.client_id,
        redirect_uri=attempt.redirect_uri,
        code_challenge=attempt.code_challenge,
        access_type=attempt.access_type,
    )
    params = {"code": code}
    if attempt.state is not None:
        params["state"] = attempt.state
    url = _with_params(attempt.redirect_uri, params)
    session.delete(attempt)
    session.flush()
    return url


# -- a CalDAV or iCloud account ------------------------------------------------------------


def sign_in_remote(session: Session, secret: str, form: dict[str, str]) -> str:
    """Verify the account against its server; the redirect with a code."""
    attempt = attempt_of(session, secret)
    provider = form.get("provider", "")
    if provider not in REMOTE_PROVIDERS:
        raise InvalidRequest("provider: expected caldav or icloud")
    settings = {k: form[k] for k in ("email", "url", "username", "password") if form.get(k)}
    if provider == "icloud":
        settings.pop("url", None)
    existing = grants_repository.find_grant_by_email(session, settings.get("email", ""))
    if existing is not None and not _same_account(existing, settings):
        raise InvalidRequest(
            "email: this address is connected to another calendar account; sign in with that one"
        )
    connected = grants.connect_custom(session, {"provider": provider, "settings": settings})
    return _finish(session, attempt, connected.grant)


def _same_account(grant: Grant, presented: dict[str, Any]) -> bool:
    stored = credentials.of(grant)
    return all(stored.get(k) == presented.get(k) for k in ("url", "username"))


# -- a Slotwise account, by emailed code ---------------------------------------------------


def send_code(session: Session, settings: Settings, secret: str, address: str) -> None:
    """Email a fresh code if `address` is a Slotwise account; silently nothing otherwise."""
    attempt = attempt_of(session, secret)
    address = address.strip()[:320]
    # Without an account the attempt counts tries and expires all the same (with no code to
    # match), so nothing the page answers differs.
    attempt.email = address
    attempt.code_hash = None
    attempt.tries_left = CODE_TRIES
    attempt.code_expires_at = clock.now() + CODE_SECONDS
    grant = grants_repository.find_grant_by_email(session, address) if address else None
    if grant is not None and grant.provider == "virtual-calendar":
        code = f"{secrets.randbelow(1_000_000):06d}"
        attempt.code_hash = digest(secret + code)
        message = email.compose(
            settings,
            [grant.email],
            f"Your Slotwise sign-in code: {code}",
            f"Your sign-in code is {code}.\n\nIt works once, for {CODE_SECONDS // 60} minutes. "
            "If you did not try to sign in, ignore this email.\n",
        )
        queue_email(session, message, trigger="connect.code", order_key=f"sign-in:{grant.id}")
    session.flush()


@dataclass(frozen=True)
class CodeCheck:
    redirect: str | None  # where to go when the code was right
    problem: str | None  # what to tell the user otherwise


def check_code(session: Session, secret: str, code: str) -> CodeCheck:
    """One try of the emailed code. A wrong try is used up (the caller commits it)."""
    attempt = attempt_of(session, secret)
    expired = attempt.code_expires_at is None or attempt.code_expires_at <= clock.now()
    if attempt.email is None:
        return CodeCheck(None, "Ask for a code first.")
    if not repository.take_code_try(session, attempt.id_hash):
        return CodeCheck(None, "Too many tries. Ask for a new code.")
    if expired:
        return CodeCheck(None, "That code has expired. Ask for a new one.")
    given = digest(secret + code.strip()[:12])
    if attempt.code_hash is None or not same_secret(given, attempt.code_hash):
        return CodeCheck(None, "That code is not right.")
    grant = grants_repository.find_grant_by_email(session, attempt.email)
    if grant is None:
        return CodeCheck(None, "That code is not right.")
    return CodeCheck(_finish(session, attempt, grant), None)


def attempt_email(session: Session, secret: str) -> str:
    """The address a code was asked for in this attempt ("" when none yet)."""
    return attempt_of(session, secret).email or ""
