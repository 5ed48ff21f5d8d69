"""The outbound policy through the API: connecting a feed or a CalDAV account and creating a
webhook answer a clear 400 naming the field for a refused address, a redirect to one or a huge
answer, and never quote what the remote server sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from slotwise import outbound
from tests.support.sites import MB, SECRET, Site


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    yield server
    server.stop()


def _connect(api: httpx.Client, provider: str, url: str) -> httpx.Response:
    settings: dict[str, Any] = {"email": "feed@example.com", "url": url}
    if provider == "caldav":
        settings.update(username="u", password="p")
    return api.post("/v3/connect/custom", json={"provider": provider, "settings": settings})


def _refused(response: httpx.Response, field: str, *words: str) -> str:
    assert response.status_code == 400, response.text
    message = str(response.json()["error"]["message"])
    assert message.startswith(field), message
    for word in words:
        assert word in message, message
    assert SECRET not in response.text
    return message


@pytest.mark.parametrize("provider", ["ics", "caldav"])
def test_loopback_is_refused_unless_allowed(api: httpx.Client, site: Site, provider: str) -> None:
    site.body("/cal.ics", SECRET)
    outbound.configure(outbound.Policy())  # the production default
    _refused(_connect(api, provider, site.url + "/cal.ics"), "settings.url", "loopback")
    assert site.hits == []


@pytest.mark.parametrize("provider", ["ics", "caldav"])
@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
    ],
)
def test_metadata_addresses_are_refused(api: httpx.Client, provider: str, url: str) -> None:
    _refused(_connect(api, provider, url), "settings.url", "metadata")


def test_a_feed_that_is_not_icalendar_is_not_quoted(api: httpx.Client, site: Site) -> None:
    site.body("/admin", f"<html>{SECRET}</html>", ctype="text/html")
    _refused(_connect(api, "ics", site.url + "/admin"), "settings.url", "not an iCalendar")
    site.body("/error", SECRET, status=500)
    _refused(_connect(api, "ics", site.url + "/error"), "settings.url", "HTTP 500")


@pytest.mark.parametrize("provider", ["ics", "caldav"])
def test_a_redirect_to_a_denied_address_is_refused(
    api: httpx.Client, site: Site, provider: str
) -> None:
    outbound.configure(outbound.Policy(allow=outbound.parse_networks(["127.0.0.1/32"], "ALLOW")))
    inner = Site("127.0.0.2")
    try:
        inner.body("/secret", SECRET)
        site.redirect("/cal.ics", inner.url + "/secret", status=307)
        _refused(_connect(api, provider, site.url + "/cal.ics"), "settings.url", "127.0.0.2")
        assert inner.hits == []
    finally:
        inner.stop()


@pytest.mark.parametrize("provider", ["ics", "caldav"])
def test_a_huge_answer_is_refused_at_the_cap(api: httpx.Client, site: Site, provider: str) -> None:
    policy = outbound.current()
    outbound.configure(outbound.Policy(allow=policy.allow, max_bytes=10 * MB))
    site.stream("/cal.ics", 50 * MB, status=207 if provider == "caldav" else 200)
    _refused(_connect(api, provider, site.url + "/cal.ics"), "settings.url", "larger than 10 MB")
    # The cap, not the body's size, bounds what was read: the server got to send only that
    # much (plus what socket buffers hold) before the connection was dropped.
    assert site.sent < 20 * MB


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/hook", "http://[fe80::1]:8080/hook", "LOOPBACK"]
)
def test_a_webhook_to_a_refused_address_is_a_400(api: httpx.Client, site: Site, url: str) -> None:
    site.body("/hook", SECRET)
    if url == "LOOPBACK":
        outbound.configure(outbound.Policy())
        url = site.url + "/hook"
    response = api.post(
        "/v3/webhooks", json={"trigger_types": ["booking.created"], "webhook_url": url}
    )
    _refused(response, "webhook_url", "not allowed")
    assert site.hits == []
