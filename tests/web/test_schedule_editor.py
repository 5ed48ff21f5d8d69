"""The Schedule Editor in Chromium: an app on another loopback origin loads the script, opens the
editor with a page's edit_token (or an account's access token) and edits (or creates) the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.browser import chromium
from tests.support.pages import (
    Account,
    account,
    bearer,
    booking_request,
    create_page,
    page_body,
)
from tests.support.web_elements import folder_server

pytestmark = pytest.mark.browser

HOUR = 3600
EDITOR_FRAME = "iframe[title='Edit your page']"

# The button code of seed 000 step 3; only the script's src points at Slotwise.
APP_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>My app</title>
<script src="{api}/schedule-editor/v1.0/schedule-editor.js"></script>
</head><body>
<button id="schedule-editor">Schedule Editor</button>
<script>
var btn = document.getElementById('schedule-editor');
btn.addEventListener('click', function() {{
  nylas.scheduler.show({{
    auth: {auth},
    style: {{
      tintColor: '#32325d',
      backgroundColor: 'white',
      modalTitle: 'Edit your page',
    }},
    defaults: {{
      event: {{ title: 'Intro Meeting', duration: 45, location: 'Sightglass Coffee, SOMA' }},
    }},
    behavior: {behavior},
  }});
}});
</script>
</body></html>
"""


def _page(api: httpx.Client, slug: str, **config: Any) -> tuple[Account, dict[str, Any]]:
    ada = account(api, f"ada-{slug}@example.com")
    return ada, create_page(api, page_body(ada, slug=slug, **config), ada.token)


@contextmanager
def _app(tmp_path: Path, api_url: str, auth: str, behavior: str = "{}") -> Iterator[str]:
    root = tmp_path / "app"
    root.mkdir()
    (root / "index.html").write_text(APP_PAGE.format(api=api_url, auth=auth, behavior=behavior))
    with folder_server(root) as url:
        yield url + "/index.html"


