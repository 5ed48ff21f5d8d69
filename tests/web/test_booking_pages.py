"""The booking pages as guests meet them, in real Chromium: the month calendar and its keys,
the guest's clock and language habits (en-US, de-DE, ja-JP), zones ahead of and behind the
organizer's, a DST change, and axe-core on every page state at desktop and phone widths."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from babel.dates import format_skeleton
from sqlalchemy import select

from slotwise import clock
from slotwise.db.engine import Database
from slotwise.db.models import OutboxMessage
from tests.support.axe import axe_source, serious_violations
from tests.support.browser import chromium
from tests.support.scheduling import config_body, create_config, future_hour, participant
from tests.support.server import LiveServer

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}
TWENTY_FOUR_HOUR = re.compile(r"^\d{2}:\d{2}$")


def twelve_hour(text: str) -> bool:
    """'2:30 PM', '午後2:30': an hour of at most 12 and a day period beside it."""
    found = re.search(r"(\d{1,2}):\d{2}", text)
    return found is not None and int(found.group(1)) <= 12 and bool(re.sub(r"[\d:\s]", "", text))


def twenty_four_hour(text: str) -> bool:
    return TWENTY_FOUR_HOUR.match(text) is not None


@contextmanager
def guest_page(
    browser: Any, locale: str, zone: str, viewport: dict[str, int] = DESKTOP
) -> Iterator[tuple[Any, list[str]]]:
    """A page in a browser set to `locale` and `zone`, collecting script errors and console
    errors (a load the CSP refused, an error status)."""
    context = browser.new_context(locale=locale, timezone_id=zone, viewport=viewport)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        yield page, problems
    finally:
        context.close()


def visible_slots(page: Any) -> list[str]:
    return [s.strip() for s in page.locator("a.slot:visible").all_inner_texts()]


def focused_day(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement.dataset.day || ''"))


# -- the month calendar -----------------------------------------------------------------------


def test_calendar_is_the_default_view_and_follows_the_grid_pattern(
    server: LiveServer, make_page: Callable[..., Any]
) -> None:
    make_page(slug="cal", scheduler={"available_days_in_future": 75})
    with chromium() as browser, guest_page(browser, "en-US", "America/New_York") as (page, bad):
        page.goto(f"{server.url}/book/cal")
        page.wait_for_url(re.compile(r"tz=America%2FNew_York"))
        grid = page.locator("table[role=grid]")
        assert grid.is_visible()
        assert page.locator("[data-list-view]").is_hidden()  # the list is the no-script page
        assert grid.get_attribute("aria-labelledby") == "month-label"
        # One cell in the tab order: the chosen day, whose times show beside the grid.
        assert page.locator("td[role=gridcell][tabindex='0']").count() == 1
        chosen = page.locator("td[aria-selected=true]")
        day = str(chosen.get_attribute("data-day"))
        assert page.locator(f"ul[data-times='{day}']").is_visible()
        assert all(twelve_hour(t) for t in visible_slots(page))
        assert "(America/New York)" in page.locator("#times-label").inner_text()

        chosen.focus()
        start = date.fromisoformat(day)

        def moved(key: str, expected: date) -> None:
            page.keyboard.press(key)
            page.wait_for_function(
                "d => document.activeElement && document.activeElement.dataset.day === d",
                arg=expected.isoformat(),
            )
            assert page.locator("td[role=gridcell][tabindex='0']").count() == 1

        moved("ArrowDown", start + timedelta(days=7))
        moved("ArrowUp", start)
        moved("ArrowRight", start + timedelta(days=1))
        moved("ArrowLeft", start)
        row = page.evaluate(
            "() => [...document.activeElement.parentNode.querySelectorAll('td[data-day]')]"
            ".map(c => c.dataset.day)"
        )
        moved("Home", date.fromisoformat(row[0]))  # the week's first day (of this month)
        moved("End", date.fromisoformat(row[-1]))
        # Enter chooses the focused day (if it has times) and shows them.
        page.keyboard.press("ArrowLeft")
        here = focused_day(page)
        if page.locator(f"td[data-day='{here}']").get_attribute("aria-disabled") is None:
            page.keyboard.press("Enter")
            assert page.locator(f"td[data-day='{here}']").get_attribute("aria-selected") == "true"
            assert page.locator(f"ul[data-times='{here}']").is_visible()
        # PageDown: the next month, the same day of it focused.
        label = page.locator("#month-label").inner_text()
        page.keyboard.press("PageDown")
        page.wait_for_function(
            "l => document.getElementById('month-label').textContent !== l", arg=label
        )
        page.wait_for_function("() => document.activeElement.dataset.day !== undefined")
        following = date.fromisoformat(focused_day(page))
        assert following.month == date.fromisoformat(here).month % 12 + 1
        assert following.day == min(date.fromisoformat(here).day, following.day)
        page.keyboard.press("PageUp")
        page.wait_for_function(
            "l => document.getElementById('month-label').textContent === l", arg=label
        )
        # A click on a day with times shows its times; a slot opens the form.
        page.locator("td.has-times").last.click()
        first = page.locator("a.slot:visible").first
        text = first.inner_text()
        first.click()
        page.wait_for_selector("form.booking")
        assert text in page.locator(".chosen").inner_text()
        assert bad == []


def test_zone_picker_is_searchable_and_grouped_with_offsets(
    server: LiveServer, make_page: Callable[..., Any]
) -> None:
    make_page(slug="zones")
    with chromium() as browser, guest_page(browser, "en-GB", "Europe/London") as (page, bad):
        page.goto(f"{server.url}/book/zones?tz=Europe/London")
        assert page.locator("#tz optgroup[label=America] option[value='America/Chicago']").count()
        berlin = page.locator("#tz option[value='Europe/Berlin']").inner_text()
        assert re.fullmatch(r"Berlin \(UTC\+0[12]:00\)", berlin)
        search = page.locator("#tz-search")
        assert search.is_visible()
        search.fill("tokyo")
        hidden = page.evaluate(
            "() => [...document.querySelectorAll('#tz option')].filter(o => !o.hidden).length"
        )
        assert hidden == 1
        search.press("Enter")
        page.wait_for_url(re.compile(r"tz=Asia%2FTokyo"))
        assert "(Asia/Tokyo)" in page.locator("#times-label").inner_text()
        assert all(twenty_four_hour(t) for t in visible_slots(page))  # en-GB: 24-hour
        assert bad == []


# -- the guest's clock, language and zone ------------------------------------------------------

LOCALES = [
    # (browser locale, guest zone, 12-hour?) — Los Angeles is behind the organizer's UTC,
    # Berlin and Tokyo ahead of it.
    ("en-US", "America/Los_Angeles", True),
    ("de-DE", "Europe/Berlin", False),
    ("ja-JP", "Asia/Tokyo", False),
]


@pytest.mark.parametrize(("locale", "zone", "hour12"), LOCALES)
def test_guest_clock_language_and_zone(
    server: LiveServer,
    api: httpx.Client,
    make_page: Callable[..., Any],
    locale: str,
    zone: str,
    hour12: bool,
) -> None:
    make_page(slug="clock")
    with chromium() as browser, guest_page(browser, locale, zone) as (page, bad):
        page.goto(f"{server.url}/book/clock")
        page.wait_for_url(re.compile(r"tz="))
        assert f"({zone.replace('_', ' ')})" in page.locator("#times-label").inner_text()
        clock_of = twelve_hour if hour12 else twenty_four_hour
        assert all(clock_of(t) for t in visible_slots(page)), visible_slots(page)
        shown = date.fromisoformat(
            str(page.locator("td[aria-selected=true]").get_attribute("data-day"))
        )
        month = format_skeleton("yMMMM", shown.replace(day=1), locale=locale.replace("-", "_"))
        assert page.locator("#month-label").inner_text() == month
        # The switch: the other clock, kept on the way to the form.
        other = "24-hour" if hour12 else "12-hour"
        page.locator(".clock a").nth(1 if hour12 else 0).click()
        page.wait_for_url(re.compile(r"clock=(12|24)"))
        flipped = twenty_four_hour if hour12 else twelve_hour
        assert all(flipped(t) for t in visible_slots(page)), (other, visible_slots(page))
        slot = page.locator("a.slot:visible").first
        start = int(re.search(r"start=(\d+)", str(slot.get_attribute("href"))).group(1))  # type: ignore[union-attr]
        slot.click()
        page.wait_for_selector("form.booking")
        page.fill("#guest_name", "Grace Hopper")
        page.fill("#guest_email", "grace@example.com")
        page.click("form.booking button[type=submit]")
        page.wait_for_selector("a[href$='calendar.ics']")
        main = page.inner_text("main")
        local = datetime.fromtimestamp(start, ZoneInfo(zone))
        utc = datetime.fromtimestamp(start, UTC)
        hour = local.strftime("%I:%M").lstrip("0") if not hour12 else local.strftime("%H:%M")
        assert hour in main  # the guest's zone, in the clock they switched to
        utc_hour = utc.strftime("%I:%M").lstrip("0") if not hour12 else utc.strftime("%H:%M")
        assert utc_hour in main and "(UTC)" in main  # and the organizer's
        assert f"({zone.replace('_', ' ')})" in main
        assert bad == []


def test_times_follow_a_dst_change_in_either_zone(
    server: LiveServer,
    api: httpx.Client,
    ada: tuple[str, str],
    frozen_clock: int,
) -> None:
    """Berlin opens 9:00-17:00. New York moves to summer time on 14 March 2027, Berlin on the
    28th: for two weeks they are five hours apart instead of six."""
    clock.freeze(int(datetime(2027, 3, 8, 12, tzinfo=UTC).timestamp()))
    grant_id, calendar_id = ada
    hours = {"days": [0, 1, 2, 3, 4, 5, 6], "start": "9:00", "end": "17:00"}
    body = config_body(
        [participant("ada@example.com", calendar_id, organizer=True, name="Ada Lovelace")],
        availability={
            "duration_minutes": 60,
            "availability_rules": {"default_open_hours": [{**hours, "timezone": "Europe/Berlin"}]},
        },
        event_booking={"title": "Across DST", "timezone": "Europe/Berlin"},
        scheduler={"min_booking_notice": 0, "available_days_in_future": 40},
        slug="dst",
    )
    create_config(api, grant_id, body)
    # (day, a time the guest's day shows, one it does not): Berlin's 9:00 in the guest's zone.
    cases = [
        (
            "en-US",
            "America/New_York",  # behind: 3:00 AM, 4:00 AM once New York is on summer time
            [
                ("2027-03-12", "3:00 AM", "2:00 AM"),
                ("2027-03-15", "4:00 AM", "3:00 AM"),
                ("2027-03-29", "3:00 AM", "2:00 AM"),
            ],
        ),
        (
            "ja-JP",
            "Asia/Tokyo",  # ahead, with no DST of its own: 17:00, 16:00 once Berlin moves
            [
                ("2027-03-12", "17:00", "16:00"),
                ("2027-03-15", "17:00", "16:00"),
                ("2027-03-29", "16:00", "15:00"),
            ],
        ),
    ]
    with chromium() as browser:
        for locale, zone, days in cases:
            with guest_page(browser, locale, zone) as (page, bad):
                for day, shown, absent in days:
                    page.goto(f"{server.url}/book/dst?tz={zone}&from={day}")
                    assert page.locator("td[aria-selected=true]").get_attribute("data-day") == day
                    times = visible_slots(page)
                    assert shown in times and absent not in times, (zone, day, times)
                assert bad == []


# -- accessibility ----------------------------------------------------------------------------


def _outbox(db: Database) -> list[OutboxMessage]:
    with db.session(write=False) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_nothing_serious_on_any_page_state(
    server: LiveServer,
    db: Database,
    make_page: Callable[..., Any],
    viewport: dict[str, int],
) -> None:
    source = axe_source()
    make_page(
        slug="a11y",
        appearance={"color": "#e91e63", "company_name": "Acme"},
        scheduler={"cancellation_policy": "Cancel a day ahead."},
    )
    make_page(slug="a11y-ask", event_booking={"booking_type": "organizer-confirmation"})
    found: dict[str, list[str]] = {}
    with (
        chromium() as browser,
        guest_page(browser, "en-US", "Europe/Berlin", viewport) as (
            page,
            _,
        ),
    ):

        def check(state: str) -> None:
            found[state] = serious_violations(page, source)

        page.goto(f"{server.url}/book/a11y?tz=Europe/Berlin")
        check("booking")
        page.keyboard.press("Tab")
        outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", "the focused control shows no focus ring"
        page.locator("a.slot:visible").first.click()
        page.wait_for_selector("form.booking")
        check("form")
        # Past the browser's own checks, so the server's error shows.
        page.evaluate("() => document.querySelector('form.booking').noValidate = true")
        page.fill("#guest_email", "not-an-address")
        page.click("form.booking button[type=submit]")
        page.wait_for_selector(".error")
        check("form errors")
        page.fill("#guest_name", "Grace Hopper")
        page.fill("#guest_email", "grace@example.com")
        page.click("form.booking button[type=submit]")
        page.wait_for_selector("text=You’re booked")
        check("confirmation")
        manage = page.url.split("?")[0]
        page.goto(manage)
        check("manage")
        page.goto(f"{manage}?step=reschedule")
        check("reschedule")
        page.goto(f"{manage}?step=cancel")
        check("cancel")
        page.click("text=Cancel my booking")
        page.wait_for_selector("text=Book another time")
        check("cancelled")
        page.goto(f"{server.url}/book/no-such-page")
        check("not found")

        start = future_hour(2, 11)
        page.goto(f"{server.url}/book/a11y-ask?tz=UTC&start={start}")
        page.fill("#guest_name", "Grace Hopper")
        page.fill("#guest_email", "grace@example.com")
        page.click("form.booking button[type=submit]")
        page.wait_for_selector("text=Request sent")
        check("request sent")
        [message] = [m for m in _outbox(db) if m.trigger == "booking.pending"]
        url = message.payload["booking_info"]["host_confirmation_url"]
        page.goto(server.url + urlsplit(url).path)
        check("organizer confirmation")
    assert {state: v for state, v in found.items() if v} == {}


def test_without_javascript_the_page_is_the_list_and_books(
    server: LiveServer, make_page: Callable[..., Any]
) -> None:
    make_page(slug="plain")
    with chromium() as browser:
        context = browser.new_context(
            java_script_enabled=False, locale="de-DE", timezone_id="Europe/Berlin"
        )
        page = context.new_page()
        page.goto(f"{server.url}/book/plain?tz=Europe/Berlin")
        assert page.locator("[data-calendar]").is_hidden()
        assert page.locator("[data-list-view]").is_visible()
        assert page.locator("#tz-search").is_hidden()
        assert page.locator("[data-zone-submit]").is_visible()  # the picker is a GET form
        times = [t.strip() for t in page.locator("section.day a.slot").all_inner_texts()]
        assert times and all(twenty_four_hour(t) for t in times)
        page.locator(".clock a").first.click()  # 12-hour, as a plain link
        assert all(twelve_hour(t) for t in visible_slots(page))
        page.locator("section.day a.slot").first.click()
        page.fill("#guest_name", "Grace Hopper")
        page.fill("#guest_email", "grace@example.com")
        page.click("form.booking button[type=submit]")
        page.wait_for_selector("a[href$='calendar.ics']")
        assert page.locator("[data-copy]").is_hidden()  # copying needs the script
        assert page.locator("#manage-address").is_visible()
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_times_show_beside_the_calendar_or_below_it_on_a_phone(
    server: LiveServer, make_page: Callable[..., Any], viewport: dict[str, int]
) -> None:
    make_page(slug="layout")
    with chromium() as browser, guest_page(browser, "en-US", "UTC", viewport) as (page, bad):
        page.goto(f"{server.url}/book/layout?tz=UTC")
        grid = page.locator("table[role=grid]").bounding_box()
        times = page.locator("section.times").bounding_box()
        assert grid is not None and times is not None
        if viewport is PHONE:
            assert times["y"] >= grid["y"] + grid["height"]
        else:
            assert times["x"] >= grid["x"] + grid["width"]
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport["width"]  # nothing wider than the screen
        assert bad == []
