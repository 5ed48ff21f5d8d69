"""The official <nylas-scheduling> component in each of its modes, in Debian's Chromium.

Book-and-cancel with a configuration id is in test_web_component.py; these cover the rest: the
in-page reschedule, the three booking_ref modes, slug + client_id, a private configuration
through a session, month navigation, other browser time zones, additional fields and
round-robin. The page is served from another loopback port than the API (cross-origin).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from slotwise.db.engine import Database
from slotwise.db.models import Booking, OutboxMessage
from tests.support.browser import CHROMIUM_ARGS
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
from tests.support.waiting import BROWSER_TIMEOUT_MS
from tests.support.web_elements import (
    open_reschedule,
    page_server,
    pick_date_with_slots,
    pick_first_slot,
    require_chromium,
    wait_for,
    web_elements_bundle,
)

pytestmark = pytest.mark.browser

# Props come from the page's query string; object props are set before the element is attached.
MODES_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Book a meeting</title>
<script type="module" src="/nylas/nylas-web-elements.esm.js"></script>
</head><body>
<div id="mount"></div>
<script type="module">
  const q = new URLSearchParams(location.search);
  window.errors = [];
  const el = document.createElement('nylas-scheduling');
  el.schedulerApiUrl = q.get('api');
  el.enableUserFeedback = false;
  el.nylasBranding = false;
  const props = {config_id: 'configurationId', session: 'sessionId', slug: 'slug',
    client_id: 'clientId', reschedule: 'rescheduleBookingRef', cancel: 'cancelBookingRef',
    confirm: 'organizerConfirmationBookingRef'};
  for (const [key, prop] of Object.entries(props)) {
    if (q.get(key)) el[prop] = q.get(key);
  }
  el.addEventListener('nylasSchedulerError', e => {
    window.errors.push(e.detail);
    console.error('scheduler error', JSON.stringify(e.detail));
  });
  el.addEventListener('bookedEventInfo', e => { window.booked = e.detail; });
  el.addEventListener('configSettingsLoaded', e => { window.settings = e.detail; });
  document.getElementById('mount').append(el);
</script>
</body></html>
"""


class Browser:
    """One Chromium and the page site, for a test; `open` gives a page in a time zone."""

    def __init__(self, browser: Any, site: str, server: LiveServer) -> None:
        self.browser = browser
        self.site = site
        self.server = server
        self.calls: list[tuple[str, str, str | None]] = []
        self.errors: list[str] = []

    def open(self, timezone: str = "UTC", **props: str) -> Any:
        context = self.browser.new_context(
            viewport={"width": 1100, "height": 900}, timezone_id=timezone
        )
        # Generous: the suite runs two workers on two cores next to this browser.
        context.set_default_timeout(45_000)
        page = context.new_page()
        page.on(
            "console",
            lambda m: self.errors.append(m.text) if "scheduler error" in m.text else None,
        )

        def record(request: Any) -> None:
            if request.url.startswith(self.server.url) and request.method != "OPTIONS":
                self.calls.append((request.method, request.url, request.post_data))

        page.on("request", record)
        query = "&".join(f"{k}={v}" for k, v in {"api": self.server.url, **props}.items())
        page.goto(f"{self.site}/modes.html?{query}")
        # Let the component finish its first calls (ui-settings, availability) before a test
        # clicks: buttons render before the state they act on has arrived.
        page.wait_for_load_state("networkidle")
        return page

    def called(self, method: str, path: str) -> list[str]:
        return [u for m, u, _ in self.calls if m == method and path in u]

    def bodies(self, method: str, path: str) -> list[dict[str, Any]]:
        return [json.loads(b or "{}") for m, u, b in self.calls if m == method and path in u]


@contextmanager
def browser_for(server: LiveServer, tmp_path: Path) -> Iterator[Browser]:
    chromium = require_chromium()
    bundle = web_elements_bundle()
    from playwright.sync_api import sync_playwright

    root = tmp_path / "site"
    root.mkdir(parents=True, exist_ok=True)
    (root / "modes.html").write_text(MODES_PAGE)
    with page_server(bundle, root) as site, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield Browser(browser, site, server)
        finally:
            browser.close()


def bookings(db: Database) -> list[Booking]:
    with db.session(write=False) as session:
        return list(session.scalars(select(Booking).order_by(Booking.created_at)))


def fill_guest(page: Any, name: str = "Grace Hopper", email: str = "grace@example.com") -> None:
    page.locator("button.button-primary", has_text="Next").click()
    form = page.locator("nylas-booking-form")
    form.locator("input[name='name']").fill(name)
    form.locator("input[name='email']").fill(email)


