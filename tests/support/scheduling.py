"""Factories for scheduling tests: grants with calendars, configurations, handy slot times."""

from __future__ import annotations

import copy
import time
from typing import Any

import httpx

from slotwise.db.engine import Database
from slotwise.db.models import Calendar, Grant
from slotwise.ids import new_id

HOUR = 3600
DAY = 86400


def make_grant(db: Database, email: str, name: str | None = None) -> tuple[str, str]:
    """A virtual-calendar grant with one primary calendar: (grant_id, calendar_id)."""
    now = int(time.time())
    grant_id, calendar_id = new_id(), new_id()
    with db.session() as session:
        session.add(
            Grant(
                id=grant_id,
                provider="virtual-calendar",
                email=email,
                name=name or email.split("@")[0].title(),
                grant_status="valid",
                scope=[],
                settings={},
                created_at=now,
                updated_at=now,
            )
        )
        session.flush()
        session.add(
            Calendar(
                id=calendar_id,
                grant_id=grant_id,
                name=f"{email} calendar",
                is_primary=True,
                read_only=False,
                calendar_metadata={},
                created_at=now,
                updated_at=now,
            )
        )
    return grant_id, calendar_id


def future_hour(days: int = 2, hour: int = 10) -> int:
    """A UTC instant `days` days ahead at `hour`:00 UTC."""
    now = int(time.time())
    return (now // DAY + days) * DAY + hour * HOUR


def participant(email: str, calendar_id: str, *, organizer: bool = False, **extra: Any) -> dict:
    entry: dict[str, Any] = {
        "email": email,
        "name": email.split("@")[0].title(),
        "availability": {"calendar_ids": [calendar_id]},
        "booking": {"calendar_id": calendar_id},
    }
    if organizer:
        entry["is_organizer"] = True
    entry.update(extra)
    return entry


def config_body(participants: list[dict], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "participants": participants,
        "availability": {"duration_minutes": 30},
        "event_booking": {"title": "Intro call", "timezone": "UTC"},
        "scheduler": {"min_booking_notice": 0, "available_days_in_future": 30},
    }
    for key, value in overrides.items():
        body[key] = copy.deepcopy(value)
    return body


def round_robin(body: dict[str, Any], method: str = "max-availability") -> dict[str, Any]:
    body = copy.deepcopy(body)
    body["availability"]["availability_rules"] = {"availability_method": method}
    for p in body["participants"]:
        p.pop("is_organizer", None)
    return body


def create_config(api: httpx.Client, grant_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"/v3/grants/{grant_id}/scheduling/configurations", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def book(
    client: httpx.Client, config_id: str, start: int, minutes: int = 30, **extra: Any
) -> httpx.Response:
    body = {
        "start_time": start,
        "end_time": start + minutes * 60,
        "guest": {"email": "guest@example.com", "name": "Guest"},
    }
    body.update(extra)
    return client.post("/v3/scheduling/bookings", params={"configuration_id": config_id}, json=body)
