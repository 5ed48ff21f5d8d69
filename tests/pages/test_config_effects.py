"""Page settings that change what a booking does: `event.template_title`, `event.participants`,
`calendar_invite_to_guests`, `locale` / `locale_for_guests` and `appearance.show_*`. Both
databases; real SMTP (aiosmtpd) for the emails, the hosted page over HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from email.message import Message
from zoneinfo import ZoneInfo

import httpx
from babel.dates import format_date

from slotwise.config import Settings
from tests.notifications.smtp import SmtpServer
from tests.support.factories import list_events
from tests.support.pages import account, bearer, booking_request, create_page, page_body


def has_invite(message: Message) -> bool:
    return any(p.get_content_type() == "text/calendar" for p in message.walk())


def text_of(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_title_template_and_invited_participants(api: httpx.Client, anon: httpx.Client) -> None:
    ann = account(api, "ann@example.com")
    body = page_body(ann, slug="titled")
    body["config"]["event"]["template_title"] = "{{event_title}}: {{ invitee }} & {{host}} {{x}}"
    body["config"]["event"]["participants"] = [
        "observer@example.org",
        {"email": "scribe@example.org", "name": "Scribe"},
        ann.email,  # an account of the page is a host already
    ]
    create_page(anon, body, ann.token)
    slot = anon.get("/schedule/titled/timeslots").json()[0]
    request = {**booking_request(slot), "name": "Grace {{host}}"}
    made = anon.post("/schedule/titled/timeslots", json=request)
    assert made.status_code == 200, made.text
    # Placeholders are filled once (the guest's braces stay as typed); unknown ones stay.
    assert made.json()["title"] == "Intro Meeting: Grace {{host}} & ann@example.com {{x}}"
    [event] = [
        e for e in list_events(api, ann.grant_id) if e["id"] == made.json()["calendar_event_id"]
    ]
    assert event["title"] == made.json()["title"]
    invited = {p["email"] for p in event["participants"]}
    assert {"observer@example.org", "scribe@example.org", "guest@example.com"} <= invited
    # They are invitees, not hosts: their (unknown) calendars never narrow the slots.
    assert len(anon.get("/schedule/titled/timeslots").json()) > 1

    for bad, field in [
        (["not-an-email"], "config.event.participants[0]"),
        ([{"name": "No email"}], "config.event.participants[0].email"),
        ([7], "config.event.participants[0]"),
        (["a@x.org"] * 51, "config.event.participants"),
    ]:
        wrong = page_body(ann, slug="wrong")
        wrong["config"]["event"]["participants"] = bad
        response = anon.post("/manage/pages", json=wrong, headers=bearer(ann.token))
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["message"].startswith(field), response.text
    wrong = page_body(ann, slug="wrong")
    wrong["config"]["event"]["template_title"] = "two\nlines"
    response = anon.post("/manage/pages", json=wrong, headers=bearer(ann.token))
    assert response.status_code == 400
    assert response.json()["message"].startswith("config.event.template_title")


def test_guest_invite_switch_and_email_languages(
    api: httpx.Client, anon: httpx.Client, settings: Settings, run_worker: Callable[..., None]
) -> None:
    smtp = SmtpServer().start()
    try:
        mail = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
        ann = account(api, "ann@example.com")
        body = page_body(ann, slug="talk")
        body["config"]["booking"]["calendar_invite_to_guests"] = "false"
        body["config"]["locale"] = "fr"
        body["config"]["locale_for_guests"] = "de"
        create_page(anon, body, ann.token)
        slot = anon.get("/schedule/talk/timeslots").json()[0]
        request = {**booking_request(slot), "timezone": "Europe/Berlin"}
        request.pop("locale")  # the guest names none: the page's language for guests applies
        made = anon.post("/schedule/talk/timeslots", json=request)
        assert made.status_code == 200, made.text
        run_worker(lambda: len(smtp.mailbox.messages) >= 2, settings_=mail)
        [guest] = [m for to, m in smtp.mailbox.messages if to == ["guest@example.com"]]
        [host] = [m for to, m in smtp.mailbox.messages if to == [ann.email]]
        assert not has_invite(guest) and has_invite(host)
        start = datetime.fromtimestamp(slot["start"], ZoneInfo("Europe/Berlin"))
        assert format_date(start, "full", locale="de") in text_of(guest)
        host_day = datetime.fromtimestamp(slot["start"], ZoneInfo("UTC"))
        assert format_date(host_day, "full", locale="fr") in text_of(host)
    finally:
        smtp.stop()


def test_show_timezone_options_false_keeps_the_hosted_page_in_one_zone(
    api: httpx.Client, anon: httpx.Client
) -> None:
    ann = account(api, "ann@example.com")
    body = page_body(ann, slug="one-zone")
    body["config"]["timezone"] = "America/Los_Angeles"
    body["config"]["appearance"]["show_timezone_options"] = "false"
    create_page(anon, body, ann.token)
    page = anon.get("/book/one-zone")
    assert page.status_code == 200, page.text
    assert 'id="tz"' not in page.text and "Times are in America/Los Angeles" in page.text
    info = anon.get("/schedule/one-zone/info").json()
    assert info["config"]["appearance"]["show_timezone_options"] == "false"  # as sent
    shown = page_body(ann, slug="zones")
    create_page(anon, shown, ann.token)
    assert 'id="tz"' in anon.get("/book/zones").text