def _config(api: httpx.Client, ada: tuple[str, str], **overrides: Any) -> dict[str, Any]:
    grant_id, calendar_id = ada
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True)],
        event_booking={"title": "Intro with Ada", "timezone": "UTC"},
    )
    body.update(overrides)
    return create_config(api, grant_id, body)


def _api_booking(api: httpx.Client, config_id: str, start: int, **extra: Any) -> dict[str, Any]:
    response = book(api, config_id, start, **extra)
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def _book_in_page(page: Any, name: str = "Grace Hopper", email: str = "grace@example.com") -> str:
    label = pick_first_slot(page)
    fill_guest(page, name, email)
    page.locator("button.button-primary", has_text="Book now").click()
    page.wait_for_function("() => window.booked !== undefined", timeout=BROWSER_TIMEOUT_MS)
    return label


def test_reschedule_in_page_then_again(
    api: httpx.Client, server: LiveServer, db: Database, tmp_path: Path, ada: tuple[str, str]
) -> None:
    config = _config(api, ada)
    with browser_for(server, tmp_path) as b:
        page = b.open(config_id=config["id"])
        _book_in_page(page)
        [booking] = bookings(db)
        for round_ in range(2):
            open_reschedule(page)
            slots = pick_date_with_slots(page, 4 + round_)
            slots.nth(3 + round_).click()
            page.locator("button.button-primary", has_text="Next").click()
            inputs = page.locator("nylas-booking-form input")
            # Prefilled from ui-settings; the form fills in after it renders, so wait for it.
            expect(inputs.nth(0)).to_have_value("Grace Hopper", timeout=BROWSER_TIMEOUT_MS)
            expect(inputs.nth(1)).to_have_value("grace@example.com", timeout=BROWSER_TIMEOUT_MS)
            before = bookings(db)[0].start_ts
            page.locator("button.button-primary", has_text="Book now").click()

            def rescheduled(before: int = before) -> bool:
                return bookings(db)[0].start_ts != before

            wait_for(page, rescheduled, "the reschedule")
            page.locator("button", has_text="Reschedule").first.wait_for(timeout=BROWSER_TIMEOUT_MS)
    assert not b.errors, b.errors
    assert len(b.called("PATCH", f"/v3/scheduling/bookings/{booking.id}")) == 2
    assert any("booking_id=" in u for u in b.called("GET", "/v3/scheduling/ui-settings"))
    [moved] = bookings(db)
    assert moved.id == booking.id and moved.status == "booked"
    assert moved.start_ts != booking.start_ts


def test_reschedule_and_cancel_from_booking_refs(
    api: httpx.Client, server: LiveServer, db: Database, tmp_path: Path, ada: tuple[str, str]
) -> None:
    config = _config(api, ada)
    created = _api_booking(
        api,
        config["id"],
        future_hour(2, 10),
        guest={"email": "lin@example.com", "name": "Lin"},
        additional_guests=[{"email": "kai@example.com", "name": "Kai"}],
    )
    with browser_for(server, tmp_path) as b:
        page = b.open(reschedule=created["booking_ref"])
        pick_first_slot(page)
        page.locator("button.button-primary", has_text="Next").click()
        # The form is prefilled from ui-settings `booking` (guest and additional guests).
        expect(page.locator("input[name='name']")).to_have_value("Lin", timeout=BROWSER_TIMEOUT_MS)
        expect(page.locator("input#guest-email-0")).to_have_value(
            "kai@example.com", timeout=BROWSER_TIMEOUT_MS
        )
        page.locator("button.button-primary", has_text="Book now").click()
        wait_for(page, lambda: bookings(db)[0].start_ts != future_hour(2, 10), "the reschedule")

        page = b.open(cancel=created["booking_ref"])
        page.locator("textarea").first.fill("Plans changed")
        page.locator("button", has_text="Cancel booking").last.click()
        wait_for(page, lambda: bookings(db)[0].status == "cancelled", "the cancellation")
    assert not b.errors, b.errors
    [booking] = bookings(db)
    assert booking.cancellation_reason == "Plans changed"
    assert booking.additional_guests == [{"email": "kai@example.com", "name": "Kai"}]
    assert b.called("PATCH", f"/v3/scheduling/bookings/{created['booking_id']}")
    assert b.called("DELETE", f"/v3/scheduling/bookings/{created['booking_id']}")


