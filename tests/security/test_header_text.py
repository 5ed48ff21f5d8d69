"""Names, addresses and every text that reaches an email header or another person's screen:
control characters, line and paragraph separators and bidi controls are a 400 naming the
field, on every way in (bookings API, hosted form, configurations, grants)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from slotwise.db.engine import Database
from slotwise.db.models import Booking
from tests.support.scheduling import book, config_body, future_hour, make_grant, participant

BAD_LINES = [
    "Eve\r\nBcc: x@example.com",
    "Eve\nX",
    "Eve\x00",
    "Eve\x85",  # C1 next-line
    "Eve\x1b[31m",
    "Eve\x7f",
    "Eve\u2028x",
    "Eve\u2029x",
    "\u202eevE",
    "Eve\u2066x\u2069",
    "Eve\ud800",
]


def _bookings(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(Booking)) or 0)


def _raw_post(client: httpx.Client, url: str, params: dict, body: dict) -> httpx.Response:
    # json.dumps writes lone surrogates as \ud800 escapes, as a hostile client would.
    return client.post(
        url,
        params=params,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )


@pytest.mark.parametrize("name", BAD_LINES)
def test_guest_names_with_controls_are_refused(
    guest: httpx.Client, db: Database, make_config: Callable[..., Any], name: str
) -> None:
    config = make_config()
    start = future_hour(2, 10)
    cases: dict[str, dict[str, Any]] = {
        "guest.name": {"guest": {"email": "eve@example.com", "name": name}},
        "additional_guests[0].name": {
            "guest": {"email": "eve@example.com", "name": "Eve"},
            "additional_guests": [{"email": "f@example.com", "name": name}],
        },
    }
    for field, extra in cases.items():
        body = {"start_time": start, "end_time": start + 1800, **extra}
        response = _raw_post(
            guest, "/v3/scheduling/bookings", {"configuration_id": config["id"]}, body
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["message"].startswith(field), response.text
    assert _bookings(db) == 0


@pytest.mark.parametrize(
    "email",
    [
        "eve@example.com\r\nBcc: x@example.com",
        "eve@example.com\nx",
        "ｅve@example.com",  # fullwidth: another address that reads the same
        "eve@exam\u202eple.com",
        "eve@example.com, mallory@example.com",
        "<eve@example.com>",
        "eve\x00@example.com",
    ],
)
def test_guest_emails_must_be_plain(
    guest: httpx.Client, db: Database, make_config: Callable[..., Any], email: str
) -> None:
    config = make_config()
    start = future_hour(2, 10)
    cases: dict[str, dict[str, Any]] = {
        "guest.email": {"guest": {"email": email, "name": "Eve"}},
        "additional_guests[0].email": {
            "guest": {"email": "eve@example.com", "name": "Eve"},
            "additional_guests": [{"email": email}],
        },
    }
    for field, extra in cases.items():
        body = {"start_time": start, "end_time": start + 1800, **extra}
        response = _raw_post(
            guest, "/v3/scheduling/bookings", {"configuration_id": config["id"]}, body
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["message"].startswith(field), response.text
    assert _bookings(db) == 0


def test_answers_follow_their_field_type(
    guest: httpx.Client, db: Database, make_config: Callable[..., Any]
) -> None:
    fields = {
        "company": {"label": "Company", "type": "text", "required": False},
        "notes": {"label": "Notes", "type": "multi_line_text", "required": False},
    }
    config = make_config(scheduler={"additional_fields": fields})
    one_line = book(
        guest, config["id"], future_hour(2, 10), additional_fields={"company": "A\r\nBcc: x"}
    )
    assert one_line.status_code == 400, one_line.text
    assert one_line.json()["error"]["message"].startswith("additional_fields.company")
    lines = book(
        guest,
        config["id"],
        future_hour(2, 10),
        additional_fields={"notes": "first line\nsecond line"},
        guest={"email": "grace@example.com", "name": "Grace Hopper"},
    )
    assert lines.status_code == 200, lines.text
    nul = book(guest, config["id"], future_hour(2, 11), additional_fields={"notes": "a\x00"})
    assert nul.status_code == 400
    assert nul.json()["error"]["message"].startswith("additional_fields.notes")


def test_the_hosted_form_refuses_them_too(
    guest: httpx.Client, db: Database, make_config: Callable[..., Any]
) -> None:
    make_config(slug="page")
    form = {"start": str(future_hour(2, 10)), "tz": "UTC", "guest_email": "eve@example.com"}
    page = guest.post("/book/page", data={**form, "guest_name": "Eve\u2028Bcc: x"})
    assert page.status_code == 400, page.text[:300]
    assert "Your name" in page.text
    assert _bookings(db) == 0


CONFIG_FIELDS = [
    ("participants[0].name", lambda b, v: b["participants"][0].update(name=v)),
    (
        "participants[0].email",
        lambda b, v: b["participants"][0].update(email="ada@example.com" + v),
    ),
    ("event_booking.title", lambda b, v: b["event_booking"].update(title=v)),
    ("event_booking.location", lambda b, v: b["event_booking"].update(location=v)),
    (
        "event_booking.reminders[0].email_subject",
        lambda b, v: b["event_booking"].update(
            reminders=[{"type": "email", "minutes_before_event": 10, "email_subject": v}]
        ),
    ),
    (
        "scheduler.email_template.booking_confirmed.title",
        lambda b, v: b["scheduler"].update(email_template={"booking_confirmed": {"title": v}}),
    ),
    (
        "scheduler.additional_fields.company.label",
        lambda b, v: b["scheduler"].update(
            additional_fields={"company": {"label": v, "type": "text", "required": False}}
        ),
    ),
    ("name", lambda b, v: b.update(name=v)),
    ("appearance.company_name", lambda b, v: b.update(appearance={"company_name": v})),
]


@pytest.mark.parametrize(("field", "put"), CONFIG_FIELDS, ids=[f for f, _ in CONFIG_FIELDS])
def test_configuration_text_is_checked(
    api: httpx.Client, db: Database, field: str, put: Callable[[dict, str], None]
) -> None:
    grant_id, calendar_id = make_grant(db, "ada@example.com")
    for value in ("A\r\nBcc: x@example.com", "A\u202eB", "A\u2029B"):
        body = config_body([participant("ada@example.com", calendar_id, organizer=True)])
        put(body, value)
        response = api.post(f"/v3/grants/{grant_id}/scheduling/configurations", json=body)
        assert response.status_code == 400, (value, response.text)
        assert response.json()["error"]["message"].startswith(field), response.text


def test_free_text_keeps_its_line_breaks(api: httpx.Client, db: Database) -> None:
    grant_id, calendar_id = make_grant(db, "ada@example.com")
    body = config_body([participant("ada@example.com", calendar_id, organizer=True)])
    body["event_booking"]["description"] = "Agenda:\n- intro\n- questions"
    body["scheduler"]["cancellation_policy"] = "Cancel a day ahead.\r\nThanks!"
    response = api.post(f"/v3/grants/{grant_id}/scheduling/configurations", json=body)
    assert response.status_code == 200, response.text
    body["event_booking"]["description"] = "bad\x00"
    response = api.post(f"/v3/grants/{grant_id}/scheduling/configurations", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("event_booking.description")


def test_grant_names_are_one_line(api: httpx.Client) -> None:
    response = api.post(
        "/v3/connect/custom",
        json={
            "provider": "virtual-calendar",
            "settings": {"email": "eve@example.com", "name": "Eve\r\nBcc: x"},
        },
    )
    assert response.status_code == 400, response.text
    assert "settings.name" in response.json()["error"]["message"]
