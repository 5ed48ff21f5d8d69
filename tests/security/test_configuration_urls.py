"""Links and redirects of a configuration are absolute http(s) URLs, or a 400 naming the field."""

from __future__ import annotations

import httpx
import pytest

from slotwise.db.engine import Database
from tests.support.scheduling import config_body, make_grant, participant

BAD = [
    "javascript:alert(document.domain)",
    "JavaScript:alert(1)",
    "//evil.example/thanks",
    "data:text/html,<script>alert(1)</script>",
    "ftp://files.example/x",
    "/relative/path",
    "https://good.example@evil.example/",
    "https://",
    " https://example.com/",
    "https://exa mple.com/",
    "https://example.com/\r\nSet-Cookie: x=1",
    "https://example.com:99999999/",
    "vbscript:msgbox(1)",
]
FIELDS = {
    "scheduler.confirmation_redirect_url": ("scheduler", "confirmation_redirect_url"),
    "scheduler.rescheduling_url": ("scheduler", "rescheduling_url"),
    "scheduler.cancellation_url": ("scheduler", "cancellation_url"),
    "scheduler.organizer_confirmation_url": ("scheduler", "organizer_confirmation_url"),
    "scheduler.email_template.logo": ("email_template", "logo"),
    "appearance.company_logo_url": ("appearance", "company_logo_url"),
}


def _body(calendar_id: str, where: tuple[str, str], value: str) -> dict:
    body = config_body([participant("ada@example.com", calendar_id, organizer=True)])
    section, key = where
    if section == "email_template":
        body["scheduler"]["email_template"] = {"logo": value}
    elif section == "appearance":
        body["appearance"] = {key: value}
    else:
        body[section][key] = value
    return body


@pytest.mark.parametrize("field", FIELDS)
def test_only_absolute_http_urls(api: httpx.Client, db: Database, field: str) -> None:
    grant_id, calendar_id = make_grant(db, "ada@example.com")
    url = f"/v3/grants/{grant_id}/scheduling/configurations"
    for value in BAD:
        response = api.post(url, json=_body(calendar_id, FIELDS[field], value))
        assert response.status_code == 400, (value, response.text)
        assert response.json()["error"]["message"].startswith(field), (value, response.text)
    fine = api.post(
        url, json=_body(calendar_id, FIELDS[field], "https://app.example/x/:booking_ref")
    )
    assert fine.status_code == 200, fine.text
    config_id = fine.json()["data"]["id"]
    # An update is checked the same way.
    patch = {"scheduler": {"confirmation_redirect_url": "//evil.example"}}
    updated = api.put(f"{url}/{config_id}", json=patch)
    assert updated.status_code == 400, updated.text
    assert updated.json()["error"]["message"].startswith("scheduler.confirmation_redirect_url")
