"""The hosted pages over real HTTP: booking, manage (reschedule, cancel), organizer confirmation."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from slotwise import clock
from slotwise.db.engine import Database
from slotwise.db.models import OutboxMessage
from slotwise.ids import decode_booking_ref, encode_booking_ref
from tests.support.scheduling import DAY, HOUR, book, future_hour
from tests.support.server import LiveServer

FIELDS = {
    "company": {"label": "Company", "type": "text", "required": True, "order": 1},
    "topic": {
        "label": "Topic",
        "type": "dropdown",
        "required": False,
        "options": ["Sales", "Support"],
        "order": 2,
    },
    "agree": {"label": "I agree", "type": "checkbox", "required": False, "order": 3},
    "internal": {"label": "Source", "type": "metadata", "required": False},
}


def _html(response: httpx.Response, status: int = 200) -> str:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert "request_id" not in response.text
    return response.text


def _form(start: int, **extra: str) -> dict[str, str]:
    data = {
        "start": str(start),
        "tz": "Europe/Berlin",
        "guest_name": "Grace Hopper",
        "guest_email": "grace@example.com",
        "field.company": "Navy",
    }
    data.update(extra)
    return data


def _book(web: httpx.Client, name: str, start: int, **extra: str) -> str:
    """Book through the page; return the booking_ref from the redirect."""
    response = web.post(f"/book/{name}", data=_form(start, **extra))
    assert response.status_code == 303, response.text[:500]
    location = urlsplit(response.headers["location"])
    assert location.path.startswith("/bookings/")
    assert parse_qs(location.query)["done"] == ["booked"]
    return location.path.removeprefix("/bookings/")


def _booking(api: httpx.Client, ref: str) -> dict:
    parts = decode_booking_ref(ref)
    assert parts is not None
    response = api.get(
        f"/v3/scheduling/bookings/{parts.booking_id}",
        params={"configuration_id": parts.configuration_id},
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def _outbox(db: Database) -> list[OutboxMessage]:
    with db.session(write=False) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


# -- booking page --------------------------------------------------------------------------------


def test_booking_page_lists_slots_by_local_day(
    web: httpx.Client, make_page: Callable[..., Any]
) -> None:
    config = make_page(
        slug="intro",
        event_booking={"description": "A first chat.", "location": "Video call"},
    )
    start = future_hour(2, 10)
    page = _html(web.get("/book/intro", params={"tz": "UTC"}))
    assert "Intro call" in page and "30 minutes" in page and "Ada Lovelace" in page
    assert "A first chat." in page and "Video call" in page
    day = datetime.fromtimestamp(start, UTC)
    year = "" if day.year == datetime.now(UTC).year else f", {day.year}"
    assert f"{day:%A}, {day:%B} {day.day}{year}" in page  # no Accept-Language: en-US
    assert f"start={start}" in page
    assert '<option value="Europe/Berlin">' in page
    assert '<option value="UTC" selected>' in page
    # By id as well, and in another zone the same slot reads 11:00 or 12:00.
    by_id = _html(web.get(f"/book/{config['id']}", params={"tz": "Europe/Berlin"}))
    assert f"start={start}" in by_id
    assert '<option value="Europe/Berlin" selected>' in by_id
    slot = re.search(rf"start={start}[^>]*>([0-9:]+ [AP]M)<", by_id)
    assert slot is not None and slot.group(1) in {"11:00 AM", "12:00 PM"}  # en-US: 12-hour
    params = {"tz": "Europe/Berlin", "clock": "24"}
    on_24 = _html(web.get(f"/book/{config['id']}", params=params))
    slot = re.search(rf"start={start}[^>]*>([0-9:]+)<", on_24)
    assert slot is not None and slot.group(1) in {"11:00", "12:00"}
    assert "clock=24" in slot.group(0)  # the choice follows the guest to the form
    german = _html(
        web.get(
            f"/book/{config['id']}",
            params={"tz": "Europe/Berlin"},
            headers={"Accept-Language": "de-DE,de;q=0.9"},
        )
    )
    slot = re.search(rf"start={start}[^>]*>([0-9:]+)<", german)
    assert slot is not None and slot.group(1) in {"11:00", "12:00"}  # de: 24-hour


def test_zone_defaults_to_the_configuration_and_unknown_zones_fall_back(
    web: httpx.Client, make_page: Callable[..., Any]
) -> None:
    make_page(slug="tokyo", event_booking={"timezone": "Asia/Tokyo"})
    page = _html(web.get("/book/tokyo"))
    assert '<option value="Asia/Tokyo" selected>' in page
    assert 'data-auto="1"' in page  # the script may switch to the browser's zone
    odd = _html(web.get("/book/tokyo", params={"tz": "Mars/Olympus"}))
    assert '<option value="Asia/Tokyo" selected>' in odd
    assert 'data-auto="1"' not in odd
    # A valid zone outside the common list is offered too.
    rare = _html(web.get("/book/tokyo", params={"tz": "Asia/Kathmandu"}))
    assert '<option value="Asia/Kathmandu" selected>' in rare


def test_week_paging(web: httpx.Client, make_page: Callable[..., Any]) -> None:
    make_page(slug="weeks", scheduler={"available_days_in_future": 10})
    first = _html(web.get("/book/weeks", params={"tz": "UTC"}))
    assert 'rel="prev"' not in first
    following = re.search(r'href="([^"]+)" rel="next"', first)
    assert following is not None
    second = _html(web.get(following.group(1).replace("&amp;", "&")))
    # Ten days ahead: the second week is the last one.
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "No free times" not in second
    day = date.fromordinal(datetime.now(UTC).date().toordinal() + 14).isoformat()
    beyond = _html(web.get("/book/weeks", params={"tz": "UTC", "from": day}))
    assert "No free times in these days." in beyond
    assert 'rel="next"' not in beyond
    garbage = _html(web.get("/book/weeks", params={"from": "not-a-date", "start": "soon"}))
    assert "Pick a time" in garbage


def test_private_and_unknown_pages_are_html_404(
    web: httpx.Client, make_page: Callable[..., Any]
) -> None:
    config = make_page(slug="private", requires_session_auth=True)
    for path in ("/book/private", f"/book/{config['id']}", "/book/nope", "/book/" + "x" * 500):
        _html(web.get(path), 404)
    _html(web.post("/book/private", data=_form(future_hour(2, 10))), 404)
    _html(web.get("/book"), 404)
    _html(web.get("/bookings/"), 404)
    _html(web.put("/book/private"), 405)
    nul = web.get("/book/a%00b")  # PostgreSQL refuses NUL in a query: still an HTML page
    assert nul.status_code in {400, 404}
    _html(nul, nul.status_code)


def test_form_shows_additional_fields(web: httpx.Client, make_page: Callable[..., Any]) -> None:
    make_page(slug="fields", scheduler={"additional_fields": FIELDS})
    start = future_hour(2, 10)
    page = _html(web.get("/book/fields", params={"tz": "UTC", "start": start}))
    assert 'name="field.company"' in page and "required" in page
    assert '<option value="Sales">' in page
    assert 'name="field.agree" value="true"' in page
    assert "field.internal" not in page
    assert page.index("Company") < page.index("Topic") < page.index("I agree")
    off_grid = _html(web.get("/book/fields", params={"tz": "UTC", "start": start + 7}))
    assert "not one of the times this page offers" in off_grid
    past = _html(web.get("/book/fields", params={"tz": "UTC", "start": start - 3 * DAY}))
    assert "not available any more" in past


def test_confirmation_email_promised_only_when_one_is_sent(
    web: httpx.Client,
    server: LiveServer,
    db: Database,
    make_page: Callable[..., Any],
    new_client: Callable[..., httpx.Client],
) -> None:
    make_page(slug="plain")
    make_page(slug="quiet", event_booking={"disable_emails": True})
    start = future_hour(2, 10)
    plain, quiet = _book(web, "plain", start), _book(web, "quiet", start + HOUR)

    # No SMTP host (the demo's case): the page must not promise an email.
    page = _html(web.get(f"/bookings/{plain}", params={"done": "booked"}))
    assert "You’re booked" in page and "on its way" not in page
    assert f"/bookings/{plain}" in page

    mail = LiveServer(dataclasses.replace(server.settings, smtp_host="127.0.0.1"), db).start()
    try:
        with new_client(mail.url) as client:
            page = _html(client.get(f"/bookings/{plain}", params={"done": "booked"}))
            assert "A confirmation is on its way to grace@example.com" in page
            page = _html(client.get(f"/bookings/{quiet}", params={"done": "booked"}))
            assert "on its way" not in page
    finally:
        mail.stop()


def test_booking_through_the_page(
    web: httpx.Client, api: httpx.Client, db: Database, make_page: Callable[..., Any]
) -> None:
    make_page(slug="book-me", scheduler={"additional_fields": FIELDS})
    start = future_hour(2, 10)
    ref = _book(web, "book-me", start, **{"field.topic": "Support", "field.agree": "true"})
    booking = _booking(api, ref)
    assert booking["status"] == "booked"
    assert booking["start_time"] == start and booking["end_time"] == start + 1800
    assert booking["guest"] == {"email": "grace@example.com", "name": "Grace Hopper"}
    assert booking["additional_fields"] == {"company": "Navy", "topic": "Support", "agree": True}

    page = _html(web.get(f"/bookings/{ref}", params={"tz": "Europe/Berlin", "done": "booked"}))
    assert "You’re booked" in page
    assert f"/bookings/{ref}" in page
    assert "(Europe/Berlin)" in page
    assert "Navy" in page

    [message] = [m for m in _outbox(db) if m.trigger == "booking.created"]
    info = message.payload["booking_info"]
    assert info["guest_timezone"] == "Europe/Berlin"
    # No URL templates in the configuration: the links point to the hosted manage page.
    assert info["participant_rescheduling_url"] == f"http://127.0.0.1:8000/bookings/{ref}"
    assert info["participant_cancellation_url"] == f"http://127.0.0.1:8000/bookings/{ref}"


def test_taken_slot_shows_a_friendly_message_and_fresh_slots(
    web: httpx.Client,
    server: LiveServer,
    make_page: Callable[..., Any],
    new_client: Callable[..., httpx.Client],
) -> None:
    config = make_page(slug="busy")
    start = future_hour(2, 10)
    assert book(new_client(server.url), config["id"], start).status_code == 200
    page = _html(web.post("/book/busy", data=_form(start)), 409)
    assert "just taken" in page
    assert f"start={start}&" not in page.replace("&amp;", "&")
    assert f"start={start + 1800}" in page  # the next slot is still offered


def test_invalid_input_keeps_the_form(web: httpx.Client, make_page: Callable[..., Any]) -> None:
    make_page(slug="check", scheduler={"additional_fields": FIELDS})
    start = future_hour(2, 10)
    missing = _html(web.post("/book/check", data=_form(start, **{"field.company": ""})), 400)
    assert "Company: is required" in missing
    assert 'value="Grace Hopper"' in missing
    bad_email = _html(web.post("/book/check", data=_form(start, guest_email="nope")), 400)
    assert "Your email:" in bad_email
    for odd in ("soon", "99999999999999999999", "-5", "1e9"):
        no_start = _html(web.post("/book/check", data={**_form(start), "start": odd}), 409)
        assert "not one of the times this page offers" in no_start
        _html(web.get("/book/check", params={"start": odd}))
    far = _html(web.post("/book/check", data=_form(start + 400 * DAY, guest_name="")), 400)
    assert "Your name: is required" in far
    _html(web.post("/book/check", content=b"\xff\xfe", headers={"content-type": "text/plain"}), 400)
    _html(web.post("/book/check", data=_form(start, guest_name="a\x00b")), 400)


def test_escaping(web: httpx.Client, make_page: Callable[..., Any]) -> None:
    make_page(slug="xss", event_booking={"title": "<script>alert(1)</script>"})
    page = _html(web.get("/book/xss"))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_confirmation_redirect_url(web: httpx.Client, make_page: Callable[..., Any]) -> None:
    make_page(slug="away", scheduler={"confirmation_redirect_url": "https://example.com/thanks"})
    response = web.post("/book/away", data=_form(future_hour(2, 10)))
    assert response.status_code == 303
    assert response.headers["location"] == "https://example.com/thanks"


def test_foreign_origin_is_refused(web: httpx.Client, make_page: Callable[..., Any]) -> None:
    make_page(slug="origin")
    start = future_hour(2, 10)
    for headers in (
        {"origin": "https://evil.example"},
        {"sec-fetch-site": "cross-site", "origin": "null"},
        {"sec-fetch-site": "same-site"},
    ):
        _html(web.post("/book/origin", data=_form(start), headers=headers), 403)
    own = f"http://{web.base_url.netloc.decode()}"
    same = web.post("/book/origin", data=_form(start), headers={"origin": own})
    assert same.status_code == 303
    also = web.post(
        "/book/origin", data=_form(start + 3600), headers={"sec-fetch-site": "same-origin"}
    )
    assert also.status_code == 303


def test_pages_carry_security_headers_and_the_stylesheet_is_served(
    web: httpx.Client, make_page: Callable[..., Any]
) -> None:
    make_page(slug="heads")
    response = web.get("/book/heads")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    css = web.get("/static/slotwise.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert web.get("/static/pages.js").status_code == 200
    _html(web.get("/static/missing.css"), 404)
    assert web.head("/book/heads").status_code == 200


# -- manage page ---------------------------------------------------------------------------------


def test_bad_refs_are_404(web: httpx.Client, make_page: Callable[..., Any]) -> None:
    make_page(slug="refs")
    ref = _book(web, "refs", future_hour(2, 10))
    parts = decode_booking_ref(ref)
    assert parts is not None
    wrong_salt = encode_booking_ref(
        parts.configuration_id, parts.booking_id, "AAAAAAAAAAAAAAAAAAAAAA"
    )
    wrong_config = encode_booking_ref(
        "00000000-0000-4000-8000-000000000000", parts.booking_id, parts.salt
    )
    for bad in (wrong_salt, wrong_config, "garbage", "%00", "A" * 300):
        _html(web.get(f"/bookings/{bad}"), 404)
        _html(web.get(f"/scheduling/organizer-confirmation/{bad}"), 404)
        _html(web.post(f"/bookings/{bad}/cancel", data={"reason": "x"}), 404)
    _html(web.get(f"/bookings/{ref}"))


def test_reschedule_and_cancel(
    web: httpx.Client,
    api: httpx.Client,
    server: LiveServer,
    make_page: Callable[..., Any],
    new_client: Callable[..., httpx.Client],
) -> None:
    config = make_page(
        slug="manage", scheduler={"cancellation_policy": "Please give a day's notice."}
    )
    start = future_hour(2, 10)
    ref = _book(web, "manage", start)
    page = _html(web.get(f"/bookings/{ref}", params={"tz": "UTC"}))
    assert "Please give a day" in page
    assert "step=reschedule" in page and "step=cancel" in page  # each is its own step
    assert "start=" not in page
    page = _html(web.get(f"/bookings/{ref}", params={"tz": "UTC", "step": "reschedule"}))
    assert f"start={start}&" not in page.replace("&amp;", "&")  # its own time is not offered
    assert f"start={start + 2 * HOUR}" in page
    # Choosing a slot asks for confirmation and changes nothing yet.
    chosen = _html(web.get(f"/bookings/{ref}", params={"tz": "UTC", "start": start + 2 * HOUR}))
    assert "Move my booking" in chosen
    assert _booking(api, ref)["start_time"] == start

    moved = web.post(f"/bookings/{ref}/reschedule", data={"start": start + 2 * HOUR, "tz": "UTC"})
    assert moved.status_code == 303
    assert "done=rescheduled" in moved.headers["location"]
    assert _booking(api, ref)["start_time"] == start + 2 * HOUR

    # A slot someone else took in the meantime.
    assert book(new_client(server.url), config["id"], start + 4 * HOUR).status_code == 200
    taken = web.post(f"/bookings/{ref}/reschedule", data={"start": start + 4 * HOUR, "tz": "UTC"})
    assert "just taken" in _html(taken, 409)
    assert _booking(api, ref)["start_time"] == start + 2 * HOUR

    cancelled = web.post(
        f"/bookings/{ref}/cancel", data={"reason": "Something came up", "tz": "UTC"}
    )
    assert cancelled.status_code == 303
    booking = _booking(api, ref)
    assert booking["status"] == "cancelled"
    assert booking["cancellation_reason"] == "Something came up"
    after = _html(web.get(f"/bookings/{ref}"))
    assert "This booking was cancelled." in after and "Something came up" in after
    assert 'href="/book/manage"' in after and "Book another time" in after
    assert "Move my booking" not in after and "Cancel my booking" not in after
    again = _html(web.post(f"/bookings/{ref}/cancel", data={"reason": ""}), 409)
    assert "already cancelled" in again


def test_hidden_options(web: httpx.Client, make_page: Callable[..., Any]) -> None:
    make_page(
        slug="fixed",
        scheduler={"hide_rescheduling_options": True, "hide_cancellation_options": True},
    )
    start = future_hour(2, 10)
    ref = _book(web, "fixed", start)
    page = _html(web.get(f"/bookings/{ref}"))
    assert "Reschedule" not in page and "Cancel my booking" not in page
    _html(web.post(f"/bookings/{ref}/reschedule", data={"start": start + HOUR}), 403)
    _html(web.post(f"/bookings/{ref}/cancel", data={"reason": ""}), 403)


def test_min_cancellation_notice(
    web: httpx.Client, api: httpx.Client, ada: tuple[str, str], make_page: Callable[..., Any]
) -> None:
    config = make_page(slug="notice")
    start = future_hour(1, 10)
    ref = _book(web, "notice", start)
    page = _html(web.get(f"/bookings/{ref}", params={"step": "cancel"}))
    assert "Cancel my booking" in page
    # The organizer now asks for three days' notice: too late for this booking.
    body = {"scheduler": {"min_booking_notice": 0, "min_cancellation_notice": 3 * 24 * 60}}
    updated = api.put(f"/v3/grants/{ada[0]}/scheduling/configurations/{config['id']}", json=body)
    assert updated.status_code == 200, updated.text
    late = _html(web.get(f"/bookings/{ref}"))
    assert "can no longer be rescheduled or cancelled here" in late
    assert "Cancel booking" not in late
    assert "Cancel my booking" not in _html(web.get(f"/bookings/{ref}", params={"step": "cancel"}))
    refused = _html(web.post(f"/bookings/{ref}/cancel", data={"reason": ""}), 400)
    assert "at least 4320 minutes before it starts" in refused
    refused = _html(web.post(f"/bookings/{ref}/reschedule", data={"start": start + HOUR}), 400)
    assert "at least 4320 minutes" in refused
    assert _booking(api, ref)["status"] == "booked"


def test_manage_page_and_service_share_the_notice_deadline(
    web: httpx.Client,
    api: httpx.Client,
    make_page: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At the deadline itself both still allow a change; a second later both refuse."""
    make_page(slug="edge", scheduler={"min_cancellation_notice": 60})
    start = future_hour(1, 10)
    ref = _book(web, "edge", start)
    deadline = start - 60 * 60
    monkeypatch.setattr(clock, "now", lambda: deadline + 1)
    late = _html(web.get(f"/bookings/{ref}"))
    assert "can no longer be rescheduled or cancelled here" in late
    _html(web.post(f"/bookings/{ref}/cancel", data={"reason": ""}), 400)
    monkeypatch.setattr(clock, "now", lambda: deadline)
    assert "Cancel my booking" in _html(web.get(f"/bookings/{ref}", params={"step": "cancel"}))
    cancelled = web.post(f"/bookings/{ref}/cancel", data={"reason": ""})
    assert cancelled.status_code == 303, cancelled.text[:500]
    assert _booking(api, ref)["status"] == "cancelled"


