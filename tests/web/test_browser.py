"""A guest books, reschedules and cancels through the pages in a real browser."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest

from slotwise.ids import decode_booking_ref
from tests.support.browser import chromium
from tests.support.server import LiveServer

pytestmark = pytest.mark.browser

FIELDS = {
    "company": {"label": "Company", "type": "text", "required": True, "order": 1},
    "topic": {
        "label": "Topic",
        "type": "radio_button",
        "required": False,
        "options": ["Sales", "Support"],
        "order": 2,
    },
}


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SLOTWISE_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _booking(api: httpx.Client, ref: str) -> dict:
    parts = decode_booking_ref(ref)
    assert parts is not None
    response = api.get(
        f"/v3/scheduling/bookings/{parts.booking_id}",
        params={"configuration_id": parts.configuration_id},
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def test_book_reschedule_cancel_in_chromium(
    server: LiveServer, api: httpx.Client, make_page: Callable[..., Any], tmp_path: Path
) -> None:
    make_page(
        slug="browser",
        event_booking={"description": "Thirty minutes to get to know each other."},
        scheduler={
            "additional_fields": FIELDS,
            "cancellation_policy": "Please cancel at least a day ahead.",
        },
    )
    shots = _shots(tmp_path)
    with chromium() as browser:
        context = browser.new_context(
            timezone_id="America/New_York", viewport={"width": 1000, "height": 900}
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

        # First visit without ?tz=: the page switches to the browser's zone.
        page.goto(f"{server.url}/book/browser")
        page.wait_for_url(re.compile(r"tz=America%2FNew_York"))
        assert page.locator("#tz").input_value() == "America/New_York"
        page.screenshot(path=str(shots / "1-booking-page.png"), full_page=True)

        first = page.locator("a.slot:visible").first
        chosen_label = first.inner_text()
        first.click()
        page.wait_for_selector("form.booking")
        assert chosen_label in page.locator(".chosen").inner_text()
        page.fill("#guest_name", "Grace Hopper")
        page.fill("#guest_email", "grace@example.com")
        page.fill("input[name='field.company']", "Navy")
        page.check("input[name='field.topic'][value='Support']")
        page.screenshot(path=str(shots / "2-form.png"), full_page=True)
        page.click("button[type=submit]")

        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "You’re booked"
        ref = urlsplit(page.url).path.removeprefix("/bookings/")
        assert "(America/New York)" in page.inner_text("main")
        page.screenshot(path=str(shots / "3-booked.png"), full_page=True)
        booking = _booking(api, ref)
        assert booking["status"] == "booked"
        assert booking["guest"]["name"] == "Grace Hopper"
        assert booking["additional_fields"] == {"company": "Navy", "topic": "Support"}
        original = booking["start_time"]

        # Reschedule, as its own step: pick a later slot, confirm.
        assert page.locator("a.slot").count() == 0  # no grid of times on the confirmation
        page.click("text=Reschedule")
        # The latest time of the day shown: late in the UTC day today may have only one or two
        # times left (the booking's own is not offered back), so no fixed position is safe.
        page.locator("a.slot:visible").last.click()
        page.wait_for_selector("text=Move my booking")
        page.screenshot(path=str(shots / "4-reschedule.png"), full_page=True)
        target = int(page.locator("input[name=start]").input_value())
        page.click("text=Move my booking")
        page.wait_for_selector("text=Booking moved")
        assert _booking(api, ref)["start_time"] == target != original

        # Cancel with a reason, as its own step too.
        page.click("text=Cancel booking")
        page.fill("#reason", "Something came up")
        page.click("text=Cancel my booking")
        page.wait_for_selector("text=Booking cancelled")
        assert page.locator("text=Book another time").is_visible()
        page.screenshot(path=str(shots / "5-cancelled.png"), full_page=True)
        booking = _booking(api, ref)
        assert booking["status"] == "cancelled"
        assert booking["cancellation_reason"] == "Something came up"

        # The booking page on a phone.
        phone = browser.new_context(
            timezone_id="Europe/Berlin", viewport={"width": 390, "height": 844}
        ).new_page()
        phone.goto(f"{server.url}/book/browser")
        phone.wait_for_url(re.compile(r"tz=Europe%2FBerlin"))
        assert unquote(urlsplit(phone.url).query).count("tz=Europe/Berlin") == 1
        phone.screenshot(path=str(shots / "6-phone.png"), full_page=True)
        assert errors == []
