"""The booking page holds the picked time while the guest fills in the form, and a refused
booking offers the next free times: in real Chromium, and as plain HTML."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from slotwise.db.engine import Database
from slotwise.db.models import Booking, Hold
from tests.support.browser import chromium
from tests.support.scheduling import HOUR, book, future_hour
from tests.support.server import LiveServer


def _holds(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(Hold)) or 0)


def _offered(api: httpx.Client, config_id: str, start: int) -> bool:
    response = api.get(
        "/v3/scheduling/availability",
        params={"configuration_id": config_id, "start_time": start, "end_time": start + 1800},
    )
    return bool(response.json()["data"]["time_slots"])


@pytest.mark.browser
def test_the_form_holds_the_time_and_the_booking_converts_it(
    server: LiveServer, api: httpx.Client, db: Database, make_page: Callable[..., Any]
) -> None:
    config = make_page(slug="held")
    start = future_hour(3, 10)
    with chromium() as browser:
        context = browser.new_context(locale="en-US", timezone_id="UTC")
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(f"{server.url}/book/held?tz=UTC&start={start}")
        note = page.locator("[data-hold]")
        note.wait_for(state="visible")
        assert re.search(r"held for you for [45]:\d\d", note.inner_text()), note.inner_text()
        # Held: nobody else is offered or may book the time.
        assert not _offered(api, config["id"], start)
        taken = book(api, config["id"], start)
        assert taken.status_code == 409, taken.text
        # Reloading the form keeps the tab's hold (moved onto the same time): still one hold.
        page.reload()
        note.wait_for(state="visible")
        assert "held for you" in note.inner_text()
        assert _holds(db) == 1
        # Picking another time moves the tab's hold: the first time is free again.
        page.goto(f"{server.url}/book/held?tz=UTC&start={start + HOUR}")
        note.wait_for(state="visible")
        page.wait_for_function("() => document.querySelector('[data-hold-id]').value !== ''")
        assert _holds(db) == 1
        assert _offered(api, config["id"], start)
        assert not _offered(api, config["id"], start + HOUR)
        page.fill("#guest_name", "Grace Hopper")
        page.fill("#guest_email", "grace@example.com")
        page.click("form.booking button[type=submit]")
        page.wait_for_selector("a[href$='calendar.ics']")
        context.close()
    assert problems == []
    assert _holds(db) == 0
    with db.session(write=False) as session:
        [booking] = session.scalars(select(Booking)).all()
    assert booking.start_ts == start + HOUR and booking.guest["email"] == "grace@example.com"


@pytest.mark.browser
def test_a_time_held_in_one_browser_is_taken_in_another(
    server: LiveServer, make_page: Callable[..., Any]
) -> None:
    make_page(slug="busy")
    start = future_hour(3, 10)
    with chromium() as browser:
        first = browser.new_context(locale="en-US", timezone_id="UTC").new_page()
        first.goto(f"{server.url}/book/busy?tz=UTC&start={start}")
        first.locator("[data-hold]").wait_for(state="visible")
        other = browser.new_context(locale="en-US", timezone_id="UTC").new_page()
        other.goto(f"{server.url}/book/busy?tz=UTC&start={start}")
        note = other.locator("[data-hold]")
        note.wait_for(state="visible")
        assert "just taken" in note.inner_text()
        assert other.locator("[data-hold-id]").input_value() == ""
        # Its list does not offer the held time either.
        other.goto(f"{server.url}/book/busy?tz=UTC")
        hrefs = other.locator("a.slot").evaluate_all("links => links.map(a => a.href)")
        assert hrefs and not any(re.search(rf"start={start}(&|$)", h) for h in hrefs)


def test_a_refused_booking_offers_the_next_free_times(
    server: LiveServer, api: httpx.Client, make_page: Callable[..., Any]
) -> None:
    config = make_page(slug="taken")
    start = future_hour(3, 10)
    assert book(api, config["id"], start).status_code == 200
    with httpx.Client(base_url=server.url) as guest:
        response = guest.post(
            "/book/taken",
            data={
                "start": str(start),
                "tz": "UTC",
                "guest_name": "Grace Hopper",
                "guest_email": "grace@example.com",
            },
            headers={"Origin": server.url},
        )
    assert response.status_code == 409, response.text
    assert "The next free times" in response.text
    links = re.findall(r'class="slot" href="[^"]*start=(\d+)', response.text)
    assert [int(x) for x in links[:3]] == [start + 1800, start + 3600, start + 5400]
