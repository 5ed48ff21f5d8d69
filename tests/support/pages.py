"""Helpers for v2 Scheduling Pages tests: accounts with access tokens, page bodies, clients."""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.factories import connect

WEEKDAYS = ["M", "T", "W", "R", "F"]
ALL_DAYS = ["M", "T", "W", "R", "F", "S", "U"]


@dataclass(frozen=True)
class Account:
    grant_id: str
    email: str
    token: str


def account(api: httpx.Client, email: str) -> Account:
    """A virtual-calendar grant and a fresh access token for it."""
    grant = connect(api, email)
    response = api.post(f"/v3/grants/{grant['id']}/access-tokens")
    assert response.status_code == 200, response.text
    return Account(grant["id"], email, response.json()["data"]["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(token: str) -> dict[str, str]:
    """The Node v6 SDK's header: the token as the Basic user name, no password."""
    return {"Authorization": "Basic " + base64.b64encode(f"{token}:".encode()).decode()}


def page_body(*accounts: Account, slug: str = "team-intro", **config: Any) -> dict[str, Any]:
    """A page open every day around the clock (so tests find slots whenever they run)."""
    body: dict[str, Any] = {
        "name": "Team Scheduling Page",
        "slug": slug,
        "access_tokens": [a.token for a in accounts],
        "config": {
            "timezone": "UTC",
            "event": {"duration": 30, "location": "Room 1", "title": "Intro Meeting"},
            "appearance": {"color": "#ff0000", "show_week_view": "true"},
            "booking": {
                "opening_hours": [{"days": ALL_DAYS, "start": "0:00", "end": "24:00"}],
                "min_booking_notice": 0,
                "available_days_in_future": 3,
                "confirmation_method": "automatic",
            },
            "reminders": [],
        },
    }
    for key, value in config.items():
        body["config"][key] = copy.deepcopy(value)
    return body


def create_page(client: httpx.Client, body: dict[str, Any], token: str) -> dict[str, Any]:
    response = client.post("/manage/pages", json=body, headers=bearer(token))
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def booking_request(slot: dict[str, Any], email: str = "guest@example.com") -> dict[str, Any]:
    return {
        "name": "Guest",
        "email": email,
        "timezone": "Europe/Berlin",
        "locale": "en",
        "slot": slot,
        "additional_values": {},
        "additional_emails": [],
    }
