"""Hosted-auth helpers: a registered app, PKCE pairs, the sign-in page driven over HTTP."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from slotwise.db.engine import Database
from slotwise.db.models import Grant
from slotwise.tokens import hosted

APP = "http://127.0.0.1:9/app/callback"  # never contacted: the browser is only sent there
ORIGIN = "http://127.0.0.1:9"
CLIENT_ID = "slotwise"  # Settings.application_id's default


def register(api: httpx.Client, url: str = APP, origin: str = ORIGIN) -> dict[str, Any]:
    body = {"url": url, "platform": "web", "settings": {"origin": origin}}
    response = api.post("/v3/applications/redirect-uris", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def pkce() -> tuple[str, str]:
    """(verifier, S256 challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_code(
    db: Database,
    grant_id: str,
    challenge: str,
    *,
    redirect_uri: str = APP,
    access_type: str = "offline",
) -> str:
    """An authorization code as the sign-in page hands one out (tokens.hosted)."""
    with db.session() as session:
        grant = session.get(Grant, grant_id)
        assert grant is not None
        return hosted.new_authorization_code(
            session,
            grant,
            client_id=CLIENT_ID,
            redirect_uri=redirect_uri,
            code_challenge=challenge,
            access_type=access_type,
        )


def exchange(client: httpx.Client, code: str, verifier: str, **extra: Any) -> httpx.Response:
    body = {
        "client_id": CLIENT_ID,
        "redirect_uri": APP,
        "code": code,
        "grant_type": "authorization_code",
        "code_verifier": verifier,
        **extra,
    }
    return client.post("/v3/connect/token", json=body)


def refresh(client: httpx.Client, token: str) -> httpx.Response:
    body = {"grant_type": "refresh_token", "refresh_token": token, "client_id": CLIENT_ID}
    return client.post("/v3/connect/token", json=body)


def tokens_for(client: httpx.Client, db: Database, grant_id: str) -> dict[str, Any]:
    verifier, challenge = pkce()
    response = exchange(client, issue_code(db, grant_id, challenge), verifier)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def auth_query(challenge: str, **extra: str) -> dict[str, str]:
    return {
        "client_id": CLIENT_ID,
        "redirect_uri": APP,
        "response_type": "code",
        "access_type": "offline",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "options": "rotate_refresh_token",
        **extra,
    }


def attempt_of(html: str) -> str:
    found = re.search(r'name="attempt" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def redirected_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(APP), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
