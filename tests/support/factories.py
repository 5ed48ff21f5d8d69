"""Making grants, calendars and events through the HTTP API, for tests."""

from __future__ import annotations

from typing import Any

import httpx


def connect(api: httpx.Client, email: str, **settings: Any) -> dict[str, Any]:
    body = {"provider": "virtual-calendar", "settings": {"email": email, **settings}}
    response = api.post("/v3/connect/custom", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def create_event(
    api: httpx.Client, grant: str, body: dict[str, Any], calendar_id: str = "primary"
) -> dict[str, Any]:
    response = api.post(
        f"/v3/grants/{grant}/events", params={"calendar_id": calendar_id}, json=body
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def list_events(api: httpx.Client, grant: str, **params: Any) -> list[dict[str, Any]]:
    params.setdefault("calendar_id", "primary")
    response = api.get(f"/v3/grants/{grant}/events", params=params)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data
