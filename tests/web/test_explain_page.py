"""The organizer's "why not this time" page: organizers see a day explained, guests never do."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx

from slotwise.db.engine import Database
from tests.conftest import API_KEY
from tests.scheduling.test_availability import add_event
from tests.support.scheduling import DAY, HOUR


def _rows(html: str) -> dict[str, tuple[str, str]]:
    """Time label → (Yes/No, the reasons' text) of the page's table."""
    out = {}
    pattern = r'<tr class="[a-z-]+">\s*<td>([^<]+)</td>\s*<td>(Yes|No)</td>\s*<td>(.*?)</td>'
    for label, offered, reasons in re.findall(pattern, html, re.S):
        out[label.strip()] = (offered, re.sub(r"<[^>]+>", " ", reasons).strip())
    return out


def test_the_organizer_sees_each_time_explained(
    web: httpx.Client, api: httpx.Client, db: Database, make_page: Any, ada: tuple[str, str]
) -> None:
    config = make_page(slug="ada-explained")
    grant_id, calendar_id = ada
    day = (int(datetime.now(UTC).timestamp()) // DAY + 3) * DAY
    add_event(db, grant_id, calendar_id, day + 10 * HOUR, day + 11 * HOUR)
    iso = datetime.fromtimestamp(day, UTC).date().isoformat()
    page = web.get(
        "/book/ada-explained/explain",
        params={"date": iso},
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    assert page.status_code == 200, page.text[:500]
    assert page.headers["cache-control"] == "no-store"
    rows = _rows(page.text)
    assert rows["09:00"] == ("Yes", "")
    assert rows["10:00"][0] == "No"
    assert "ada@example.com: busy with event" in rows["10:00"][1]
    assert "outside every open-hours rule" in rows["08:00"][1]
    # The same day through the API says the same.
    listed = api.get(
        "/v3/scheduling/availability",
        params={"configuration_id": config["id"], "start_time": day, "end_time": day + DAY},
    )
    offered = {s["start_time"] for s in listed.json()["data"]["time_slots"]}
    assert (day + 9 * HOUR in offered) and (day + 10 * HOUR not in offered)


def test_a_session_of_the_configuration_opens_it_by_form(
    web: httpx.Client, api: httpx.Client, make_page: Any
) -> None:
    config = make_page(slug="ada-session")
    other = make_page(slug="ada-other")
    session = api.post("/v3/scheduling/sessions", json={"configuration_id": config["id"]})
    token = session.json()["data"]["session_id"]
    page = web.post("/book/ada-session/explain", data={"token": token, "date": ""})
    assert page.status_code == 200, page.text[:500]
    assert "Why not this time: Intro call" in page.text
    # Another configuration's session opens nothing.
    refused = web.post("/book/ada-other/explain", data={"token": token})
    assert refused.status_code == 401 and "does not open this page" in refused.text
    assert other["id"] not in refused.text


def test_guests_never_see_it(web: httpx.Client, make_page: Any) -> None:
    make_page(slug="ada-guests")
    page = web.get("/book/ada-guests/explain")
    assert page.status_code == 401
    assert "API key or session" in page.text
    assert "Intro call" not in page.text and "<table" not in page.text
    # A name that does not exist looks the same: nothing tells which pages exist.
    missing = web.get("/book/nobody-here/explain")
    assert missing.status_code == 401 and missing.text == page.text
    for token in ("garbage", "Bearer", ""):
        wrong = web.post("/book/ada-guests/explain", data={"token": token})
        assert wrong.status_code == 401 and "<table" not in wrong.text
    wrong = web.get("/book/ada-guests/explain", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "<table" not in wrong.text
    # The booking page itself links no explanation for guests.
    assert "/explain" not in web.get("/book/ada-guests").text


def test_a_form_from_another_site_is_refused(web: httpx.Client, make_page: Any) -> None:
    make_page(slug="ada-csrf")
    response = web.post(
        "/book/ada-csrf/explain",
        data={"token": API_KEY},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403


def test_odd_days_read_as_today_or_the_last_day(web: httpx.Client, make_page: Any) -> None:
    make_page(slug="ada-odd")
    auth = {"Authorization": f"Bearer {API_KEY}"}
    for day in ("9999-12-31", "0001-01-01", "soon", "2026-02-30", "x" * 5000):
        page = web.get("/book/ada-odd/explain", params={"date": day}, headers=auth)
        assert page.status_code == 200, (day, page.text[:300])
        assert "<table" in page.text
