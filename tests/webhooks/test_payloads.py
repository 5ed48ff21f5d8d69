"""Every notification Slotwise emits, checked field by field against reference §8.5/§8.6, from
changes made through the API; event and calendar objects parsed by the Python SDK's models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from nylas.models.calendars import Calendar as SdkCalendar
from nylas.models.events import Event as SdkEvent

from slotwise.db.engine import Database
from slotwise.ids import decode_booking_ref
from tests.support.factories import connect, create_event
from tests.support.scheduling import (
    HOUR,
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
)
from tests.webhooks.receiver import Received, Receiver

pytestmark = pytest.mark.sdk

ALL = [
    f"{family}.{change}"
    for family, changes in (
        ("booking", ("created", "pending", "rescheduled", "cancelled", "reminder")),
        ("event", ("created", "updated", "deleted")),
        ("calendar", ("created", "updated", "deleted")),
        ("grant", ("created", "updated", "deleted")),
    )
    for change in changes
]
SHARED_INFO = {
    "event_id",
    "start_time",
    "end_time",
    "participants",
    "additional_fields",
    "hide_cancellation_options",
    "hide_rescheduling_options",
    "participant_rescheduling_url",
    "participant_cancellation_url",
    "host_language",
    "guest_language",
    "title",
    "duration",
    "location",
    "organizer_timezone",
    "guest_timezone",
    "is_group_event",
    "organizer_calendar_id",
    "event_description",
    "event_html_link",
    "ical_uid",
}


def check_envelope(received: Received) -> None:
    body = received.body
    assert set(body) == {
        "specversion",
        "type",
        "source",
        "id",
        "time",
        "webhook_delivery_attempt",
        "data",
    }
    assert body["specversion"] == "1.0" and isinstance(body["time"], int)
    assert isinstance(body["id"], str) and body["id"]
    assert body["webhook_delivery_attempt"] >= 1
    assert set(body["data"]) == {"application_id", "object"}
    assert isinstance(body["data"]["application_id"], str)


def of(receiver: Receiver, trigger: str) -> list[dict[str, Any]]:
    return [r.object for r in receiver.received if r.type == trigger]


def test_booking_payloads(
    api: httpx.Client, db: Database, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    created = api.post("/v3/webhooks", json={"trigger_types": ALL, "webhook_url": receiver.url})
    receiver.secret = created.json()["data"]["webhook_secret"]
    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada")
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        event_booking={
            "title": "Intro call",
            "timezone": "UTC",
            "booking_type": "organizer-confirmation",
        },
        scheduler={
            "min_booking_notice": 0,
            "available_days_in_future": 30,
            "rescheduling_url": "https://book.example/reschedule/:booking_ref",
            "cancellation_url": "https://book.example/cancel/:booking_ref",
            "organizer_confirmation_url": "https://book.example/confirm/:booking_ref",
        },
    )
    config = create_config(api, grant_id, body)
    start = future_hour(2, 10)
    pending = book(api, config["id"], start)
    assert pending.status_code == 200, pending.text
    booking_id = pending.json()["data"]["booking_id"]
    run_worker(lambda: bool(of(receiver, "booking.pending")))
    [obj] = of(receiver, "booking.pending")
    ref = obj["booking_ref"]
    assert obj["booking_type"] == "organizer-confirmation"
    info = obj["booking_info"]
    # The organizer's link carries its own ref (same booking, another secret than the guest's).
    organizer_ref = info["host_confirmation_url"].removeprefix("https://book.example/confirm/")
    assert organizer_ref != ref
    assert decode_booking_ref(organizer_ref).booking_id == booking_id  # type: ignore[union-attr]
    assert info["participant_rescheduling_url"] == f"https://book.example/reschedule/{ref}"
    assert info["participant_cancellation_url"] == f"https://book.example/cancel/{ref}"

    parts = decode_booking_ref(ref)
    assert parts is not None
    url = f"/v3/scheduling/bookings/{booking_id}"
    params = {"configuration_id": config["id"]}
    confirmed = api.put(url, params=params, json={"salt": parts.salt, "status": "confirmed"})
    assert confirmed.status_code == 200, confirmed.text
    moved = api.patch(
        url, params=params, json={"start_time": start + HOUR, "end_time": start + HOUR + 1800}
    )
    assert moved.status_code == 200, moved.text
    gone = api.request("DELETE", url, params=params, json={})
    assert gone.status_code == 200, gone.text
    run_worker(lambda: bool(of(receiver, "booking.cancelled")))

    for received in receiver.received:
        check_envelope(received)
        assert received.body["source"] == "/nylas/passthru" or received.type.startswith("grant.")
    booking_types = [r.type for r in receiver.received if r.type.startswith("booking.")]
    assert booking_types == [
        "booking.pending",
        "booking.created",
        "booking.rescheduled",
        "booking.cancelled",
    ]
    for trigger in booking_types:
        [obj] = of(receiver, trigger)
        assert obj["booking_id"] == booking_id and obj["configuration_id"] == config["id"]
        assert obj["object"] == "booking"
        info = obj["booking_info"]
        missing = SHARED_INFO - set(info)
        assert not missing, (trigger, missing)
        if trigger == "booking.cancelled":
            assert "booking_ref" not in obj
            assert info["cancellation_reason"] == ""
        else:
            assert obj["booking_ref"] == ref
            assert "cancellation_reason" not in info
        assert ("old_start_time" in info) == (trigger == "booking.rescheduled")
        assert info["participants"][0]["email"] == "ada@example.com"
        assert {"email": "guest@example.com", "name": "Guest"} in info["participants"]
        assert info["duration"] == 30 and info["title"] == "Intro call"
    [rescheduled] = of(receiver, "booking.rescheduled")
    info = rescheduled["booking_info"]
    assert (info["old_start_time"], info["old_end_time"]) == (start, start + 1800)
    assert (info["start_time"], info["end_time"]) == (start + HOUR, start + HOUR + 1800)
    # Scheduler bookings also produce the normal event notifications.
    assert of(receiver, "event.created") and of(receiver, "event.deleted")


def test_event_calendar_grant_payloads(
    api: httpx.Client, receiver: Receiver, run_worker: Callable[..., None]
) -> None:
    created = api.post("/v3/webhooks", json={"trigger_types": ALL, "webhook_url": receiver.url})
    receiver.secret = created.json()["data"]["webhook_secret"]
    grant = connect(api, "owner@example.com")
    calendar = api.post(f"/v3/grants/{grant['id']}/calendars", json={"name": "Team"})
    assert calendar.status_code == 200, calendar.text
    calendar_id = calendar.json()["data"]["id"]
    renamed = api.put(
        f"/v3/grants/{grant['id']}/calendars/{calendar_id}", json={"name": "Team (renamed)"}
    )
    assert renamed.status_code == 200, renamed.text
    event = create_event(
        api,
        grant["id"],
        {"title": "Sync", "when": {"start_time": 1900000000, "end_time": 1900001800}},
        calendar_id,
    )
    updated = api.put(
        f"/v3/grants/{grant['id']}/events/{event['id']}",
        params={"calendar_id": calendar_id},
        json={"title": "Sync (moved)"},
    )
    assert updated.status_code == 200, updated.text
    deleted = api.delete(
        f"/v3/grants/{grant['id']}/events/{event['id']}", params={"calendar_id": calendar_id}
    )
    assert deleted.status_code == 200, deleted.text
    dropped = api.delete(f"/v3/grants/{grant['id']}/calendars/{calendar_id}")
    assert dropped.status_code == 200, dropped.text
    patched = api.patch(
        f"/v3/grants/{grant['id']}", json={"settings": {"email": "owner@example.com"}}
    )
    assert patched.status_code == 200, patched.text
    removed = api.delete(f"/v3/grants/{grant['id']}")
    assert removed.status_code == 200, removed.text
    run_worker(lambda: bool(of(receiver, "grant.deleted")))

    for received in receiver.received:
        check_envelope(received)
    for trigger in ("event.created", "event.updated"):
        objects = [o for o in of(receiver, trigger) if o["id"] == event["id"]]
        assert objects, trigger
        for obj in objects:
            assert {"id", "calendar_id", "object", "when", "grant_id"} <= set(obj)
            parsed = SdkEvent.from_dict(obj)
            assert parsed.id == event["id"] and parsed.calendar_id == calendar_id
    [gone] = [o for o in of(receiver, "event.deleted") if o["id"] == event["id"]]
    assert gone["object"] == "event" and gone["calendar_id"] == calendar_id
    assert gone["grant_id"] == grant["id"]
    for trigger in ("calendar.created", "calendar.updated"):
        objects = [o for o in of(receiver, trigger) if o["id"] == calendar_id]
        assert objects, trigger
        for obj in objects:
            assert obj["object"] == "calendar"
            assert SdkCalendar.from_dict(obj).id == calendar_id
    assert [o["id"] for o in of(receiver, "calendar.deleted")] == [calendar_id]
    [new_grant] = of(receiver, "grant.created")
    assert {"code", "grant_id", "integration_id", "provider", "email", "scope"} <= set(new_grant)
    assert new_grant["grant_id"] == grant["id"] and isinstance(new_grant["code"], int)
    sources = {r.body["source"] for r in receiver.received if r.type.startswith("grant.")}
    assert sources == {"/nylas/system"}
    assert of(receiver, "grant.updated") and of(receiver, "grant.deleted")
