"""The official Python SDK (nylas 6.18.0) on a group configuration: it has no group-event
calls (those are made over HTTP as the scheduler editor makes them), but its configuration and
booking calls work on a group configuration and its seats, the waitlist included."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import API_KEY
from tests.support.scheduling import HOUR, future_hour
from tests.support.server import LiveServer
from tests.support.waiting import HTTP_TIMEOUT

nylas = pytest.importorskip("nylas")
from nylas import Client  # noqa: E402
from nylas.models.errors import NylasApiError  # noqa: E402

pytestmark = pytest.mark.sdk


def test_python_sdk_books_group_seats(server: LiveServer) -> None:
    client = Client(api_key=API_KEY, api_uri=server.url)
    grant = client.auth.custom_authentication(
        {"provider": "virtual-calendar", "settings": {"email": "gale@example.com"}}
    ).data
    configs = client.scheduler.configurations
    body = {
        "type": "group",
        "name": "Pottery class",
        "group_booking": {"calendar_id": "primary"},
        "scheduler": {"min_booking_notice": 0},
    }
    config = configs.create(identifier=grant.id, request_body=body).data
    assert config.participants == []
    assert config.event_booking.title == "Pottery class"
    found = configs.find(identifier=grant.id, config_id=config.id).data
    assert found.id == config.id
    # What the SDK read, sent back, is accepted and changes nothing.
    same = configs.update(
        identifier=grant.id,
        config_id=config.id,
        request_body={"availability": {"duration_minutes": 60}, "slug": "pottery"},
    ).data
    assert same.slug == "pottery"

    start = future_hour(3, 18)
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=HTTP_TIMEOUT
    ) as http:
        made = http.post(
            f"/v3/grants/{grant.id}/scheduling/configurations/{config.id}/group-events",
            json={
                "title": "Pottery",
                "when": {"start_time": start, "end_time": start + 2 * HOUR},
                "capacity": 1,
            },
        )
    assert made.status_code == 200, made.text
    event_id = made.json()["data"]["event"]["id"]

    bookings = client.scheduler.bookings
    query = {"configuration_id": config.id}
    seat = {"start_time": start, "end_time": start + 2 * HOUR, "event_id": event_id}
    first = bookings.create(
        request_body={**seat, "guest": {"email": "ana@example.com", "name": "Ana"}},
        query_params=query,
    ).data
    assert first.status == "booked" and first.event_id == event_id
    with pytest.raises(NylasApiError) as full:
        bookings.create(
            request_body={**seat, "guest": {"email": "ben@example.com", "name": "Ben"}},
            query_params=query,
        )
    assert full.value.status_code == 409
    assert "Event is full" in str(full.value)

    bookings.destroy(
        booking_id=first.booking_id, request_body={"cancellation_reason": "ill"}, query_params=query
    )
    again = bookings.create(
        request_body={**seat, "guest": {"email": "ben@example.com", "name": "Ben"}},
        query_params=query,
    ).data
    assert again.status == "booked"
    assert bookings.find(booking_id=first.booking_id, query_params=query).data.status == (
        "cancelled"
    )
