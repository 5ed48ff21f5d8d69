"""A v2 Scheduling Page's hosted booking page wears the page's appearance and has the
month calendar, like a v3 configuration's."""

from __future__ import annotations

import httpx

from tests.support.pages import account, create_page, page_body


def test_v2_page_is_themed_and_has_the_calendar(api: httpx.Client, anon: httpx.Client) -> None:
    ann = account(api, "ann@example.com")
    body = page_body(ann, slug="v2-look")
    body["config"]["appearance"].update({"company_name": "Ann's Studio", "color": "#ff0000"})
    create_page(anon, body, ann.token)
    page = anon.get("/book/v2-look", params={"tz": "UTC"})
    assert page.status_code == 200, page.text
    assert "--brand:#ff0000" in page.text and "Ann&#39;s Studio" in page.text
    assert 'role="grid"' in page.text and "data-list-view" in page.text
    assert "'sha256-" in page.headers["content-security-policy"]
