"""The official Python SDK (nylas 6.18.0) through a whole scheduling flow on a live server."""

from __future__ import annotations

import httpx
import pytest

from slotwise.ids import decode_booking_ref
from tests.conftest import API_KEY
from tests.support.scheduling import future_hour
from tests.support.server import LiveServer
from tests.support.waiting import HTTP_TIMEOUT

nylas = pytest.importorskip("nylas")
from nylas import Client  # noqa: E402
from nylas.models.errors import NylasApiError  # noqa: E402

pytestmark = pytest.mark.sdk


@pytest.fixture
def client(server: LiveServer) -> Client:
    return Client(api_key=API_KEY, api_uri=server.url)


def _config_body(email: str, **event_booking: object) -> dict:
    return {
        "participants": [
            {
                "email": email,
                "name": "Avery",
                "is_organizer": True,
                "availability": {"calendar_ids": ["primary"]},
                "booking": {"calendar_id": "primary"},
            }
        ],
        "availability": {"duration_minutes": 30},
        "event_booking": {"title": "Intro", "timezone": "UTC", **event_booking},
        "scheduler": {
            "min_booking_notice": 0,
            "additional_fields": {
                "company": {"label": "Company", "type": "text", "required": True}
            },
        },
        "requires_session_auth": False,
    }


def test_python_sdk_scheduling_flow(client: Client, server: LiveServer) -> None:
    grant = client.auth.custom_authentication(
        {"provider": "virtual-calendar", "settings": {"email": "avery@example.com"}}
    ).data
    configs = client.scheduler.configurations
    config = configs.create(identifier=grant.id, request_body=_config_body(grant.email)).data
    assert config.participants[0].booking.calendar_id == "primary"
    assert config.availability.duration_minutes == 30
    assert configs.find(identifier=grant.id, config_id=config.id).data.id == config.id
    assert [c.id for c in configs.list(identifier=grant.id).data] == [config.id]
    updated = configs.update(
        identifier=grant.id, config_id=config.id, request_body={"slug": "avery-intro"}
    ).data
    assert updated.slug == "avery-intro"
    assert updated.event_booking.title == "Intro"

    session = client.scheduler.sessions.create(
        request_body={"configuration_id": config.id, "time_to_live": 10}
    ).data
    assert session.session_id

    bookings = client.scheduler.bookings
    start = future_hour(2, 10)
    query = {"configuration_id": config.id}
    created = bookings.create(
        request_body={
            "start_time": start,
            "end_time": start + 1800,
            "guest": {"email": "guest@example.com", "name": "Guest"},
            "additional_fields": {"company": "Acme"},
        },
        query_params=query,
    ).data
    assert created.status == "booked"
    assert created.organizer.email == "avery@example.com"
    assert bookings.find(booking_id=created.booking_id, query_params=query).data.event_id == (
        created.event_id
    )
    with pytest.raises(NylasApiError) as taken:
        bookings.create(
            request_body={
                "start_time": start,
                "end_time": start + 1800,
                "guest": {"email": "other@example.com", "name": "Other"},
                "additional_fields": {"company": "Acme"},
            },
            query_params=query,
        )
    assert taken.value.status_code == 409
    assert taken.value.type == "timeslot_not_available"

    moved = bookings.reschedule(
        booking_id=created.booking_id,
        request_body={"start_time": start + 3600, "end_time": start + 5400},
        query_params=query,
    ).data
    assert moved.booking_id == created.booking_id

    deleted = bookings.destroy(
        booking_id=created.booking_id,
        request_body={"cancellation_reason": "Plans changed"},
        query_params=query,
    )
    assert deleted.request_id
    assert bookings.find(booking_id=created.booking_id, query_params=query).data.status == (
        "cancelled"
    )

    # Organizer confirmation: the salt travels in the booking_ref the API key receives.
    pending_config = configs.create(
        identifier=grant.id,
        request_body=_config_body(grant.email, booking_type="organizer-confirmation"),
    ).data
    pending_query = {"configuration_id": pending_config.id}
    pending = bookings.create(
        request_body={
            "start_time": start + 7200,
            "end_time": start + 9000,
            "guest": {"email": "guest@example.com", "name": "Guest"},
            "additional_fields": {"company": "Acme"},
        },
        query_params=pending_query,
    ).data
    assert pending.status == "pending"
    found = client.scheduler.bookings.find(
        booking_id=pending.booking_id, query_params=pending_query
    )
    assert found.data.status == "pending"
    # The SDK's Booking model has no booking_ref; the API key reads it from the raw response.
    raw = httpx.get(
        f"{server.url}/v3/scheduling/bookings/{pending.booking_id}",
        params=pending_query,
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=HTTP_TIMEOUT,
    ).json()
    ref = decode_booking_ref(raw["data"]["booking_ref"])
    assert ref is not None
    confirmed = bookings.confirm(
        booking_id=pending.booking_id,
        request_body={"salt": ref.salt, "status": "confirm"},
        query_params=pending_query,
    ).data
    assert confirmed.status == "booked"

    client.scheduler.sessions.destroy(session_id=session.session_id)
    configs.destroy(identifier=grant.id, config_id=pending_config.id)
    with pytest.raises(NylasApiError) as gone:
        configs.find(identifier=grant.id, config_id=pending_config.id)
    assert gone.value.status_code == 404