# -- organizer confirmation ----------------------------------------------------------------------


def _pending(web: httpx.Client, db: Database, name: str, start: int) -> str:
    page = _html(web.post(f"/book/{name}", data=_form(start)))
    assert "pending the organizer" in page
    [message] = [m for m in _outbox(db) if m.trigger == "booking.pending"]
    url = message.payload["booking_info"]["host_confirmation_url"]
    prefix = "http://127.0.0.1:8000/scheduling/organizer-confirmation/"
    assert url.startswith(prefix)
    ref = url.removeprefix(prefix)
    assert ref not in page  # the guest never sees the credential that confirms
    assert f"/bookings/{message.payload['booking_ref']}" in page  # but may withdraw
    return ref


def test_organizer_confirms(
    web: httpx.Client, api: httpx.Client, db: Database, make_page: Callable[..., Any]
) -> None:
    make_page(slug="ask", event_booking={"booking_type": "organizer-confirmation"})
    form = _html(web.get("/book/ask", params={"start": future_hour(2, 10)}))
    assert "Request this time" in form
    ref = _pending(web, db, "ask", future_hour(2, 10))
    path = f"/scheduling/organizer-confirmation/{ref}"
    for _ in range(2):  # link scanners prefetch: GET and HEAD change nothing
        page = _html(web.get(path, params={"action": "confirm"}))
        assert web.head(path, params={"action": "confirm"}).status_code == 200
    assert "Grace Hopper" in page and "Confirm booking" in page
    assert _booking(api, ref)["status"] == "pending"
    confirmed = web.post(path, data={"action": "confirm"})
    assert confirmed.status_code == 303
    assert _booking(api, ref)["status"] == "booked"
    done = _html(web.get(confirmed.headers["location"]))
    assert "Booking confirmed" in done and "Decline booking" not in done
    again = _html(web.post(path, data={"action": "confirm"}), 409)
    assert "not pending" in again
    _html(web.post(path, data={"action": "maybe"}), 400)


