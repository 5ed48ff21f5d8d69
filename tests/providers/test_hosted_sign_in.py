"""Signing in on the hosted-auth page with a CalDAV account on Radicale: the credentials are
checked against the server, the grant is created (or re-authenticated), and the code the
browser brings back gives that grant's tokens."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from slotwise.db.engine import Database
from tests.hosted.support import attempt_of, auth_query, exchange, pkce, redirected_params, register
from tests.providers.conftest import Account
from tests.support.server import LiveServer


def _sign_in(guest: httpx.Client, account: Account, password: str) -> httpx.Response:
    verifier, challenge = pkce()
    attempt = attempt_of(guest.get("/v3/connect/auth", params=auth_query(challenge)).text)
    form = {
        "attempt": attempt,
        "provider": "caldav",
        "email": account.email,
        "url": account.server.url + "/",
        "username": account.user,
        "password": password,
    }
    response = guest.post("/v3/connect/auth/calendar", data=form)
    response.extensions["verifier"] = verifier
    return response


def test_a_caldav_account_signs_in_and_its_grant_gets_the_tokens(
    api: httpx.Client,
    server: LiveServer,
    db: Database,
    account: Account,
    new_client: Callable[..., httpx.Client],
) -> None:
    register(api)
    guest = new_client(server.url)
    wrong = _sign_in(guest, account, "not-the-password")
    assert wrong.status_code == 400 and "text/html" in wrong.headers["content-type"]
    assert "not-the-password" not in wrong.text  # the password is never echoed

    signed_in = _sign_in(guest, account, account.password)
    params = redirected_params(signed_in)
    tokens = exchange(guest, params["code"], signed_in.extensions["verifier"]).json()
    grants = api.get("/v3/grants", params={"email": account.email}).json()["data"]
    assert [g["id"] for g in grants] == [tokens["grant_id"]]
    assert grants[0]["provider"] == "caldav"
    me = guest.get(
        "/v3/grants/me/calendars", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 200 and me.json()["data"]

    # Signing in again re-authenticates the same grant; another username for the same
    # email is refused.
    again = redirected_params(_sign_in(guest, account, account.password))
    assert again["code"] != params["code"]
    assert len(api.get("/v3/grants", params={"email": account.email}).json()["data"]) == 1
    verifier, challenge = pkce()
    attempt = attempt_of(guest.get("/v3/connect/auth", params=auth_query(challenge)).text)
    other = guest.post(
        "/v3/connect/auth/calendar",
        data={
            "attempt": attempt,
            "provider": "caldav",
            "email": account.email,
            "url": account.server.url + "/",
            "username": "someone-else",
            "password": "x",
        },
    )
    assert other.status_code == 400 and "another calendar account" in other.text