@pytest.mark.parametrize("action", ["Confirm booking", "Reject booking"])
def test_organizer_confirmation_ref(
    api: httpx.Client,
    server: LiveServer,
    db: Database,
    tmp_path: Path,
    ada: tuple[str, str],
    action: str,
) -> None:
    config = _config(
        api,
        ada,
        event_booking={
            "title": "Intro with Ada",
            "timezone": "UTC",
            "booking_type": "organizer-confirmation",
        },
    )
    created = _api_booking(api, config["id"], future_hour(2, 10))
    assert created["status"] == "pending"
    # The organizer's ref is the one in their confirmation link, not the guest's booking_ref.
    with db.session(write=False) as session:
        pending = session.scalars(
            select(OutboxMessage).where(OutboxMessage.trigger == "booking.pending")
        ).one()
        link = pending.payload["booking_info"]["host_confirmation_url"]
    organizer_ref = link.rsplit("/", 1)[1]
    assert organizer_ref != created["booking_ref"]
    with browser_for(server, tmp_path) as b:
        page = b.open(confirm=organizer_ref)
        page.locator("button", has_text=action).click()
        if action.startswith("Reject"):
            page.locator("textarea").first.fill("Not this week")
            page.locator("button", has_text="Cancel booking").last.click()
        wait_for(page, lambda: bookings(db)[0].status != "pending", "the decision")
    assert not b.errors, b.errors
    [put] = b.bodies("PUT", f"/v3/scheduling/bookings/{created['booking_id']}")
    assert put["salt"]
    [booking] = bookings(db)
    if action.startswith("Confirm"):
        assert booking.status == "booked"
    else:
        assert (booking.status, booking.cancellation_reason) == ("cancelled", "Not this week")


def test_slug_and_client_id(
    api: httpx.Client, server: LiveServer, db: Database, tmp_path: Path, ada: tuple[str, str]
) -> None:
    config = _config(api, ada, slug="ada-intro")
    with browser_for(server, tmp_path) as b:
        page = b.open(slug="ada-intro", client_id=server.settings.application_id)
        _book_in_page(page)
        page.locator("button", has_text="Cancel booking").first.click()
        page.locator("textarea").first.fill("Oops")
        page.locator("button", has_text="Cancel booking").last.click()
        wait_for(page, lambda: bookings(db)[0].status == "cancelled", "the cancellation")
    assert not b.errors, b.errors
    assert bookings(db)[0].configuration_id == config["id"]
    assert all("slug=ada-intro" in u for _, u, _ in b.calls)


def test_session_for_private_configuration(
    api: httpx.Client, server: LiveServer, db: Database, tmp_path: Path, ada: tuple[str, str]
) -> None:
    config = _config(api, ada, requires_session_auth=True)
    session_id = api.post("/v3/scheduling/sessions", json={"configuration_id": config["id"]})
    session_id = session_id.json()["data"]["session_id"]
    with browser_for(server, tmp_path) as b:
        page = b.open(session=session_id)
        _book_in_page(page)
        open_reschedule(page)
        pick_date_with_slots(page, 3).nth(2).click()
        page.locator("button.button-primary", has_text="Next").click()
        before = bookings(db)[0].start_ts
        page.locator("button.button-primary", has_text="Book now").click()
        wait_for(page, lambda: bookings(db)[0].start_ts != before, "the reschedule")
    assert not b.errors, b.errors
    assert all("configuration_id" not in u for _, u, _ in b.calls)
    assert bookings(db)[0].configuration_id == config["id"]


