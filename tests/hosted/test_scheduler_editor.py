"""The official <nylas-scheduler-editor> (npm @nylas/web-elements 2.6.0), in Chromium on its
own loopback origin, signs the organizer in to Slotwise by hosted authentication (an emailed
code caught by the test's SMTP server), creates a configuration through grants/me, edits its
duration and hours, and <nylas-scheduling> books it. Access tokens live 20 s on this server,
under the editor's 30 s margin, so every call the editor makes first refreshes its token
(rotation, no sleeping); a revoked sign-in then signs the editor out."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.models import Booking, Configuration, Event, GroupEvent, RefreshToken
from tests.conftest import API_KEY
from tests.hosted.editor_site import editor_site
from tests.hosted.support import CLIENT_ID
from tests.notifications.smtp import SmtpServer
from tests.providers.conftest import Account
from tests.scheduling.test_group_events import book_seat, offer
from tests.support.browser import CHROMIUM_ARGS
from tests.support.server import LiveServer
from tests.support.waiting import BROWSER_TIMEOUT_MS, HTTP_TIMEOUT
from tests.support.web_elements import (
    pick_first_slot,
    require_chromium,
    wait_for,
    web_elements_bundle,
)

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".cache" / "screenshots"
# Below the identity module's 30 s margin: it refreshes before every call.
TOKEN_SECONDS = 20


@pytest.fixture
def hosted_server(mail_settings: Settings, db: Database) -> Iterator[LiveServer]:
    """A server of its own: short-lived access tokens, a worker that sends the codes."""
    settings = dataclasses.replace(
        mail_settings, access_token_seconds=TOKEN_SECONDS, run_worker=True
    )
    server = LiveServer(settings, db).start()
    yield server
    server.stop()


def _code(smtp: SmtpServer) -> str:
    _, message = smtp.mailbox.wait_for(1)[0]
    found = re.search(r"code: (\d{6})", str(message["Subject"]))
    assert found, message["Subject"]
    return found.group(1)


def _configurations(db: Database) -> list[Configuration]:
    with db.session(write=False) as session:
        return list(session.scalars(select(Configuration)))


def _document(db: Database) -> dict[str, Any]:
    [config] = _configurations(db)
    return dict(config.document)


def _used_refresh_tokens(db: Database) -> int:
    with db.session(write=False) as session:
        rows = session.scalars(select(RefreshToken).where(RefreshToken.used_at.is_not(None)))
        return len(list(rows))


def _days_open(document: dict[str, Any]) -> set[int]:
    rules = document.get("availability", {}).get("availability_rules", {})
    return {day for hours in rules.get("default_open_hours", []) for day in hours["days"]}


def _sign_in(page: Any, site: str, server: LiveServer, smtp: SmtpServer) -> None:
    page.locator("button.other-provider-button").click()
    page.wait_for_url(
        lambda url: url.startswith(f"{server.url}/v3/connect/auth"), timeout=BROWSER_TIMEOUT_MS
    )
    page.fill("form.sign-in-email input[name=email]", "ada@example.com")
    page.click("form.sign-in-email button")
    page.wait_for_selector("form.sign-in-code", timeout=BROWSER_TIMEOUT_MS)
    page.fill("form.sign-in-code input[name=code]", _code(smtp))
    page.click("form.sign-in-code button")
    page.wait_for_url(lambda url: url.startswith(f"{site}/editor.html"), timeout=BROWSER_TIMEOUT_MS)


def test_editor_signs_in_edits_and_the_scheduling_component_books(
    hosted_server: LiveServer,
    db: Database,
    ada: tuple[str, str],
    smtp: SmtpServer,
    tmp_path: Path,
) -> None:
    chromium = require_chromium()
    bundle = web_elements_bundle()
    from playwright.sync_api import sync_playwright

    server = hosted_server
    errors: list[str] = []
    calls: list[str] = []
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with (
        httpx.Client(base_url=server.url, headers=headers, timeout=HTTP_TIMEOUT) as api,
        editor_site(bundle, tmp_path / "site") as site,
        sync_playwright() as pw,
    ):
        register = {"url": f"{site}/editor.html", "platform": "web", "settings": {"origin": site}}
        assert api.post("/v3/applications/redirect-uris", json=register).status_code == 200
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900}, timezone_id="UTC")
            page.on(
                "console", lambda m: errors.append(m.text) if "editor error" in m.text else None
            )
            page.on(
                "request",
                lambda r: (
                    calls.append(f"{r.method} {r.url.split('?')[0]}")
                    if r.url.startswith(server.url)
                    else None
                ),
            )
            settings = {"clientId": CLIENT_ID, "domain": server.url + "/v3", "api": server.url}
            page.goto(f"{site}/editor.html")
            page.evaluate(
                f"localStorage.setItem('slotwise-test', {json.dumps(json.dumps(settings))})"
            )
            page.reload()
            _sign_in(page, site, server, smtp)
            page.locator("button", has_text="Create new").click()

            # A 1:1 configuration: title and duration, then Create.
            page.get_by_text("Allows 1:1 bookings").click()
            title = page.locator("nylas-event-title").locator("input, textarea, [contenteditable]")
            title.first.fill("Office hours")
            page.locator("nylas-event-duration input").first.fill("45")
            page.locator("button", has_text="Create").last.click()
            wait_for(page, lambda: len(_configurations(db)) == 1, "the created configuration")
            document = _document(db)
            assert document["availability"]["duration_minutes"] == 45
            assert document["event_booking"]["title"] == "Office hours"
            assert document["participants"][0]["email"] == "ada@example.com"

            # Edit: Sundays open as well, then a longer duration.
            # The editor can still be re-rendering the configuration it just created; a tab
            # click that lands on the view being replaced is lost, so it is repeated until the
            # day picker shows.
            sunday = page.locator("nylas-availability-picker label[for=SUN]")

            def availability_tab_open() -> bool:
                if not sunday.is_visible():
                    page.get_by_text("Availability", exact=True).first.click()
                return sunday.is_visible()

            wait_for(page, availability_tab_open, "the availability tab")
            sunday.click()
            page.locator("button", has_text="Save changes").click()
            wait_for(page, lambda: 0 in _days_open(_document(db)), "the edited hours")
            page.get_by_text("Event info", exact=True).first.click()
            duration = page.locator("nylas-event-duration input").first
            duration.fill("60")
            duration.press("Tab")
            page.locator("button", has_text="Save changes").click()
            wait_for(
                page,
                lambda: _document(db)["availability"]["duration_minutes"] == 60,
                "the edited duration",
            )
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "scheduler-editor-saved.png"))
            # Every call refreshed first: the refresh tokens rotated, none was refused.
            assert _used_refresh_tokens(db) >= 2
            assert f"PUT {server.url}/v3/grants/me/scheduling/configurations/" in " ".join(calls)

            # The guest books the edited configuration with the scheduling component.
            [config] = _configurations(db)
            guest = browser.new_page(viewport={"width": 1100, "height": 800}, timezone_id="UTC")
            guest.goto(f"{site}/index.html?api={server.url}&config_id={config.id}")
            pick_first_slot(guest)
            guest.locator("button.button-primary", has_text="Next").click()
            inputs = guest.locator("nylas-booking-form input")
            inputs.nth(0).fill("Grace Hopper")
            inputs.nth(1).fill("grace@example.com")
            guest.locator("button.button-primary", has_text="Book now").click()
            guest.wait_for_function("() => window.booked !== undefined", timeout=BROWSER_TIMEOUT_MS)
            with db.session(write=False) as session:
                [booking] = list(session.scalars(select(Booking)))
            assert booking.configuration_id == config.id
            assert booking.end_ts - booking.start_ts == 3600

            # Revoking the sign-in (its refresh token, with its family) signs the editor out.
            grant = json.loads(page.evaluate("localStorage.getItem('grant')"))
            revoked = api.post("/v3/connect/revoke", params={"token": grant["refresh_token"]})
            assert revoked.status_code == 200
            page.reload()
            page.locator("button.other-provider-button").wait_for(timeout=BROWSER_TIMEOUT_MS)
            assert page.evaluate("localStorage.getItem('grant')") is None
            page.screenshot(path=str(SCREENSHOTS / "scheduler-editor-signed-out.png"))
        except BaseException:
            page.screenshot(path=str(SCREENSHOTS / "scheduler-editor-failed.png"))
            print("\n".join(calls))
            print("DOC", json.dumps([c.document for c in _configurations(db)]))
            raise
        finally:
            browser.close()
    assert not errors, errors


def test_editor_signs_in_with_a_caldav_account(
    hosted_server: LiveServer, db: Database, account: Account, tmp_path: Path
) -> None:
    chromium = require_chromium()
    bundle = web_elements_bundle()
    from playwright.sync_api import sync_playwright

    server = hosted_server
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with (
        httpx.Client(base_url=server.url, headers=headers, timeout=HTTP_TIMEOUT) as api,
        editor_site(bundle, tmp_path / "site") as site,
        sync_playwright() as pw,
    ):
        register = {"url": f"{site}/editor.html", "platform": "web", "settings": {"origin": site}}
        assert api.post("/v3/applications/redirect-uris", json=register).status_code == 200
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900}, timezone_id="UTC")
            settings = {"clientId": CLIENT_ID, "domain": server.url + "/v3", "api": server.url}
            page.goto(f"{site}/editor.html")
            page.evaluate(
                f"localStorage.setItem('slotwise-test', {json.dumps(json.dumps(settings))})"
            )
            page.reload()
            page.locator("button.other-provider-button").click()
            page.wait_for_url(
                lambda url: url.startswith(f"{server.url}/v3/connect/auth"),
                timeout=BROWSER_TIMEOUT_MS,
            )
            form = page.locator("form.sign-in-calendar")
            form.locator("select[name=provider]").select_option("caldav")
            form.locator("input[name=email]").fill(account.email)
            form.locator("input[name=url]").fill(account.server.url + "/")
            form.locator("input[name=username]").fill(account.user)
            form.locator("input[name=password]").fill(account.password)
            form.locator("button").click()
            page.wait_for_url(
                lambda url: url.startswith(f"{site}/editor.html"), timeout=BROWSER_TIMEOUT_MS
            )
            # Signed in as the CalDAV account: the editor lists its (no) configurations.
            page.locator("button", has_text="Create new").wait_for(timeout=BROWSER_TIMEOUT_MS)
            grant = json.loads(page.evaluate("localStorage.getItem('grant')"))
            found = api.get(f"/v3/grants/{grant['grant_id']}").json()["data"]
            assert (found["provider"], found["email"]) == ("caldav", account.email)
        finally:
            browser.close()


def test_editor_makes_a_recurring_group_event_that_books_to_capacity(
    hosted_server: LiveServer,
    db: Database,
    ada: tuple[str, str],
    smtp: SmtpServer,
    tmp_path: Path,
    new_client: Callable[..., httpx.Client],
) -> None:
    chromium = require_chromium()
    bundle = web_elements_bundle()
    from playwright.sync_api import sync_playwright

    server = hosted_server
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with (
        httpx.Client(base_url=server.url, headers=headers, timeout=HTTP_TIMEOUT) as api,
        editor_site(bundle, tmp_path / "site") as site,
        sync_playwright() as pw,
    ):
        register = {"url": f"{site}/editor.html", "platform": "web", "settings": {"origin": site}}
        assert api.post("/v3/applications/redirect-uris", json=register).status_code == 200
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900}, timezone_id="UTC")
            settings = {"clientId": CLIENT_ID, "domain": server.url + "/v3", "api": server.url}
            page.goto(f"{site}/editor.html")
            page.evaluate(
                f"localStorage.setItem('slotwise-test', {json.dumps(json.dumps(settings))})"
            )
            page.reload()
            _sign_in(page, site, server, smtp)
            page.locator("button", has_text="Create new").click()
            page.get_by_text("Group / Class").click()
            title = page.locator("nylas-event-title").locator("input, textarea, [contenteditable]")
            title.first.fill("Yoga class")
            page.get_by_text("Does not repeat").click()
            page.get_by_text("Daily").first.click()
            seats = page.locator("nylas-event-capacity input").first
            seats.fill("2")
            seats.press("Tab")
            page.locator("button", has_text="Create").last.click()

            def made() -> bool:
                with db.session(write=False) as session:
                    return session.scalar(select(GroupEvent)) is not None

            wait_for(page, made, "the group event made in the editor")
        finally:
            browser.close()
    with db.session(write=False) as session:
        group = session.scalar(select(GroupEvent))
        assert group is not None
        event = session.get(Event, group.event_id)
        assert event is not None and event.recurrence
        assert any("FREQ=DAILY" in line for line in event.recurrence)
        capacity = group.capacity
    assert capacity == 2  # the seats set in the editor
    [config] = _configurations(db)
    assert config.document["type"] == "group"
    guest = new_client(server.url)
    slots = offer(guest, config.id, event.start_ts + 86_400 - 1, event.start_ts + 4 * 86_400)
    assert len(slots) >= 2, slots  # one slot per meeting of the daily series
    slot = slots[0]
    for i in range(capacity):
        taken = book_seat(guest, config.id, slot, f"guest{i}@example.com")
        assert taken.status_code == 200, taken.text
    full = book_seat(guest, config.id, slot, "late@example.com")
    assert full.status_code == 409, full.text
