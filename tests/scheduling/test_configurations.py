"""Configuration CRUD (reference §3): faithful objects, validation naming fields, cascade."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select

from slotwise.db.engine import Database
from slotwise.db.models import (
    Booking,
    Configuration,
    Event,
    Grant,
    ParticipantLock,
    SchedulingSession,
)
from tests.support.scheduling import (
    book,
    config_body,
    create_config,
    future_hour,
    make_grant,
    participant,
    round_robin,
)
from tests.support.server import LiveServer
from tests.support.waiting import HTTP_TIMEOUT

FULL_OBJECT = {
    "slug": "intro-call",
    "requires_session_auth": False,
    "name": "Intro with Ada",
    "appearance": {"company_name": "Acme", "color": "#112233"},
    "availability": {
        "duration_minutes": 30,
        "interval_minutes": 15,
        "round_to": 15,
        "availability_rules": {
            "availability_method": "collective",
            "buffer": {"before": 10, "after": 5},
            "default_open_hours": [
                {
                    "days": [1, 2, 3, 4, 5],
                    "timezone": "Europe/Berlin",
                    "start": "9:00",
                    "end": "17:00",
                    "exdates": ["2030-12-24"],
                }
            ],
            "tentative_as_busy": True,
        },
    },
    "event_booking": {
        "title": "Intro call",
        "description": "Let's talk",
        "location": "Online",
        "timezone": "Europe/Berlin",
        "booking_type": "booking",
        "conferencing": {"provider": "Zoom Meeting", "details": {"url": "https://z.example/1"}},
        "disable_emails": False,
        "reminders": [{"type": "email", "minutes_before_event": 60, "recipient": "guest"}],
    },
    "scheduler": {
        "available_days_in_future": 14,
        "min_booking_notice": 120,
        "min_cancellation_notice": 60,
        "cancellation_policy": "Cancel a day ahead.",
        "rescheduling_url": "https://pages.example/reschedule/:booking_ref",
        "cancellation_url": "https://pages.example/cancel/:booking_ref",
        "organizer_confirmation_url": "https://pages.example/confirm/:booking_ref",
        "hide_additional_guests": True,
        "additional_fields": {
            "company": {"label": "Company", "type": "text", "required": True, "order": 1},
            "size": {
                "label": "Team size",
                "type": "dropdown",
                "required": False,
                "options": ["1-10", "11-50"],
            },
        },
        "email_template": {"booking_confirmed": {"title": "See you"}},
    },
}


def _full(calendar_id: str) -> dict:
    body = dict(FULL_OBJECT)
    body["participants"] = [
        participant("ada@example.com", calendar_id, organizer=True, timezone="Europe/Berlin"),
        {"email": "observer@example.com", "name": "Observer"},
    ]
    return body


def test_create_returns_the_whole_object_faithfully(
    api: httpx.Client, ada: tuple[str, str]
) -> None:
    grant_id, calendar_id = ada
    body = _full(calendar_id)
    data = create_config(api, grant_id, body)
    uuid.UUID(data["id"])
    for key, value in body.items():
        if key == "participants":
            continue
        assert data[key] == value, key
    assert data["participants"][0] == body["participants"][0]
    # A notification-only participant still carries the keys every SDK requires.
    observer = data["participants"][1]
    assert observer["email"] == "observer@example.com"
    assert observer["availability"] == {"calendar_ids": []}
    assert "calendar_id" in observer["booking"]
    found = api.get(f"/v3/grants/{grant_id}/scheduling/configurations/{data['id']}").json()
    assert found["data"] == data


def test_grant_identified_by_email_and_listed_with_cursor(
    api: httpx.Client, ada: tuple[str, str]
) -> None:
    grant_id, calendar_id = ada
    ids = [
        create_config(
            api,
            "ada@example.com",
            config_body([participant("ada@example.com", calendar_id, organizer=True)]),
        )["id"]
        for _ in range(3)
    ]
    first = api.get(f"/v3/grants/{grant_id}/scheduling/configurations", params={"limit": 2}).json()
    assert len(first["data"]) == 2
    assert first["next_cursor"]
    second = api.get(
        f"/v3/grants/{grant_id}/scheduling/configurations",
        params={"limit": 2, "page_token": first["next_cursor"]},
    ).json()
    assert {c["id"] for c in first["data"] + second["data"]} == set(ids)
    assert second["next_cursor"] is None


def test_put_replaces_the_nested_objects_it_sends_and_keeps_the_rest(
    api: httpx.Client, ada: tuple[str, str]
) -> None:
    grant_id, calendar_id = ada
    data = create_config(api, grant_id, _full(calendar_id))
    url = f"/v3/grants/{grant_id}/scheduling/configurations/{data['id']}"
    response = api.put(url, json={"event_booking": {"title": "Renamed"}})
    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert updated["event_booking"] == {"title": "Renamed"}
    assert updated["scheduler"] == FULL_OBJECT["scheduler"]
    assert updated["availability"] == FULL_OBJECT["availability"]
    assert updated["slug"] == "intro-call"
    assert api.get(url).json()["data"] == updated


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b["availability"].update(duration_minutes=0), "availability.duration_minutes"),
        (lambda b: b["availability"].update(duration_minutes=32), "availability.duration_minutes"),
        (lambda b: b["availability"].pop("duration_minutes"), "availability.duration_minutes"),
        (lambda b: b["availability"].update(round_to=7), "availability.round_to"),
        (lambda b: b["availability"].update(interval_minutes=-5), "availability.interval_minutes"),
        (
            lambda b: b["availability"].update(availability_rules={"buffer": {"before": 125}}),
            "availability.availability_rules.buffer.before",
        ),
        (
            lambda b: b["availability"].update(availability_rules={"buffer": {"after": 7}}),
            "availability.availability_rules.buffer.after",
        ),
        (
            lambda b: b["availability"].update(
                availability_rules={"availability_method": "round-robin"}
            ),
            "availability.availability_rules.availability_method",
        ),
        (lambda b: b["event_booking"].pop("title"), "event_booking.title"),
        (lambda b: b["event_booking"].update(timezone="Mars/Base"), "event_booking.timezone"),
        (lambda b: b.update(scheduler={"min_booking_notice": -1}), "scheduler.min_booking_notice"),
        (
            lambda b: b.update(scheduler={"available_days_in_future": 0}),
            "scheduler.available_days_in_future",
        ),
        (
            lambda b: b.update(
                scheduler={
                    "additional_fields": {"x": {"label": "X", "type": "dropdown", "required": True}}
                }
            ),
            "scheduler.additional_fields.x.options",
        ),
        (
            lambda b: b.update(
                scheduler={
                    "additional_fields": {"x": {"label": "X", "type": "colour", "required": True}}
                }
            ),
            "scheduler.additional_fields.x.type",
        ),
        (
            lambda b: b.update(
                scheduler={"additional_fields": {"x": {"type": "text", "required": True}}}
            ),
            "scheduler.additional_fields.x.label",
        ),
        (
            lambda b: b["event_booking"].update(reminders=[{"type": "email"}]),
            "event_booking.reminders[0].minutes_before_event",
        ),
        (lambda b: b["participants"][0].pop("is_organizer"), "participants"),
        (
            lambda b: b["participants"].append(
                {"email": "stranger@example.com", "availability": {"calendar_ids": ["primary"]}}
            ),
            "participants[1].email",
        ),
        (
            lambda b: b["participants"][0]["booking"].update(calendar_id="nope"),
            "participants[0].booking.calendar_id",
        ),
        (
            lambda b: b["participants"][0]["availability"].update(
                open_hours=[{"days": [9], "start": "9:00", "end": "17:00", "timezone": "UTC"}]
            ),
            "participants[0].availability.open_hours[0].days",
        ),
        (
            lambda b: b["participants"][0]["availability"].update(
                open_hours=[{"days": [1], "start": "9:00", "end": "8:00", "timezone": "UTC"}]
            ),
            "participants[0].availability.open_hours[0].end",
        ),
        (lambda b: b.update(slug="has space"), "slug"),
    ],
)
def test_invalid_configurations_name_the_field(
    api: httpx.Client, ada: tuple[str, str], mutate: Callable[[dict], None], field: str
) -> None:
    grant_id, calendar_id = ada
    body = config_body([participant("ada@example.com", calendar_id, organizer=True)])
    mutate(body)
    response = api.post(f"/v3/grants/{grant_id}/scheduling/configurations", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith(field + ":"), error["message"]


def test_round_robin_needs_no_organizer(
    api: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    grant_id, calendar_id = ada
    _, other_calendar = make_grant(db, "bob@example.com")
    body = round_robin(
        config_body(
            [
                participant("ada@example.com", calendar_id),
                participant("bob@example.com", other_calendar),
            ]
        )
    )
    data = create_config(api, grant_id, body)
    assert data["availability"]["availability_rules"]["availability_method"] == "max-availability"


def test_node_style_snake_cased_user_keys_are_kept(api: httpx.Client, ada: tuple[str, str]) -> None:
    grant_id, calendar_id = ada
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        appearance={"company_name": "Acme"},
        scheduler={
            "additional_fields": {"my_key": {"label": "Mine", "type": "text", "required": False}}
        },
    )
    data = create_config(api, grant_id, body)
    assert data["appearance"] == {"company_name": "Acme"}
    assert list(data["scheduler"]["additional_fields"]) == ["my_key"]


def test_slug_is_unique(api: httpx.Client, ada: tuple[str, str]) -> None:
    grant_id, calendar_id = ada
    body = config_body([participant("ada@example.com", calendar_id, organizer=True)], slug="mine")
    create_config(api, grant_id, body)
    response = api.post(f"/v3/grants/{grant_id}/scheduling/configurations", json=body)
    assert response.status_code == 409
    assert response.json()["error"]["message"].startswith("slug:")


def test_other_grants_configuration_is_not_found(
    api: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    grant_id, calendar_id = ada
    other_grant, _ = make_grant(db, "eve@example.com")
    data = create_config(
        api, grant_id, config_body([participant("ada@example.com", calendar_id, organizer=True)])
    )
    response = api.get(f"/v3/grants/{other_grant}/scheduling/configurations/{data['id']}")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"


def test_delete_and_auth(api: httpx.Client, server: LiveServer, ada: tuple[str, str]) -> None:
    grant_id, calendar_id = ada
    data = create_config(
        api, grant_id, config_body([participant("ada@example.com", calendar_id, organizer=True)])
    )
    url = f"/v3/grants/{grant_id}/scheduling/configurations/{data['id']}"
    assert httpx.get(server.url + url, timeout=HTTP_TIMEOUT).status_code == 401
    response = api.delete(url)
    assert response.status_code == 200
    assert set(response.json()) == {"request_id"}
    assert api.get(url).status_code == 404


def test_malformed_json_is_a_400(api: httpx.Client, ada: tuple[str, str]) -> None:
    grant_id, _ = ada
    response = api.post(
        f"/v3/grants/{grant_id}/scheduling/configurations",
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_deleting_a_grant_leaves_no_orphans(
    api: httpx.Client, db: Database, ada: tuple[str, str]
) -> None:
    grant_id, calendar_id = ada
    data = create_config(
        api, grant_id, config_body([participant("ada@example.com", calendar_id, organizer=True)])
    )
    session_body = {"configuration_id": data["id"]}
    assert api.post("/v3/scheduling/sessions", json=session_body).status_code == 200
    assert book(api, data["id"], future_hour(2, 10)).status_code == 200
    assert api.delete(f"/v3/grants/{grant_id}").status_code == 200
    with db.session(write=False) as session:
        assert session.get(Grant, grant_id) is None
        for model in (Configuration, SchedulingSession, Booking, ParticipantLock, Event):
            assert session.scalar(select(func.count()).select_from(model)) == 0