def test_next_month(
    api: httpx.Client, server: LiveServer, db: Database, tmp_path: Path, ada: tuple[str, str]
) -> None:
    config = _config(api, ada, scheduler={"min_booking_notice": 0, "available_days_in_future": 60})
    with browser_for(server, tmp_path) as b:
        page = b.open(timezone="Asia/Kathmandu", config_id=config["id"])
        page.locator("button.date.current-month").first.wait_for(timeout=BROWSER_TIMEOUT_MS)
        asked = len(b.called("GET", "availability"))
        page.locator("nylas-date-picker button").nth(1).click()  # the "next month" arrow
        wait_for(page, lambda: len(b.called("GET", "availability")) > asked, "next month's slots")
        _book_in_page(page)
    assert not b.errors, b.errors
    starts = [int(u.split("start_time=")[1].split("&")[0]) for u in b.called("GET", "availability")]
    zone = ZoneInfo("Asia/Kathmandu")
    today = datetime.now(zone)
    first = datetime(today.year + today.month // 12, today.month % 12 + 1, 1, tzinfo=zone)
    assert int(first.timestamp()) in starts  # the local first of next month
    [booking] = bookings(db)
    assert booking.start_ts >= first.timestamp()
    # Chromium reports the zone under its older name.
    assert booking.guest_timezone in {"Asia/Kathmandu", "Asia/Katmandu"}


FIELDS = {
    "company": {"label": "Company", "type": "text", "required": True, "order": 1},
    "notes": {"label": "Notes", "type": "multi_line_text", "required": False, "order": 2},
    "phone": {"label": "Phone", "type": "phone_number", "required": False, "order": 3},
    "size": {
        "label": "Team size",
        "type": "dropdown",
        "required": True,
        "options": ["1-10", "11-50"],
        "order": 4,
    },
    "topic": {
        "label": "Topic",
        "type": "radio_button",
        "required": True,
        "options": ["Sales", "Support"],
        "order": 5,
    },
    "agree": {"label": "I agree", "type": "checkbox", "required": True, "order": 6},
    "day": {"label": "Preferred day", "type": "date", "required": False, "order": 7},
    "work_email": {"label": "Work email", "type": "email", "required": False, "order": 8},
    "src": {"label": "Source", "type": "metadata", "required": False, "order": 9},
}


def test_additional_fields_in_los_angeles(
    api: httpx.Client, server: LiveServer, db: Database, tmp_path: Path, ada: tuple[str, str]
) -> None:
    config = _config(api, ada, scheduler={"min_booking_notice": 0, "additional_fields": FIELDS})
    with browser_for(server, tmp_path) as b:
        page = b.open(timezone="America/Los_Angeles", config_id=config["id"])
        label = pick_first_slot(page)
        fill_guest(page)
        form = page.locator("nylas-booking-form")
        form.locator("input[name='company']").fill("Analytical Engines")
        form.locator("textarea[name='notes']").fill("Line one\nLine two")
        form.locator("input[name='phone']").fill("4155550100")
        form.locator("button", has_text="Select an option").click()
        form.get_by_text("11-50", exact=True).first.click()
        form.locator("input[name='topic']").nth(1).check()
        form.locator("input[name='agree']").check()
        form.locator("input[name='day']").fill("2026-12-01")
        form.locator("input[name='work_email']").fill("grace@navy.example")
        page.locator("button.button-primary", has_text="Book now").click()
        page.wait_for_function("() => window.booked !== undefined", timeout=BROWSER_TIMEOUT_MS)
    assert not b.errors, b.errors
    [body] = b.bodies("POST", "/v3/scheduling/bookings")
    assert body["timezone"] == "America/Los_Angeles"
    [booking] = bookings(db)
    assert booking.additional_fields == {
        "company": "Analytical Engines",
        "notes": "Line one\nLine two",
        "phone": "4155550100",
        "size": "11-50",
        "topic": "Support",
        "agree": True,
        "day": "2026-12-01",
        "work_email": "grace@navy.example",
        "src": "",
    }
    # The slot the guest clicked, read on a Los Angeles wall clock, is the one stored.
    local = datetime.fromtimestamp(booking.start_ts, ZoneInfo("America/Los_Angeles"))
    assert local.strftime("%I:%M %p") == label


def test_round_robin_books_down_the_order(
    api: httpx.Client,
    server: LiveServer,
    db: Database,
    tmp_path: Path,
    ada: tuple[str, str],
    frozen_clock: int,
) -> None:
    # The server's clock stands still (the slots start from "now", with no booking notice):
    # the slots the component listed, the test's own listing and the bookings then see the
    # same first slot however slowly the browser goes, instead of one that began meanwhile.
    grant_id, ada_calendar = ada
    _, bob_calendar = make_grant(db, "bob@example.com", "Bob")
    body = round_robin(
        config_body(
            [
                participant("ada@example.com", ada_calendar),
                participant("bob@example.com", bob_calendar),
            ],
            event_booking={"title": "Support call", "timezone": "UTC"},
        )
    )
    config = create_config(api, grant_id, body)
    with browser_for(server, tmp_path) as b:
        page = b.open(config_id=config["id"])
        pick_first_slot(page)
        fill_guest(page)
        [listed] = [r for r in b.calls if "/availability" in r[1]]
        order = page.evaluate(
            "() => document.querySelector('nylas-scheduling')"
            ".nylasSchedulerConnector?.schedulerStore?.get('availabilityOrderEmails')"
        )
        start = int(listed[1].split("start_time=")[1].split("&")[0])
        slots = api.get(
            "/v3/scheduling/availability",
            params={
                "configuration_id": config["id"],
                "start_time": start,
                "end_time": start + 86400,
            },
        ).json()["data"]
        first_host = slots["order"][0]
        slot = slots["time_slots"][0]
        # Meanwhile someone else takes the first host at that time.
        taken = _api_booking(
            api,
            config["id"],
            slot["start_time"],
            guest={"email": "early@example.com", "name": "Early"},
            participants=[{"email": first_host}],
        )
        page.locator("button.button-primary", has_text="Book now").click()
        page.wait_for_function("() => window.booked !== undefined", timeout=BROWSER_TIMEOUT_MS)
    assert not b.errors, b.errors
    posts = b.bodies("POST", "/v3/scheduling/bookings")
    assert [p["participants"][0]["email"] for p in posts] == slots["order"]
    mine = [x for x in bookings(db) if x.id != taken["booking_id"]]
    assert [x.organizer_email for x in mine] == [slots["order"][1]]
    assert mine[0].start_ts == slot["start_time"]
    assert order is None or order == slots["order"]
