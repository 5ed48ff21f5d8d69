"""Fixtures for the security tests: an organizer, a second grant, anonymous clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import OutboxMessage
from tests.support.scheduling import config_body, create_config, participant
from tests.support.server import LiveServer, http_client
from tests.support.waiting import HTTP_TIMEOUT


@pytest.fixture
def guest(server: LiveServer) -> Iterator[httpx.Client]:
    """Anyone on the internet: no credentials, redirects not followed."""
    with http_client(base_url=server.url, timeout=HTTP_TIMEOUT, follow_redirects=False) as client:
        yield client


@pytest.fixture
def make_config(api: httpx.Client, ada: tuple[str, str]) -> Any:
    """A public configuration of Ada's; keyword overrides replace top-level keys."""

    def make(
        grant: tuple[str, str] | None = None, email: str = "ada@example.com", **over: Any
    ) -> dict[str, Any]:
        grant_id, calendar_id = grant or ada
        scheduler = {"min_booking_notice": 0, "available_days_in_future": 30}
        scheduler.update(over.pop("scheduler", {}))
        event_booking = {"title": "Intro call", "timezone": "UTC"}
        event_booking.update(over.pop("event_booking", {}))
        body = config_body(
            [participant(email, calendar_id, organizer=True)],
            event_booking=event_booking,
            scheduler=scheduler,
            **over,
        )
        return create_config(api, grant_id, body)

    return make


def outbox(db: Database, trigger: str | None = None) -> list[OutboxMessage]:
    with db.session(write=False) as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at))
        return [m for m in rows if trigger is None or m.trigger == trigger]
