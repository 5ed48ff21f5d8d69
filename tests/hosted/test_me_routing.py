"""`me` and a grant's own access token on /v3/grants/{grant}/…: exactly that grant, nothing
else (not another grant, not webhooks, not the operator's routes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from slotwise.db.engine import Database
from tests.hosted.support import tokens_for
from tests.support.scheduling import make_grant
from tests.support.server import LiveServer


@pytest.fixture
def organizer(
    server: LiveServer, new_client: Callable[..., httpx.Client], db: Database, ada: tuple[str, str]
) -> httpx.Client:
    """Ada's browser: her own access token from hosted authentication, no API key."""
    anonymous = new_client(server.url)
    token = tokens_for(anonymous, db, ada[0])["access_token"]
    return new_client(server.url, headers={"Authorization": f"Bearer {token}"})


def configuration(*participants: dict[str, Any]) -> dict[str, Any]:
    return {
        "participants": list(participants),
        "availability": {"duration_minutes": 30},
        "event_booking": {"title": "Talk"},
    }


def host(email: str, calendar_id: str = "primary", *, organizer: bool = True) -> dict[str, Any]:
    return {
        "email": email,
        "is_organizer": organizer,
        "availability": {"calendar_ids": [calendar_id]},
        "booking": {"calendar_id": calendar_id},
    }


def test_me_reaches_the_tokens_grant_and_what_the_editor_calls(
    organizer: httpx.Client, ada: tuple[str, str]
) -> None:
    grant_id, calendar_id = ada
    assert organizer.get("/v3/grants/me").json()["data"]["id"] == grant_id
    assert organizer.get(f"/v3/grants/{grant_id}").json()["data"]["email"] == "ada@example.com"
    calendars = organizer.get("/v3/grants/me/calendars", params={"limit": 50}).json()
    assert [c["id"] for c in calendars["data"]] == [calendar_id]
    created = organizer.post(
        "/v3/grants/me/scheduling/configurations", json=configuration(host("ada@example.com"))
    )
    assert created.status_code == 200, created.text
    config_id = created.json()["data"]["id"]
    listed = organizer.get("/v3/grants/me/scheduling/configurations", params={"limit": 50})
    assert [c["id"] for c in listed.json()["data"]] == [config_id]
    changed = organizer.put(
        f"/v3/grants/me/scheduling/configurations/{config_id}",
        json={"availability": {"duration_minutes": 45}},
    )
    assert changed.json()["data"]["availability"]["duration_minutes"] == 45
    found = organizer.get(f"/v3/grants/me/scheduling/configurations/{config_id}")
    assert found.status_code == 200
    events = organizer.get("/v3/grants/me/events", params={"calendar_id": "primary"})
    assert events.status_code == 200
    assert (
        organizer.delete(f"/v3/grants/me/scheduling/configurations/{config_id}").status_code == 200
    )


def test_a_token_reaches_no_other_grant(
    organizer: httpx.Client, api: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    bob, _ = make_grant(db, "bob@example.com", "Bob")
    bobs = api.post(
        f"/v3/grants/{bob}/scheduling/configurations", json=configuration(host("bob@example.com"))
    ).json()["data"]["id"]
    for method, path in (
        ("GET", f"/v3/grants/{bob}"),
        ("GET", f"/v3/grants/{bob}/calendars"),
        ("GET", f"/v3/grants/{bob}/events?calendar_id=primary"),
        ("GET", f"/v3/grants/{bob}/scheduling/configurations"),
        ("GET", f"/v3/grants/{bob}/scheduling/configurations/{bobs}"),
        ("DELETE", f"/v3/grants/{bob}/scheduling/configurations/{bobs}"),
    ):
        refused = organizer.request(method, path)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["error"]["message"].startswith("grant_id:")
    # Ada's own configurations do not reach Bob's by id either.
    assert organizer.get(f"/v3/grants/me/scheduling/configurations/{bobs}").status_code == 404
    assert api.get(f"/v3/grants/{bob}/scheduling/configurations/{bobs}").status_code == 200


def test_another_grant_in_the_body_is_refused(
    organizer: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    _, bobs_calendar = make_grant(db, "bob@example.com", "Bob")
    bob = host("bob@example.com", bobs_calendar, organizer=False)
    body = configuration(host("ada@example.com"), bob)
    refused = organizer.post("/v3/grants/me/scheduling/configurations", json=body)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["message"].startswith("participants[1].email:")
    own = organizer.post(
        "/v3/grants/me/scheduling/configurations", json=configuration(host("ada@example.com"))
    ).json()["data"]["id"]
    moved = organizer.put(
        f"/v3/grants/me/scheduling/configurations/{own}",
        json={"participants": [host("bob@example.com", bobs_calendar)]},
    )
    assert moved.status_code == 403
    # A participant with no availability or booking (a listed guest) is no host: allowed.
    listed = configuration(host("ada@example.com"), {"email": "bob@example.com"})
    assert organizer.post("/v3/grants/me/scheduling/configurations", json=listed).status_code == 200


def test_a_grant_token_is_no_api_key(organizer: httpx.Client) -> None:
    for method, path in (
        ("GET", "/v3/grants"),
        ("PATCH", "/v3/grants/me"),
        ("DELETE", "/v3/grants/me"),
        ("GET", "/v3/webhooks"),
        ("GET", "/v3/applications"),
        ("GET", "/v3/applications/redirect-uris"),
        ("POST", "/v3/grants/me/access-tokens"),
        ("POST", "/v3/connect/custom"),
    ):
        refused = organizer.request(method, path, json={})
        assert refused.status_code == 401, (path, refused.text)
        assert refused.json()["error"]["type"] == "unauthorized"


def test_an_api_key_has_no_me(api: httpx.Client, ada: tuple[str, str]) -> None:
    assert api.get("/v3/grants/me").status_code == 404
    assert api.get(f"/v3/grants/{ada[0]}/calendars").status_code == 200


def test_unknown_tokens_are_token_unauthorized(
    server: LiveServer, new_client: Callable[..., httpx.Client], ada: tuple[str, str]
) -> None:
    stranger = new_client(server.url, headers={"Authorization": "Bearer swat_not-a-token"})
    refused = stranger.get("/v3/grants/me/calendars")
    assert refused.status_code == 401
    assert refused.json()["error"]["type"] == "token.unauthorized_access"
