"""The booking lifecycle (reference §4.2-4.7) over real HTTP and a real database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import Booking, Event, OutboxMessage
from slotwise.ids import decode_booking_ref, encode_booking_ref
from tests.support.scheduling import (
    HOUR,
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
    round_robin,
)
from tests.support.server import LiveServer

URLS = {
    "rescheduling_url": "https://pages.example/reschedule/:booking_ref",
    "cancellation_url": "https://pages.example/cancel/:booking_ref",
    "organizer_confirmation_url": "https://pages.example/confirm/:booking_ref",
}


def _config(api: httpx.Client, ada: tuple[str, str], **overrides: Any) -> dict:
    grant_id, calendar_id = ada
    scheduler = {"min_booking_notice": 0, **URLS, **overrides.pop("scheduler", {})}
    body = config_body(
        [
            participant("ada@example.com", calendar_id, organizer=True),
            {"email": "observer@example.com", "name": "Observer"},
        ],
        scheduler=scheduler,
        **overrides,
    )
    return create_config(api, grant_id, body)


def _outbox(db: Database) -> list[OutboxMessage]:
    with db.session(write=False) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at)))


def _event(db: Database, event_id: str) -> Event:
    with db.session(write=False) as session:
        event = session.get(Event, event_id)
        assert event is not None
        return event


def test_booking_ref_worked_example() -> None:
    ref = "bxwsjgt6TB6bVz8MHS5KEBEREREiIkMzhERVVVVVVVUBAgMEBQYHCAkKCwwNDg8Q"
    parts = decode_booking_ref(ref)
    assert parts is not None
    assert parts.configuration_id.startswith("6f1c2c8e-")
    assert parts.configuration_id.endswith("4a10")
    assert parts.booking_id == "11111111-2222-4333-8444-555555555555"
    assert parts.salt == "AQIDBAUGBwgJCgsMDQ4PEA"
    assert encode_booking_ref(parts.configuration_id, parts.booking_id, parts.salt) == ref


def test_create_writes_event_booking_and_notification(
    api: httpx.Client,
    server: LiveServer,
    db: Database,
    ada: tuple[str, str],
    new_client: Callable[..., httpx.Client],
) -> None:
    config = _config(api, ada)
    start = future_hour(2, 10)
    response = book(
        new_client(server.url),
        config["id"],
        start,
        additional_guests=[{"email": "friend@example.com", "name": "Friend"}],
        timezone="Europe/Berlin",
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    for key in ("booking_id", "event_id", "title", "organizer", "status"):
        assert key in data
    assert data["status"] == "booked"
    assert data["title"] == "Intro call"
    assert data["organizer"]["email"] == "ada@example.com"
    parts = decode_booking_ref(data["booking_ref"])
    assert parts is not None
    assert (parts.configuration_id, parts.booking_id) == (config["id"], data["booking_id"])

    event = _event(db, data["event_id"])
    assert (event.start_ts, event.end_ts) == (start, start + 1800)
    assert event.calendar_id == ada[1]
    assert event.event_metadata["source"] == "scheduler"
    assert event.event_metadata["key5"] == config["id"]
    assert event.event_metadata["scheduler_last_start"] == str(start)
    assert event.event_metadata["scheduler_last_end"] == str(start + 1800)
    assert "scheduler_updated_at" in event.event_metadata
    emails = {p["email"] for p in event.participants}
    assert {"guest@example.com", "friend@example.com", "observer@example.com"} <= emails

    [message] = [m for m in _outbox(db) if m.trigger.startswith("booking.")]
    assert message.trigger == "booking.created"
    payload = message.payload
    assert payload["booking_ref"] == data["booking_ref"]
    assert payload["configuration_id"] == config["id"]
    info = payload["booking_info"]
    assert info["participant_rescheduling_url"] == (
        "https://pages.example/reschedule/" + data["booking_ref"]
    )
    assert info["participant_cancellation_url"].endswith(data["booking_ref"])
    assert info["event_id"] == data["event_id"]
    assert info["start_time"] == start
    assert info["guest_timezone"] == "Europe/Berlin"
    assert info["duration"] == 30

    found = api.get(
        f"/v3/scheduling/bookings/{data['booking_id']}", params={"configuration_id": config["id"]}
    )
    assert found.status_code == 200
    assert found.json()["data"]["booking_id"] == data["booking_id"]


@pytest.mark.parametrize(
    ("offset", "minutes"),
    [(0, 45), (7 * 60, 30)],  # wrong duration; not aligned to round_to
)
def test_slot_not_offered_is_a_409(
    api: httpx.Client, ada: tuple[str, str], offset: int, minutes: int
) -> None:
    config = _config(api, ada)
    response = book(api, config["id"], future_hour(2, 10) + offset, minutes)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["type"] == "timeslot_not_available"
    assert error["message"].startswith("The selected timeslot is unavailable")


def test_every_listed_slot_can_be_booked_with_a_finer_interval(
    api: httpx.Client, ada: tuple[str, str]
) -> None:
    # interval 5 with round_to 15: listed starts fall every 5 minutes, off the round_to grid.
    config = _config(api, ada, availability={"duration_minutes": 30, "interval_minutes": 5})
    start = future_hour(2, 10)
    listed = api.get(
        "/v3/scheduling/availability",
        params={"configuration_id": config["id"], "start_time": start, "end_time": start + HOUR},
    ).json()["data"]["time_slots"]
    starts = [s["start_time"] for s in listed]
    assert starts[:3] == [start, start + 300, start + 600]
    assert book(api, config["id"], start + 300).status_code == 200
    # Not on the 5-minute grain at all.
    off_grid = book(api, config["id"], start + 1800 + 120)
    assert off_grid.status_code == 409
    assert off_grid.json()["error"]["type"] == "timeslot_not_available"


def test_taken_slot_and_min_notice_are_refused(api: httpx.Client, ada: tuple[str, str]) -> None:
    config = _config(api, ada, scheduler={"min_booking_notice": 3 * 24 * 60})
    too_soon = book(api, config["id"], future_hour(1, 10))
    assert too_soon.status_code == 409
    start = future_hour(5, 10)
    assert book(api, config["id"], start).status_code == 200
    again = book(api, config["id"], start)
    assert again.status_code == 409
    assert again.json()["error"]["type"] == "timeslot_not_available"
    overlapping = book(api, config["id"], start + 15 * 60)
    assert overlapping.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"guest": None}, "guest"),
        ({"guest": {"email": "guest@example.com"}}, "guest.name"),
        ({"guest": {"email": "nope", "name": "G"}}, "guest.email"),
        ({"start_time": "soon"}, "start_time"),
        ({"additional_fields": {"company": ""}}, "additional_fields.company"),
        ({"additional_fields": {"company": "Acme", "size": "huge"}}, "additional_fields.size"),
        ({"additional_fields": {"company": "Acme", "code": "abc"}}, "additional_fields.code"),
    ],
)
def test_booking_input_is_validated(
    api: httpx.Client, ada: tuple[str, str], body: dict, field: str
) -> None:
    config = _config(
        api,
        ada,
        scheduler={
            "additional_fields": {
                "company": {"label": "Company", "type": "text", "required": True},
                "size": {
                    "label": "Size",
                    "type": "dropdown",
                    "required": False,
                    "options": ["small", "large"],
                },
                "code": {"label": "Code", "type": "text", "required": False, "pattern": "[0-9]+"},
            }
        },
    )
    payload = {"additional_fields": {"company": "Acme"}, **body}
    response = book(api, config["id"], future_hour(2, 10), **payload)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith(field), response.text


def test_additional_fields_accept_snake_cased_keys(api: httpx.Client, ada: tuple[str, str]) -> None:
    config = _config(
        api,
        ada,
        scheduler={
            "additional_fields": {"companyName": {"label": "C", "type": "text", "required": True}}
        },
    )
    response = book(
        api, config["id"], future_hour(2, 10), additional_fields={"company_name": "Acme"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["additional_fields"] == {"companyName": "Acme"}


def test_pending_booking_confirm_and_refusals(
    api: httpx.Client,
    server: LiveServer,
    db: Database,
    ada: tuple[str, str],
    new_client: Callable[..., httpx.Client],
) -> None:
    config = _config(
        api, ada, event_booking={"title": "Intro call", "booking_type": "organizer-confirmation"}
    )
    start = future_hour(2, 10)
    guest_client = new_client(server.url)
    response = book(guest_client, config["id"], start)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["status"] == "pending"
    guest_ref = data["booking_ref"]  # the guest's: it cancels, never confirms
    assert _event(db, data["event_id"]).title == "[PENDING] Intro call"
    # The pending booking holds its time.
    assert book(api, config["id"], start).status_code == 409

    [message] = [m for m in _outbox(db) if m.trigger.startswith("booking.")]
    assert message.trigger == "booking.pending"
    assert message.payload["booking_type"] == "organizer-confirmation"
    assert message.payload["booking_ref"] == guest_ref
    ref = message.payload["booking_info"]["host_confirmation_url"].rsplit("/", 1)[1]
    assert ref != guest_ref
    parts = decode_booking_ref(ref)
    assert parts is not None

    url = f"/v3/scheduling/bookings/{data['booking_id']}"
    params = {"configuration_id": config["id"]}
    wrong = guest_client.put(url, params=params, json={"salt": "AAAA", "status": "confirmed"})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["message"].startswith("salt")
    ok = guest_client.put(url, params=params, json={"salt": parts.salt, "status": "confirm"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["data"]["status"] == "booked"
    assert _event(db, data["event_id"]).title == "Intro call"
    twice = guest_client.put(url, params=params, json={"salt": parts.salt, "status": "confirmed"})
    assert twice.status_code == 409
    triggers = [m.trigger for m in _outbox(db) if m.trigger.startswith("booking.")]
    assert triggers == ["booking.pending", "booking.created"]


def test_pending_booking_rejected_with_reason(
    api: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    config = _config(
        api, ada, event_booking={"title": "Intro call", "booking_type": "organizer-confirmation"}
    )
    start = future_hour(2, 10)
    data = book(api, config["id"], start).json()["data"]
    salt = decode_booking_ref(data["booking_ref"]).salt  # type: ignore[union-attr]
    url = f"/v3/scheduling/bookings/{data['booking_id']}"
    response = api.put(
        url,
        params={"configuration_id": config["id"]},
        json={"salt": salt, "status": "cancelled", "cancellation_reason": "Busy"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "cancelled"
    assert _event(db, data["event_id"]).status == "cancelled"
    cancelled = [m for m in _outbox(db) if m.trigger == "booking.cancelled"]
    assert cancelled[0].payload["booking_info"]["cancellation_reason"] == "Busy"
    assert "booking_ref" not in cancelled[0].payload
    # Its time is free again.
    assert book(api, config["id"], start).status_code == 200


def test_reschedule_moves_the_event_and_keeps_the_id(
    api: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    config = _config(api, ada)
    start = future_hour(2, 10)
    data = book(api, config["id"], start).json()["data"]
    blocker = book(api, config["id"], start + 2 * HOUR)
    assert blocker.status_code == 200
    url = f"/v3/scheduling/bookings/{data['booking_id']}"
    params = {"configuration_id": config["id"]}
    taken = api.patch(
        url, params=params, json={"start_time": start + 2 * HOUR, "end_time": start + 2.5 * HOUR}
    )
    assert taken.status_code == 409
    # Moving by 30 minutes overlaps its own old time: allowed.
    new_start = start + 1800
    response = api.patch(
        url, params=params, json={"start_time": str(new_start), "end_time": str(new_start + 1800)}
    )
    assert response.status_code == 200, response.text
    moved = response.json()["data"]
    assert moved["booking_id"] == data["booking_id"]
    assert moved["event_id"] == data["event_id"]
    assert moved["booking_ref"]
    event = _event(db, data["event_id"])
    assert (event.start_ts, event.end_ts) == (new_start, new_start + 1800)
    assert event.event_metadata["scheduler_last_start"] == str(new_start)
    [message] = [m for m in _outbox(db) if m.trigger == "booking.rescheduled"]
    assert message.payload["booking_info"]["old_start_time"] == start
    assert message.payload["booking_info"]["old_end_time"] == start + 1800
    assert message.payload["booking_info"]["start_time"] == new_start
    # The old time is free again.
    assert book(api, config["id"], start - 1800).status_code == 200


def test_cancel_with_reason_and_notice(
    api: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    config = _config(api, ada, scheduler={"min_cancellation_notice": 3 * 24 * 60})
    soon = book(api, config["id"], future_hour(2, 10)).json()["data"]
    params = {"configuration_id": config["id"]}
    refused = api.request(
        "DELETE", f"/v3/scheduling/bookings/{soon['booking_id']}", params=params, json={}
    )
    assert refused.status_code == 400

    later = book(api, config["id"], future_hour(6, 10)).json()["data"]
    url = f"/v3/scheduling/bookings/{later['booking_id']}"
    response = api.request("DELETE", url, params=params, json={"cancellation_reason": "Sick"})
    assert response.status_code == 200
    assert set(response.json()) == {"request_id"}
    assert _event(db, later["event_id"]).status == "cancelled"
    found = api.get(url, params=params).json()["data"]
    assert found["status"] == "cancelled"
    assert found["cancellation_reason"] == "Sick"
    again = api.request("DELETE", url, params=params, json={})
    assert again.status_code == 409
    [message] = [m for m in _outbox(db) if m.trigger == "booking.cancelled"]
    assert message.payload["booking_info"]["cancellation_reason"] == "Sick"


def test_idempotency_key_replays_the_first_response(
    api: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    config = _config(api, ada)
    start = future_hour(2, 10)
    headers = {"Idempotency-Key": "key-1"}
    body = {
        "start_time": start,
        "end_time": start + 1800,
        "guest": {"email": "guest@example.com", "name": "Guest"},
    }
    params = {"configuration_id": config["id"]}
    first = api.post("/v3/scheduling/bookings", params=params, json=body, headers=headers)
    second = api.post("/v3/scheduling/bookings", params=params, json=body, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["data"] == second.json()["data"]
    other = dict(body, start_time=start + HOUR, end_time=start + HOUR + 1800)
    clash = api.post("/v3/scheduling/bookings", params=params, json=other, headers=headers)
    assert clash.status_code == 400
    assert clash.json()["error"]["type"] == "api.invalid_idempotency_key"
    with db.session(write=False) as session:
        [stored] = list(session.scalars(select(Booking)))
    assert stored.idempotency_key == "key-1"


def test_a_session_never_reaches_another_configurations_bookings(
    api: httpx.Client,
    server: LiveServer,
    ada: tuple[str, str],
    new_client: Callable[..., httpx.Client],
) -> None:
    mine = _config(api, ada, requires_session_auth=True)
    theirs = _config(api, ada)
    booking = book(api, theirs["id"], future_hour(2, 10)).json()["data"]
    token = api.post("/v3/scheduling/sessions", json={"configuration_id": mine["id"]}).json()[
        "data"
    ]["session_id"]
    client = new_client(server.url, headers={"Authorization": f"Bearer {token}"})
    url = f"/v3/scheduling/bookings/{booking['booking_id']}"
    assert client.get(url).status_code == 404
    assert client.patch(url, json={"start_time": 1, "end_time": 2}).status_code == 404
    assert client.request("DELETE", url, json={}).status_code == 404
    assert client.put(url, json={"salt": "x", "status": "confirmed"}).status_code == 404
    assert client.get(url, params={"configuration_id": theirs["id"]}).status_code in {401, 403}
    # ...while its own bookings work through the session alone.
    own = client.post(
        "/v3/scheduling/bookings",
        json={
            "start_time": future_hour(3, 10),
            "end_time": future_hour(3, 10) + 1800,
            "guest": {"email": "g@example.com", "name": "G"},
        },
    )
    assert own.status_code == 200, own.text
    assert (
        client.get(f"/v3/scheduling/bookings/{own.json()['data']['booking_id']}").status_code == 200
    )
    # A private configuration cannot be booked without its session.
    anonymous = book(new_client(server.url), mine["id"], future_hour(4, 10))
    assert anonymous.status_code == 401


def test_round_robin_books_the_first_free_in_order(api: httpx.Client, db: Database) -> None:
    a_grant, a_cal = make_grant(db, "ada@example.com")
    _, b_cal = make_grant(db, "bob@example.com")
    body = round_robin(
        config_body([participant("ada@example.com", a_cal), participant("bob@example.com", b_cal)])
    )
    config = create_config(api, a_grant, body)
    start = future_hour(2, 10)
    first = book(api, config["id"], start).json()["data"]
    assert first["organizer"]["email"] == "ada@example.com"  # never booked, alphabetical
    second = book(api, config["id"], start + HOUR).json()["data"]
    assert second["organizer"]["email"] == "bob@example.com"
    # Same slot as the first: only Bob is free for it.
    third = book(api, config["id"], start).json()["data"]
    assert third["organizer"]["email"] == "bob@example.com"
    assert book(api, config["id"], start).status_code == 409
    # A requested subset is honoured.
    fourth = book(
        api, config["id"], start + 3 * HOUR, participants=[{"email": "bob@example.com"}]
    ).json()["data"]
    assert fourth["organizer"]["email"] == "bob@example.com"


def test_ui_settings_for_the_component_and_a_rescheduled_booking(
    api: httpx.Client,
    server: LiveServer,
    ada: tuple[str, str],
    new_client: Callable[..., httpx.Client],
) -> None:
    config = _config(
        api,
        ada,
        scheduler={
            "min_cancellation_notice": 15,
            "additional_fields": {
                "company": {"label": "Company", "type": "text", "required": True}
            },
        },
    )
    guest = new_client(server.url)
    params = {"configuration_id": config["id"]}
    data = guest.get("/v3/scheduling/ui-settings", params=params).json()["data"]
    assert data["configuration_id"] == config["id"]
    assert data["organizer"] == {"name": "Ada", "email": "ada@example.com"}
    assert data["booking_type"] == "booking"
    assert data["scheduler"]["min_booking_notice"] == 0
    assert data["scheduler"]["min_cancellation_notice"] == 15
    assert data["scheduler"]["available_days_in_future"] == 30
    assert data["scheduler"]["additional_fields"]["company"]["required"] is True
    assert "booking" not in data
    booked = book(
        guest,
        config["id"],
        future_hour(2, 10),
        additional_fields={"company": "Acme"},
        additional_guests=[{"email": "friend@example.com", "name": "Friend"}],
    ).json()["data"]
    again = guest.get(
        "/v3/scheduling/ui-settings", params={**params, "booking_id": booked["booking_id"]}
    ).json()["data"]
    assert again["booking"]["guest"] == {"email": "guest@example.com", "name": "Guest"}
    assert again["booking"]["additional_fields"] == {"company": "Acme"}
    assert again["booking"]["additional_guests"] == [
        {"email": "friend@example.com", "name": "Friend"}
    ]
    assert "salt" not in again["booking"] and "booking_ref" not in again["booking"]
