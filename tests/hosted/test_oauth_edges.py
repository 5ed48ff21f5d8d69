"""Hosted authentication against a live server: the sign-in page by emailed code, the token
route's OAuth edges (each refused as RFC 6749 §5.2 says), refresh rotation with reuse
detection, expiry on Slotwise's clock, revocation, tokeninfo and the signing keys."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest

from slotwise import clock
from slotwise.db.engine import Database
from slotwise.db.models import AccessToken, AuthorizationCode, RefreshToken, SignInAttempt
from slotwise.tokens import signing
from slotwise.tokens.hosted import REUSE_GRACE_SECONDS
from slotwise.tokens.secrets import digest
from tests.hosted.support import (
    APP,
    CLIENT_ID,
    attempt_of,
    auth_query,
    exchange,
    issue_code,
    pkce,
    redirected_params,
    refresh,
    register,
    tokens_for,
)
from tests.notifications.smtp import SmtpServer
from tests.support.server import LiveServer


@pytest.fixture
def guest(server: LiveServer, new_client: Callable[..., httpx.Client]) -> httpx.Client:
    """An anonymous browser-like client (no API key)."""
    return new_client(server.url)


def me(guest: httpx.Client, access_token: str) -> httpx.Response:
    return guest.get("/v3/grants/me", headers={"Authorization": f"Bearer {access_token}"})


def oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error, body
    assert body["error_description"]
    assert response.headers["cache-control"] == "no-store"


def test_sign_in_by_emailed_code_gives_tokens_for_that_grant(
    api: httpx.Client,
    guest: httpx.Client,
    db: Database,
    ada: tuple[str, str],
    smtp: SmtpServer,
    run_worker: Callable[..., None],
    mail_settings: Any,
) -> None:
    register(api)
    verifier, challenge = pkce()
    page = guest.get("/v3/connect/auth", params=auth_query(challenge, state="s-1"))
    assert page.status_code == 200, page.text
    assert "text/html" in page.headers["content-type"]
    attempt = attempt_of(page.text)
    sent = guest.post(
        "/v3/connect/auth/email", data={"attempt": attempt, "email": "ADA@example.com"}
    )
    assert sent.status_code == 200 and "Check your email" in sent.text
    run_worker(lambda: len(smtp.mailbox.messages) >= 1, settings_=mail_settings)
    (recipients, message) = smtp.mailbox.wait_for(1)[0]
    assert recipients == ["ada@example.com"]
    code = re.search(r"code: (\d{6})", str(message["Subject"]))
    assert code, message["Subject"]
    with db.session() as session:  # only digests are stored
        row = session.get(SignInAttempt, digest(attempt))
        assert row is not None and row.code_hash != code.group(1)
    back = guest.post("/v3/connect/auth/code", data={"attempt": attempt, "code": code.group(1)})
    params = redirected_params(back)
    assert params["state"] == "s-1"

    tokens = exchange(guest, params["code"], verifier).json()
    assert tokens["grant_id"] == ada[0] and tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600 and tokens["refresh_token"]
    assert me(guest, tokens["access_token"]).json()["data"]["id"] == ada[0]

    # The id_token is RS256, signed by a key published at /.well-known/jwks.json.
    keys = guest.get("/.well-known/jwks.json").json()["keys"]
    kid = jwt.get_unverified_header(tokens["id_token"])["kid"]
    public = jwt.PyJWK({k: v for k, v in keys[0].items()}).key
    assert keys[0]["kid"] == kid
    claims = jwt.decode(
        tokens["id_token"],
        public,
        algorithms=["RS256"],
        audience=CLIENT_ID,
        options={"verify_exp": False},
    )
    assert (claims["sub"], claims["email"], claims["provider"]) == (
        ada[0],
        "ada@example.com",
        "virtual-calendar",
    )
    info = guest.get("/v3/connect/tokeninfo", params={"id_token": tokens["id_token"]})
    assert info.status_code == 200 and info.json()["data"]["sub"] == ada[0]
    info = guest.get("/v3/connect/tokeninfo", params={"access_token": tokens["access_token"]})
    assert info.json()["data"]["grant_id"] == ada[0]
    with db.session() as session:
        stored = session.query(AccessToken).filter_by(grant_id=ada[0]).one()
        assert stored.token_hash == digest(tokens["access_token"])
        assert session.query(RefreshToken).filter_by(grant_id=ada[0]).count() == 1


def test_an_email_code_allows_five_tries_and_ten_minutes(
    api: httpx.Client,
    guest: httpx.Client,
    db: Database,
    ada: tuple[str, str],
    frozen_clock: int,
) -> None:
    register(api)
    _, challenge = pkce()
    attempt = attempt_of(guest.get("/v3/connect/auth", params=auth_query(challenge)).text)
    guest.post("/v3/connect/auth/email", data={"attempt": attempt, "email": "ada@example.com"})
    for _ in range(5):
        wrong = guest.post("/v3/connect/auth/code", data={"attempt": attempt, "code": "x"})
        assert wrong.status_code == 400 and "not right" in wrong.text
    sixth = guest.post("/v3/connect/auth/code", data={"attempt": attempt, "code": "x"})
    assert "Too many tries" in sixth.text
    # A new code has five tries again but expires after ten minutes.
    guest.post("/v3/connect/auth/email", data={"attempt": attempt, "email": "ada@example.com"})
    clock.advance(10 * 60)
    late = guest.post("/v3/connect/auth/code", data={"attempt": attempt, "code": "000000"})
    assert late.status_code == 400 and "expired" in late.text


def test_an_unknown_email_is_answered_like_a_known_one(
    api: httpx.Client, guest: httpx.Client, ada: tuple[str, str]
) -> None:
    register(api)
    _, challenge = pkce()
    attempt = attempt_of(guest.get("/v3/connect/auth", params=auth_query(challenge)).text)
    known = guest.post(
        "/v3/connect/auth/email", data={"attempt": attempt, "email": "ada@example.com"}
    )
    unknown = guest.post(
        "/v3/connect/auth/email", data={"attempt": attempt, "email": "nobody@example.com"}
    )
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("ada@example.com", "X") == unknown.text.replace(
        "nobody@example.com", "X"
    )


def test_the_page_refuses_unregistered_clients_and_redirect_uris_without_redirecting(
    api: httpx.Client, guest: httpx.Client
) -> None:
    register(api)
    _, challenge = pkce()
    for query in (
        auth_query(challenge, client_id="someone-else"),
        auth_query(challenge, redirect_uri=APP + "/other"),
        auth_query(challenge, redirect_uri="https://attacker.example/cb"),
    ):
        page = guest.get("/v3/connect/auth", params=query)
        assert page.status_code == 400, page.text
        assert "location" not in page.headers and "text/html" in page.headers["content-type"]


def test_the_page_sends_a_registered_client_back_with_its_error(
    api: httpx.Client, guest: httpx.Client
) -> None:
    register(api)
    _, challenge = pkce()
    for query in (
        auth_query(challenge, code_challenge_method="plain"),
        auth_query(challenge, response_type="token"),
        auth_query("", state="s"),
    ):
        back = guest.get("/v3/connect/auth", params=query)
        params = redirected_params(back)
        assert params["error"] == "invalid_request" and params["error_description"]
        assert params["error_code"] == "400" and "code" not in params


def test_wrong_verifier_wrong_redirect_and_reuse_are_invalid_grant(
    guest: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    verifier, challenge = pkce()
    code = issue_code(db, ada[0], challenge)
    oauth_error(exchange(guest, code, pkce()[0]), 400, "invalid_grant")
    # A refused exchange burns the code: the right verifier cannot use it after.
    oauth_error(exchange(guest, code, verifier), 400, "invalid_grant")

    code = issue_code(db, ada[0], challenge)
    oauth_error(exchange(guest, code, verifier, redirect_uri=APP + "x"), 400, "invalid_grant")

    code = issue_code(db, ada[0], challenge)
    assert exchange(guest, code, verifier).status_code == 200
    oauth_error(exchange(guest, code, verifier), 400, "invalid_grant")
    with db.session() as session:
        assert session.query(AuthorizationCode).count() == 0


def test_a_code_expires_after_sixty_seconds(
    guest: httpx.Client, db: Database, ada: tuple[str, str], frozen_clock: int
) -> None:
    verifier, challenge = pkce()
    code = issue_code(db, ada[0], challenge)
    clock.advance(60)
    oauth_error(exchange(guest, code, verifier), 400, "invalid_grant")


def test_unregistered_client_and_malformed_requests(
    guest: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    verifier, challenge = pkce()
    code = issue_code(db, ada[0], challenge)
    oauth_error(exchange(guest, code, verifier, client_id="another-app"), 401, "invalid_client")
    oauth_error(
        exchange(guest, code, verifier, grant_type="password"), 400, "unsupported_grant_type"
    )
    oauth_error(exchange(guest, code, "short"), 400, "invalid_request")
    missing = {"grant_type": "authorization_code", "client_id": CLIENT_ID, "code": code}
    oauth_error(guest.post("/v3/connect/token", json=missing), 400, "invalid_request")
    oauth_error(guest.post("/v3/connect/token", content=b"{nope"), 400, "invalid_request")


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(
    guest: httpx.Client, db: Database, ada: tuple[str, str], frozen_clock: int
) -> None:
    first = tokens_for(guest, db, ada[0])
    second = refresh(guest, first["refresh_token"])
    assert second.status_code == 200, second.text
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert me(guest, rotated["access_token"]).status_code == 200
    # Within the grace of a few seconds a reuse is the same browser's parallel calls.
    clock.advance(REUSE_GRACE_SECONDS - 1)
    assert refresh(guest, first["refresh_token"]).status_code == 200

    clock.advance(1)
    oauth_error(refresh(guest, first["refresh_token"]), 400, "invalid_grant")
    # The whole sign-in is gone: its newest refresh token and every access token.
    oauth_error(refresh(guest, rotated["refresh_token"]), 400, "invalid_grant")
    for token in (first["access_token"], rotated["access_token"]):
        gone = me(guest, token)
        assert gone.status_code == 401
        assert gone.json()["error"]["type"] == "token.unauthorized_access"
    # Another sign-in of the same grant is untouched.
    other = tokens_for(guest, db, ada[0])
    assert me(guest, other["access_token"]).status_code == 200
    oauth_error(refresh(guest, "swrt_never-issued"), 400, "invalid_grant")


def test_access_tokens_expire_on_slotwise_clock_and_refresh(
    guest: httpx.Client, db: Database, ada: tuple[str, str], frozen_clock: int
) -> None:
    tokens = tokens_for(guest, db, ada[0])
    clock.advance(3599)
    assert me(guest, tokens["access_token"]).status_code == 200
    clock.advance(1)
    expired = me(guest, tokens["access_token"])
    assert expired.status_code == 401
    assert expired.json()["error"]["type"] == "token.unauthorized_access"
    info = guest.get("/v3/connect/tokeninfo", params={"access_token": tokens["access_token"]})
    assert info.status_code == 401
    renewed = refresh(guest, tokens["refresh_token"]).json()
    assert me(guest, renewed["access_token"]).status_code == 200


def test_online_access_gives_no_refresh_token(
    guest: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    verifier, challenge = pkce()
    code = issue_code(db, ada[0], challenge, access_type="online")
    answer = exchange(guest, code, verifier).json()
    assert "refresh_token" not in answer and answer["access_token"]


def test_revoke_signs_out(guest: httpx.Client, db: Database, ada: tuple[str, str]) -> None:
    tokens = tokens_for(guest, db, ada[0])
    assert (
        guest.post("/v3/connect/revoke", params={"token": tokens["access_token"]}).json()["success"]
        is True
    )
    assert me(guest, tokens["access_token"]).status_code == 401
    # Revoking the refresh token ends the sign-in: it refreshes no more.
    guest.post("/v3/connect/revoke", json={"token": tokens["refresh_token"]})
    oauth_error(refresh(guest, tokens["refresh_token"]), 400, "invalid_grant")
    # An unknown token is no error (RFC 7009), a missing one is.
    assert guest.post("/v3/connect/revoke", params={"token": "nothing"}).status_code == 200
    assert guest.post("/v3/connect/revoke").status_code == 400


def test_rotated_keys_keep_verifying_earlier_id_tokens(
    guest: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    before = tokens_for(guest, db, ada[0])["id_token"]
    with db.session() as session:
        signing.rotate(session)
    after = tokens_for(guest, db, ada[0])["id_token"]
    assert jwt.get_unverified_header(before)["kid"] != jwt.get_unverified_header(after)["kid"]
    assert len(guest.get("/.well-known/jwks.json").json()["keys"]) == 2
    for token in (before, after):
        assert guest.get("/v3/connect/tokeninfo", params={"id_token": token}).status_code == 200
    with db.session() as session:
        signing.rotate(session)
    # Two rotations on, the first key is retired: its tokens no longer verify.
    assert guest.get("/v3/connect/tokeninfo", params={"id_token": before}).status_code == 401
    forged = jwt.encode({"sub": ada[0], "aud": CLIENT_ID, "exp": 2**31}, "k" * 32, "HS256")
    assert guest.get("/v3/connect/tokeninfo", params={"id_token": forged}).status_code == 401


def test_token_routes_answer_cross_origin_to_registered_origins_only(
    api: httpx.Client, guest: httpx.Client
) -> None:
    register(api, origin="http://127.0.0.1:9")
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    allowed = guest.options(
        "/v3/connect/token", headers={"Origin": "http://127.0.0.1:9", **preflight}
    )
    assert allowed.headers.get("access-control-allow-origin") == "http://127.0.0.1:9"
    refused = guest.options(
        "/v3/connect/token", headers={"Origin": "http://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in refused.headers
