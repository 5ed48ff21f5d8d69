"""The official <nylas-scheduling> component, in Debian's Chromium, books a slot in Slotwise.

The page and the bundle are served from another loopback port than the API, so every call is
cross-origin (CORS preflights included), as on a real site.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import Booking, Event
from tests.support.browser import CHROMIUM_ARGS
from tests.support.scheduling import config_body, create_config, make_grant, participant
from tests.support.server import LiveServer
from tests.support.waiting import BROWSER_TIMEOUT_MS
from tests.support.web_elements import (
    page_server,
    pick_first_slot,
    require_chromium,
    wait_for,
    web_elements_bundle,
)

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".cache" / "screenshots"


def _only_booking(db: Database) -> Booking:
    with db.session(write=False) as session:
        [booking] = list(session.scalars(select(Booking)))
    return booking


def test_component_books_a_slot(
    api: httpx.Client, server: LiveServer, db: Database, tmp_path: Path
) -> None:
    chromium = require_chromium()
    bundle = web_elements_bundle()
    from playwright.sync_api import sync_playwright

    grant_id, calendar_id = make_grant(db, "ada@example.com", "Ada Lovelace")
    config = create_config(
        api,
        grant_id,
        config_body(
            [participant("ada@example.com", calendar_id, organizer=True)],
            event_booking={"title": "Intro with Ada", "timezone": "UTC"},
        ),
    )
    errors: list[str] = []
    calls: list[str] = []
    with page_server(bundle, tmp_path / "site") as site, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 800}, timezone_id="UTC")
            page.on(
                "console",
                lambda m: errors.append(m.text) if "scheduler error" in m.text else None,
            )
            page.on(
                "request",
                lambda r: (
                    calls.append(f"{r.method} {r.url.split('?')[0]}")
                    if r.url.startswith(server.url)
                    else None
                ),
            )
            page.goto(f"{site}/index.html?api={server.url}&config_id={config['id']}")
            label = pick_first_slot(page)
            page.locator("button.button-primary", has_text="Next").click()
            inputs = page.locator("nylas-booking-form input")
            inputs.nth(0).fill("Grace Hopper")
            inputs.nth(1).fill("grace@example.com")
            page.locator("button.button-primary", has_text="Book now").click()
            page.wait_for_function("() => window.booked !== undefined", timeout=BROWSER_TIMEOUT_MS)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "web-component-booked.png"))
            booked = page.evaluate("() => window.booked")
            assert booked is not None
            assert f"POST {server.url}/v3/scheduling/bookings" in calls
            booking = _only_booking(db)
            assert booking.guest == {"email": "grace@example.com", "name": "Grace Hopper"}
            assert booking.status == "booked"
            assert booking.configuration_id == config["id"]
            assert booking.guest_timezone == "UTC"
            # The slot the guest clicked is the one stored (labels like "10:00 AM", UTC).
            clock, half = label.split()[0], label.split()[1]
            hour, minute = (int(x) for x in clock.split(":"))
            hour = hour % 12 + (12 if half.startswith("PM") else 0)
            assert booking.start_ts % 86400 == hour * 3600 + minute * 60

            # Cancel in the page: DELETE with a JSON body, cross-origin.
            page.locator("button", has_text="Cancel booking").first.click()
            page.locator("textarea").first.fill("Something came up")
            page.locator("button", has_text="Cancel booking").last.click()
            wait_for(page, lambda: _only_booking(db).status == "cancelled", "the cancellation")
            page.screenshot(path=str(SCREENSHOTS / "web-component-cancelled.png"))
        finally:
            browser.close()

    assert not errors, errors
    cancelled = _only_booking(db)
    assert cancelled.status == "cancelled"
    assert cancelled.cancellation_reason == "Something came up"
    with db.session(write=False) as session:
        event = session.get(Event, cancelled.event_id)
    assert event is not None and event.title == "Intro with Ada"
    assert event.status == "cancelled"
