"""A corpus of hostile text through every public route: bookings, availability, ui-settings,
sessions and the hosted pages. Every one is a 4xx (naming the field where there is one),
nothing is stored, nothing is a 5xx, and afterwards the worker still delivers a good
booking's email."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import func, select

from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.models import Booking, OutboxMessage, SchedulingSession
from tests.notifications.smtp import SmtpServer
from tests.support.scheduling import book, future_hour

HOSTILE = {
    "crlf": "Eve\r\nBcc: mallory@example.com",
    "rtl_override": "\u202egnp.exe",
    "isolate": "Eve\u2066x\u2069",
    "nul": "Eve\x00",
    "lone_surrogate": "Eve\ud800",
    "c1_next_line": "Eve\x85Bcc: x",
    "line_separator": "Eve\u2028Bcc: x",
    "escape": "Eve\x1b[2J",
}
# An address that reads like eve@example.com but is another one.
LOOKALIKE_EMAILS = ["ｅve@example.com", "eve@ex\u0430mple.com", "eve@exa\u200bmple.com"]
TEN_MB = "A" * (10 * 1024 * 1024)
# Free text (a cancellation reason) may hold line breaks and bidi controls (docs/security.md).
FREE_TEXT_OK = ("crlf", "rtl_override", "isolate", "line_separator")


def _count(db: Database, model: type) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _stored(db: Database) -> tuple[int, int]:
    return _count(db, Booking), _count(db, OutboxMessage)


def _post_json(client: httpx.Client, url: str, params: dict, body: object) -> httpx.Response:
    # json.dumps writes NUL and lone surrogates as \\u escapes, as a hostile client would.
    return client.post(
        url, params=params, content=json.dumps(body), headers={"content-type": "application/json"}
    )


def _query(params: Mapping[str, object]) -> str:
    # Percent-encoded by hand: httpx refuses to encode a lone surrogate, a hostile client won't.
    return "&".join(
        f"{k}={quote(str(v).encode('utf-8', 'surrogatepass'), safe='')}" for k, v in params.items()
    )


def _booking_body(start: int, field: str, value: str) -> tuple[str, dict]:
    body: dict = {
        "start_time": start,
        "end_time": start + 1800,
        "guest": {"email": "eve@example.com", "name": "Eve"},
        "additional_fields": {"company": "Acme"},
    }
    if field == "guest.name":
        body["guest"]["name"] = value
    elif field == "guest.email":
        body["guest"]["email"] = value
    elif field == "additional_guests[0].name":
        body["additional_guests"] = [{"email": "f@example.com", "name": value}]
    elif field == "additional_guests[0].email":
        body["additional_guests"] = [{"email": value}]
    elif field == "additional_fields.company":
        body["additional_fields"] = {"company": value}
    elif field == "participants[0].email":
        body["participants"] = [{"email": value}]
    else:
        body[field] = value
    return field, body


BOOKING_FIELDS = [
    "guest.name",
    "guest.email",
    "additional_guests[0].name",
    "additional_guests[0].email",
    "additional_fields.company",
    "participants[0].email",
    "timezone",
    "email_language",
]
FIELDS = {"company": {"label": "Company", "type": "text", "required": False}}


@pytest.fixture
def page(make_config: Callable[..., Any]) -> dict:
    return make_config(slug="page", scheduler={"additional_fields": FIELDS})


def test_bookings_api(guest: httpx.Client, db: Database, page: dict) -> None:
    start = future_hour(2, 10)
    params = {"configuration_id": page["id"]}
    for name, value in HOSTILE.items():
        for field in BOOKING_FIELDS:
            _, body = _booking_body(start, field, value)
            response = _post_json(guest, "/v3/scheduling/bookings", params, body)
            assert response.status_code == 400, (name, field, response.text)
            assert response.json()["error"]["message"].startswith(field), (name, response.text)
    for value in LOOKALIKE_EMAILS:
        for field in ("guest.email", "additional_guests[0].email", "participants[0].email"):
            _, body = _booking_body(start, field, value)
            response = _post_json(guest, "/v3/scheduling/bookings", params, body)
            assert response.status_code == 400, (value, field, response.text)
            assert response.json()["error"]["message"].startswith(field)
    huge = _post_json(
        guest, "/v3/scheduling/bookings", params, _booking_body(start, "guest.name", TEN_MB)[1]
    )
    assert huge.status_code == 413, huge.text[:300]
    assert _stored(db) == (0, 0)


def test_booking_changes(guest: httpx.Client, db: Database, page: dict) -> None:
    created = book(guest, page["id"], future_hour(2, 10)).json()["data"]
    url = f"/v3/scheduling/bookings/{created['booking_id']}"
    params = {"configuration_id": page["id"]}
    before = _stored(db)
    for name, value in HOSTILE.items():
        for method, body in (
            ("DELETE", {"cancellation_reason": value}),
            ("PATCH", {"start_time": value, "end_time": value}),
            ("PUT", {"salt": value, "status": "confirmed"}),
        ):
            if method == "DELETE" and name in FREE_TEXT_OK:
                continue  # free text: a reason may hold line breaks and bidi controls
            response = guest.request(
                method,
                url,
                params=params,
                content=json.dumps(body),
                headers={"content-type": "application/json"},
            )
            assert response.status_code == 400, (name, method, response.text)
            message = response.json()["error"]["message"]
            assert message.startswith(tuple(body)), response.text
        assert _stored(db) == before


def test_availability_ui_settings_and_sessions(
    guest: httpx.Client, api: httpx.Client, db: Database, page: dict
) -> None:
    window = {"start_time": future_hour(1, 0), "end_time": future_hour(2, 0)}
    for value in [*HOSTILE.values(), "ｐage", "PAGE", "page\u200b", "x" * 20_000]:
        for path in ("/v3/scheduling/availability", "/v3/scheduling/ui-settings"):
            for key in ("configuration_id", "slug"):
                response = guest.get(f"{path}?{_query({**window, key: value})}")
                assert 400 <= response.status_code < 500, (path, key, value[:20], response.text)
                assert response.json()["error"]["type"]
            bad_time = guest.get(
                f"{path}?{_query({**window, 'configuration_id': page['id'], 'start_time': value})}"
            )
            assert bad_time.status_code < 500, bad_time.text
        for body in ({"configuration_id": value}, {"slug": value}):
            response = _post_json(api, "/v3/scheduling/sessions", {}, body)
            assert 400 <= response.status_code < 500, (body, response.text)
        ttl = _post_json(
            api,
            "/v3/scheduling/sessions",
            {},
            {"configuration_id": page["id"], "time_to_live": value},
        )
        assert ttl.status_code == 400, ttl.text
    assert _count(db, SchedulingSession) == 0


def test_hosted_pages(guest: httpx.Client, db: Database, page: dict) -> None:
    start = str(future_hour(2, 10))
    good = {"start": start, "tz": "UTC", "guest_name": "Eve", "guest_email": "eve@example.com"}
    for name, value in HOSTILE.items():
        quoted = quote(value.encode("utf-8", "surrogatepass"), safe="")
        for path in (
            f"/book/{quoted}",
            f"/bookings/{quoted}",
            f"/scheduling/organizer-confirmation/{quoted}",
        ):
            assert guest.get(path).status_code in (400, 404), (name, path)
        listing = guest.get(f"/book/page?{_query({'tz': value, 'from': value, 'start': value})}")
        assert listing.status_code == 200, (name, listing.text[:200])
        assert value not in listing.text
        for field in ("guest_name", "guest_email", "field.company"):
            form = {**good, field: value}
            response = guest.post(
                "/book/page",
                content=_query(form),
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
            assert response.status_code == 400, (name, field, response.text[:300])
    for slug in ("ｐage", "PAGE", "page%E2%80%8B"):
        assert guest.get(f"/book/{slug}").status_code == 404
    huge = guest.post("/book/page", data={**good, "guest_name": TEN_MB})
    assert huge.status_code == 413
    assert _stored(db) == (0, 0)


def test_the_worker_keeps_delivering_after_the_corpus(
    guest: httpx.Client,
    db: Database,
    page: dict,
    settings: Settings,
    run_worker: Callable[..., None],
) -> None:
    start = future_hour(2, 10)
    params = {"configuration_id": page["id"]}
    for value in HOSTILE.values():
        for field in ("guest.name", "additional_guests[0].name", "timezone"):
            response = _post_json(
                guest, "/v3/scheduling/bookings", params, _booking_body(start, field, value)[1]
            )
            assert response.status_code == 400
    smtp = SmtpServer().start()
    try:
        good = book(guest, page["id"], start, guest={"email": "grace@example.com", "name": "Grace"})
        assert good.status_code == 200, good.text
        mail = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
        run_worker(
            lambda: any("grace@example.com" in to for to, _ in smtp.mailbox.messages),
            settings_=mail,
        )
        [(_, message)] = [(to, m) for to, m in smtp.mailbox.messages if "grace@example.com" in to]
        assert "Intro call" in str(message["subject"])
    finally:
        smtp.stop()
