"""Setting up grants and events through the v3 API, as a client would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx


def ts(text: str) -> int:
    """Epoch seconds of an ISO UTC time, e.g. ts("2026-03-02T09:00")."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def grant(api: httpx.Client, email: str) -> dict[str, Any]:
    response = api.post(
        "/v3/connect/custom", json={"provider": "virtual-calendar", "settings": {"email": email}}
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def event(api: httpx.Client, email: str, start: int, end: int, **extra: Any) -> dict[str, Any]:
    body = {"title": "busy", "when": {"start_time": start, "end_time": end}, **extra}
    response = api.post(f"/v3/grants/{email}/events", params={"calendar_id": "primary"}, json=body)
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def error_of(response: httpx.Response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert response.headers["x-request-id"] == body["request_id"]
    return str(body["error"]["message"])