def test_the_script_and_the_editor_page_are_served(web: httpx.Client) -> None:
    script = web.get("/schedule-editor/v1.0/schedule-editor.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "nylas.scheduler.show" in script.text
    editor = web.get("/schedule-editor/v1.0/editor")
    assert editor.status_code == 200
    csp = editor.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert editor.headers["referrer-policy"] == "no-referrer"


def test_edit_a_page_with_its_edit_token(server: Any, api: httpx.Client, tmp_path: Path) -> None:
    _, page_data = _page(api, "ada-intro")
    edit_token = page_data["edit_token"]
    seen: list[str] = []
    auth = f"{{pageEditToken: '{edit_token}'}}"
    with _app(tmp_path, server.url, auth) as app_url, chromium() as browser:
        page = browser.new_page()

        def record(request: Any) -> None:
            seen.append(request.url)
            seen.append(request.headers.get("referer") or "")

        page.on("request", record)
        page.goto(app_url)
        page.click("#schedule-editor")
        editor = page.frame_locator(EDITOR_FRAME)
        duration = editor.locator("[name='config.event.duration']")
        duration.wait_for()
        assert editor.locator("#booking-link").inner_text().endswith("/book/ada-intro")

        # The API's validation, shown next to the field.
        duration.fill("7")
        editor.locator("#save").click()
        error = editor.locator("[data-error-for='config.event.duration']")
        error.filter(has_text="5").wait_for()

        duration.fill("45")
        editor.locator("[name='config.booking.opening_hours[0].start']").fill("10:00")
        editor.locator("[name='config.booking.opening_hours[0].end']").fill("12:00")
        editor.locator("[data-add='config.booking.opening_hours']").click()
        editor.locator("[name='config.booking.opening_hours[1].start']").fill("14:00")
        editor.locator("[name='config.booking.opening_hours[1].end']").fill("15:00")
        editor.locator("[data-add='config.booking.additional_fields']").click()
        editor.locator("[name='config.booking.additional_fields[0].label']").fill("Company")
        editor.locator("[name='config.booking.additional_fields[0].required']").check()
        editor.locator("#save").click()
        editor.locator("#status", has_text="Saved.").wait_for()
        assert error.inner_text() == ""

    # The token went only into Authorization headers: no URL, no Referer carried it.
    assert seen and not [u for u in seen if edit_token in u]

    stored = api.get(f"/manage/pages/{page_data['id']}", headers=bearer(edit_token)).json()
    config = stored["config"]
    assert config["event"]["duration"] == 45
    hours = config["booking"]["opening_hours"]
    assert [(h["start"], h["end"]) for h in hours] == [("10:00", "12:00"), ("14:00", "15:00")]
    assert hours[1]["days"] == ["M", "T", "W", "R", "F"]
    [field] = config["booking"]["additional_fields"]
    assert (field["label"], field["type"], field["required"]) == ("Company", "text", True)

    slots = api.get("/schedule/ada-intro/timeslots").json()
    assert slots
    for slot in slots:
        assert slot["end"] - slot["start"] == 45 * 60
        start = slot["start"] % 86_400
        end = start + 45 * 60
        in_morning = start >= 10 * HOUR and end <= 12 * HOUR
        in_afternoon = start >= 14 * HOUR and end <= 15 * HOUR
        assert in_morning or in_afternoon, slot
    afternoons = [s for s in slots if s["start"] % 86_400 >= 14 * HOUR]
    assert afternoons and len(afternoons) < len(slots)
    # The second range was added Monday to Friday only.
    assert {datetime.fromtimestamp(s["start"], UTC).weekday() for s in afternoons} <= set(range(5))


def test_create_a_page_with_an_access_token(server: Any, api: httpx.Client, tmp_path: Path) -> None:
    ada, _ = _page(api, "ada-existing")
    token = ada.token
    auth = f"{{accessToken: '{token}'}}"
    with _app(tmp_path, server.url, auth) as app_url, chromium() as browser:
        page = browser.new_page()
        page.goto(app_url)
        page.click("#schedule-editor")
        editor = page.frame_locator(EDITOR_FRAME)
        editor.locator("#pages li").first.wait_for()
        assert editor.locator("#pages li").count() == 1
        editor.locator("#new-page").click()
        title = editor.locator("[name='config.event.title']")
        title.wait_for()
        assert title.input_value() == "Intro Meeting"
        assert editor.locator("[name='config.event.duration']").input_value() == "45"
        # Closing removes the overlay from the app's page.
        editor.locator("#close").click()
        page.locator(EDITOR_FRAME).wait_for(state="detached")

    pages = api.get("/manage/pages", headers=bearer(token)).json()
    assert len(pages) == 2
    created = next(p for p in pages if p["slug"] != "ada-existing")
    assert created["config"]["event"]["title"] == "Intro Meeting"
    assert created["config"]["event"]["duration"] == 45
    assert created["config"]["event"]["location"] == "Sightglass Coffee, SOMA"


@pytest.mark.parametrize("locked", ["opening-hours"])
def test_behavior_hides_and_locks_sections(
    server: Any, api: httpx.Client, tmp_path: Path, locked: str
) -> None:
    edit_token = _page(api, "ada-locked")[1]["edit_token"]
    behavior = f"{{displayOnly: ['event-info', '{locked}'], disableEditing: ['{locked}']}}"
    auth = f"{{pageEditToken: '{edit_token}'}}"
    with _app(tmp_path, server.url, auth, behavior) as app_url, chromium() as browser:
        page = browser.new_page()
        page.goto(app_url)
        page.click("#schedule-editor")
        editor = page.frame_locator(EDITOR_FRAME)
        editor.locator("[name='config.event.duration']").wait_for()
        sections = editor.locator("section[data-section]")
        names = [sections.nth(i).get_attribute("data-section") for i in range(sections.count())]
        assert names == ["event-info", locked]
        assert editor.locator("[name='config.event.duration']").is_enabled()
        start = editor.locator("[name='config.booking.opening_hours[0].start']")
        assert start.is_disabled()


def test_confirm_and_cancel_upcoming_bookings(
    server: Any, api: httpx.Client, tmp_path: Path
) -> None:
    booking = dict(page_body(slug="x")["config"]["booking"], confirmation_method="manual")
    _, page_data = _page(api, "ada-manual", booking=booking)
    slots = api.get("/schedule/ada-manual/timeslots").json()
    for slot, email in ((slots[2], "first@example.com"), (slots[6], "second@example.com")):
        made = api.post("/schedule/ada-manual/timeslots", json=booking_request(slot, email))
        assert made.status_code == 200, made.text
        assert made.json()["is_confirmed"] is False
    listed_url = f"/manage/pages/{page_data['id']}/bookings"
    first, second = api.get(listed_url, headers=bearer(page_data["edit_token"])).json()
    auth = f"{{pageEditToken: '{page_data['edit_token']}'}}"
    with _app(tmp_path, server.url, auth) as app_url, chromium() as browser:
        page = browser.new_page()
        page.goto(app_url)
        page.click("#schedule-editor")
        editor = page.frame_locator(EDITOR_FRAME)
        editor.locator(f"[data-confirm='{first['id']}']").click()
        editor.locator(f"[data-booking-id='{first['id']}'] [data-cancel]").wait_for()
        editor.locator(f"[data-confirm='{first['id']}']").wait_for(state="detached")
        editor.locator(f"[data-cancel='{second['id']}']").click()
        editor.locator(f"[data-booking-id='{second['id']}']").wait_for(state="detached")
    [left] = api.get(listed_url, headers=bearer(page_data["edit_token"])).json()
    assert (left["id"], left["is_confirmed"]) == (first["id"], True)
    assert left["recipient_email"] == "first@example.com"


def test_page_bookings_stay_within_their_page(api: httpx.Client) -> None:
    _, mine = _page(api, "ada-mine")
    _, other = _page(api, "ada-other")
    slot = api.get("/schedule/ada-other/timeslots").json()[0]
    assert api.post("/schedule/ada-other/timeslots", json=booking_request(slot)).status_code == 200
    theirs = api.get(
        f"/manage/pages/{other['id']}/bookings", headers=bearer(other["edit_token"])
    ).json()[0]
    mine_auth = bearer(mine["edit_token"])
    assert api.get(f"/manage/pages/{other['id']}/bookings", headers=mine_auth).status_code == 404
    refused = api.post(
        f"/manage/pages/{mine['id']}/bookings/{theirs['id']}/cancel", json={}, headers=mine_auth
    )
    assert refused.status_code == 404, refused.text
    assert api.get(f"/manage/pages/{mine['id']}/bookings", headers=mine_auth).json() == []
