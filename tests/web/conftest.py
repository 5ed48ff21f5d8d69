"""Fixtures for the hosted pages: an organizer with a calendar and a public booking page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.scheduling import config_body, create_config, participant
from tests.support.server import LiveServer, http_client
from tests.support.waiting import HTTP_TIMEOUT

WEEKDAYS_AND_WEEKEND = [0, 1, 2, 3, 4, 5, 6]


@pytest.fixture
def web(server: LiveServer) -> Iterator[httpx.Client]:
    """A browser-like client: no credentials, redirects not followed."""
    with http_client(base_url=server.url, timeout=HTTP_TIMEOUT, follow_redirects=False) as client:
        yield client


@pytest.fixture
def make_page(api: httpx.Client, ada: tuple[str, str]) -> Any:
    """Create a configuration open 09:00-17:00 UTC every day; keyword overrides merge in."""

    def make(**overrides: Any) -> dict[str, Any]:
        grant_id, calendar_id = ada
        scheduler = {"min_booking_notice": 0, "available_days_in_future": 30}
        scheduler.update(overrides.pop("scheduler", {}))
        event_booking = {"title": "Intro call", "timezone": "UTC"}
        event_booking.update(overrides.pop("event_booking", {}))
        body = config_body(
            [participant("ada@example.com", calendar_id, organizer=True, name="Ada Lovelace")],
            availability={
                "duration_minutes": 30,
                "availability_rules": {
                    "default_open_hours": [
                        {
                            "days": WEEKDAYS_AND_WEEKEND,
                            "start": "9:00",
                            "end": "17:00",
                            "timezone": "UTC",
                        }
                    ]
                },
            },
            event_booking=event_booking,
            scheduler=scheduler,
            **overrides,
        )
        return create_config(api, grant_id, body)

    return make
