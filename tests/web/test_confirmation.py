"""What a guest gets after booking, and the configuration's look, over real HTTP.

The "Add to calendar" file is checked against the invitation the worker really emails (a real
SMTP server on loopback), both parsed with icalendar.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from icalendar import Calendar

from slotwise.config import Settings
from slotwise.ids import decode_booking_ref
from tests.notifications.smtp import SmtpServer
from tests.support.scheduling import HOUR, future_hour


def _book(web: httpx.Client, name: str, start: int, **extra: str) -> str:
    form = {"start": str(start), "tz": "Asia/Tokyo", "guest_name": "Grace Hopper"}
    form |= {"guest_email": "grace@example.com", **extra}
    response = web.post(f"/book/{name}", data=form)
    assert response.status_code == 303, response.text[:500]
    location = urlsplit(response.headers["location"])
    assert parse_qs(location.query)["done"] == ["booked"]
    return location.path.removeprefix("/bookings/")


def _event(text: bytes | str) -> Any:
    [event] = Calendar.from_ical(text).walk("VEVENT")
    return event


def _emailed(message: EmailMessage) -> Any:
    [part] = [p for p in message.walk() if p.get_filename() == "invite.ics"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return _event(payload)


def test_add_to_calendar_matches_the_emailed_invitation(
    web: httpx.Client,
    api: httpx.Client,
    make_page: Callable[..., Any],
    mail_settings: Settings,
    smtp: SmtpServer,
    run_worker: Callable[..., None],
) -> None:
    make_page(slug="ics", event_booking={"location": "Room 4"})
    start = future_hour(2, 10)
    ref = _book(web, "ics", start)
    run_worker(lambda: len(smtp.mailbox.messages) >= 2, settings_=mail_settings)
    guest_mail = next(m for to, m in smtp.mailbox.wait_for(2) if to == ["grace@example.com"])
    emailed = _emailed(guest_mail)

    download = web.get(f"/bookings/{ref}/calendar.ics")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/calendar")
    assert "attachment" in download.headers["content-disposition"]
    offered = _event(download.content)
    assert str(offered["UID"]) == str(emailed["UID"])
    assert int(offered["SEQUENCE"]) == int(emailed["SEQUENCE"]) == 0
    assert offered.decoded("DTSTART") == emailed.decoded("DTSTART")
    assert offered.decoded("DTSTART").timestamp() == start
    assert str(offered["LOCATION"]) == "Room 4"

    # Moved: the email says SEQUENCE 1, and so does the file downloaded after it.
    moved = web.post(f"/bookings/{ref}/reschedule", data={"start": start + 2 * HOUR})
    assert moved.status_code == 303, moved.text[:300]
    run_worker(lambda: len(smtp.mailbox.messages) >= 4, settings_=mail_settings)
    later = [m for to, m in smtp.mailbox.messages[2:] if to == ["grace@example.com"]]
    emailed = _emailed(later[0])
    offered = _event(web.get(f"/bookings/{ref}/calendar.ics").content)
    assert str(offered["UID"]) == str(emailed["UID"])
    assert int(offered["SEQUENCE"]) == int(emailed["SEQUENCE"]) == 1
    assert offered.decoded("DTSTART").timestamp() == start + 2 * HOUR

    # Another booking's ref, or a made-up one, gets no file.
    parts = decode_booking_ref(ref)
    assert parts is not None
    assert web.get(f"/bookings/{ref[:-2]}xx/calendar.ics").status_code == 404


def test_confirmation_is_calm_and_names_both_zones(
    web: httpx.Client, make_page: Callable[..., Any]
) -> None:
    make_page(slug="calm", scheduler={"cancellation_policy": "Cancel a day ahead, please."})
    start = future_hour(2, 10)
    ref = _book(web, "calm", start)
    page = web.get(f"/bookings/{ref}", params={"tz": "Asia/Tokyo", "done": "booked"}).text
    assert "You’re booked" in page
    assert "(Asia/Tokyo)" in page and "(UTC)" in page  # the guest's zone, then the organizer's
    assert f'href="/bookings/{ref}/calendar.ics"' in page
    assert re.search(rf'<a class="address" id="manage-address" href="[^"]*/bookings/{ref}"', page)
    assert "data-copy=" in page
    assert "step=reschedule" in page and "step=cancel" in page
    assert 'class="slot"' not in page  # no grid of times on the confirmation
    assert "Cancel a day ahead, please." in page


def test_appearance_themes_the_pages_under_a_strict_policy(
    web: httpx.Client, make_page: Callable[..., Any]
) -> None:
    appearance = {
        "color": "#ffcc00",
        "company_name": "Acme Robotics",
        "submit_button_label": "Reserve",
        "thank_you_message": "Thanks for choosing Acme.",
    }
    make_page(slug="acme", appearance=appearance)
    start = future_hour(2, 10)
    response = web.get("/book/acme", params={"tz": "UTC"})
    [style] = re.findall(r"<style>(.*?)</style>", response.text)
    assert "--brand:#ffcc00" in style
    assert "--brand-ink:#000000" in style  # black reads on yellow; white would not
    accent = re.search(r"--accent:(#[0-9a-f]{6})", style)
    assert accent is not None and accent.group(1) != "#ffcc00"  # darkened to read on white
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = response.headers["content-security-policy"]
    assert f"style-src 'self' 'sha256-{digest}'" in policy
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "Acme Robotics" in response.text
    form = web.get("/book/acme", params={"tz": "UTC", "start": start}).text
    assert ">Reserve</button>" in form
    ref = _book(web, "acme", start)
    assert "Thanks for choosing Acme." in web.get(f"/bookings/{ref}?done=booked").text
    assert "Acme Robotics" in web.get(f"/bookings/{ref}").text


def test_a_colour_that_is_not_one_keeps_the_own_colours(
    web: httpx.Client, make_page: Callable[..., Any]
) -> None:
    make_page(slug="odd-colour", appearance={"color": "red;}body{display:none"})
    response = web.get("/book/odd-colour", params={"tz": "UTC"})
    assert "<style>" not in response.text
    assert "style-src 'self';" in response.headers["content-security-policy"]


def test_additional_guests_are_invited_unless_hidden(
    web: httpx.Client, api: httpx.Client, make_page: Callable[..., Any]
) -> None:
    make_page(slug="guests")
    start = future_hour(2, 10)
    page = web.get("/book/guests", params={"tz": "UTC", "start": start}).text
    assert 'name="additional_guests"' in page
    ref = _book(web, "guests", start, additional_guests="ann@example.com, bo@example.com")
    parts = decode_booking_ref(ref)
    assert parts is not None
    booking = api.get(
        f"/v3/scheduling/bookings/{parts.booking_id}",
        params={"configuration_id": parts.configuration_id},
    ).json()["data"]
    emails = [g["email"] for g in booking["additional_guests"]]
    assert emails == ["ann@example.com", "bo@example.com"]
    bad = web.post(
        "/book/guests",
        data={
            "start": str(start + HOUR),
            "guest_name": "G",
            "guest_email": "g@example.com",
            "additional_guests": "not-an-address",
        },
    )
    assert bad.status_code == 400 and "Additional guests:" in bad.text

    make_page(slug="no-guests", scheduler={"hide_additional_guests": True})
    page = web.get("/book/no-guests", params={"tz": "UTC", "start": start}).text
    assert 'name="additional_guests"' not in page


def test_after_cancelling_the_guest_can_book_another_time(
    web: httpx.Client, make_page: Callable[..., Any]
) -> None:
    make_page(slug="again")
    ref = _book(web, "again", future_hour(2, 10))
    page = web.get(f"/bookings/{ref}", params={"step": "cancel"}).text
    assert "Cancel my booking" in page and 'class="slot"' not in page
    done = web.post(f"/bookings/{ref}/cancel", data={"reason": ""})
    assert done.status_code == 303
    page = web.get(done.headers["location"]).text
    assert "Booking cancelled" in page and 'href="/book/again"' in page
    assert "Book another time" in page