def test_organizer_declines(
    web: httpx.Client, api: httpx.Client, db: Database, make_page: Callable[..., Any]
) -> None:
    make_page(slug="ask2", event_booking={"booking_type": "organizer-confirmation"})
    ref = _pending(web, db, "ask2", future_hour(3, 11))
    path = f"/scheduling/organizer-confirmation/{ref}"
    page = _html(web.get(path, params={"action": "decline"}))
    assert 'class="danger">Decline booking' in page
    declined = web.post(path, data={"action": "decline", "reason": "Fully booked"})
    assert declined.status_code == 303
    booking = _booking(api, ref)
    assert booking["status"] == "cancelled" and booking["cancellation_reason"] == "Fully booked"
    assert "already" in _html(web.get(path)) or "declined" in _html(web.get(path))


def test_configured_templates_still_win(
    web: httpx.Client, db: Database, make_page: Callable[..., Any]
) -> None:
    make_page(
        slug="own-pages",
        scheduler={
            "rescheduling_url": "https://pages.example/r/:booking_ref",
            "cancellation_url": "https://pages.example/c/:booking_ref",
        },
    )
    ref = _book(web, "own-pages", future_hour(2, 10) + DAY)
    [message] = [m for m in _outbox(db) if m.trigger == "booking.created"]
    info = message.payload["booking_info"]
    assert info["participant_rescheduling_url"] == f"https://pages.example/r/{ref}"
    assert info["participant_cancellation_url"] == f"https://pages.example/c/{ref}"
