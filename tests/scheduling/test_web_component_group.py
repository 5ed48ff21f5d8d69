"""The official <nylas-scheduling> component, in Debian's Chromium, books the seats of a
recurring group event in Slotwise: it shows the seats left, checks the slot
(`validate-timeslot`), books with the slot's event_id, and once a meeting is full offers the
next one."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import Booking
from tests.scheduling.test_group_events import create_event, event_body, make_group
from tests.support.browser import CHROMIUM_ARGS
from tests.support.scheduling import DAY, future_hour
from tests.support.server import LiveServer
from tests.support.waiting import BROWSER_TIMEOUT_MS
from tests.support.web_elements import (
    page_server,
    pick_first_slot,
    require_chromium,
    web_elements_bundle,
)

pytestmark = pytest.mark.browser


def _seats(db: Database) -> list[Booking]:
    with db.session(write=False) as session:
        return list(session.scalars(select(Booking).order_by(Booking.created_at, Booking.id)))


def test_component_books_a_group_event_to_capacity(
    api: httpx.Client, server: LiveServer, db: Database, tmp_path: Path
) -> None:
    chromium = require_chromium()
    bundle = web_elements_bundle()
    from playwright.sync_api import sync_playwright

    grant_id, _, config_id = make_group(api, db)
    start = future_hour(2, 9)
    series = create_event(
        api,
        grant_id,
        config_id,
        event_body(start, capacity=2, recurrence=["RRULE:FREQ=DAILY;COUNT=3"]),
    )
    master_id = series["event"]["id"]
    errors: list[str] = []
    calls: list[str] = []
    with page_server(bundle, tmp_path / "site") as site, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for n, guest in enumerate(["ann", "ben", "cat"]):
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
                page.goto(f"{site}/index.html?api={server.url}&config_id={config_id}")
                label = pick_first_slot(page)
                assert ("2 spots" if n in (0, 2) else "1 spot") in label, label
                page.locator("button.button-primary", has_text="Next").click()
                inputs = page.locator("nylas-booking-form input")
                inputs.nth(0).fill(guest.title())
                inputs.nth(1).fill(f"{guest}@example.com")
                page.locator("button.button-primary", has_text="Book now").click()
                page.wait_for_function(
                    "() => window.booked !== undefined", timeout=BROWSER_TIMEOUT_MS
                )
                page.close()
        finally:
            browser.close()

    assert not errors, errors
    validate = (
        f"POST {server.url}/v3/scheduling/configurations/{config_id}/group-events/validate-timeslot"
    )
    assert calls.count(validate) == 3
    seats = _seats(db)
    assert len(seats) == 3, seats
    # The first two filled the first meeting; the third was offered the next day's. (By
    # guest: browser tests run on a stopped clock, so the seats share one created_at.)
    assert {b.guest["email"]: b.start_ts for b in seats} == {
        "ann@example.com": start,
        "ben@example.com": start,
        "cat@example.com": start + DAY,
    }
    assert all(b.group_event_id and b.group_event_id.startswith(master_id) for b in seats)
    assert all(b.status == "booked" and b.event_id is None for b in seats)
