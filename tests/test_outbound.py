"""The outbound policy: which addresses feeds, CalDAV servers and webhooks may reach, checked
on the resolved address of every connection (every redirect hop), and bodies read with a cap.

Real loopback servers throughout; the only fake is the DNS answer in the rebinding test (the
resolver is the edge of the process)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest

from slotwise import outbound
from slotwise.webhooks.sender import bounded_request
from tests.conftest import LOOPBACK
from tests.support.sites import MB, SECRET, Site


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    yield server
    server.stop()


@pytest.fixture
def strict() -> None:
    """The production default: no allow list."""
    outbound.configure(outbound.Policy())


def _ip(text: str) -> Any:
    return ipaddress.ip_address(text)


# ---------------------------------------------------------------------------- the policy


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("93.184.215.14", False),
        ("2606:4700::1111", False),
        ("169.254.169.254", True),
        ("169.254.170.2", True),
        ("fe80::1", True),
        ("100.100.100.200", True),
        ("fd00:ec2::254", True),
        ("192.0.0.192", True),
        ("0.0.0.0", True),
        ("::", True),
        ("::ffff:169.254.169.254", True),
        ("::ffff:127.0.0.1", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("10.1.2.3", True),
        ("172.20.0.1", True),
        ("192.168.1.1", True),
        ("100.64.0.1", True),
        ("fd12:3456::1", True),
    ],
)
def test_default_policy(address: str, refused: bool) -> None:
    assert (outbound.Policy().refusal(_ip(address)) is not None) is refused


def test_allow_opens_private_ranges_but_a_broad_entry_not_metadata() -> None:
    policy = outbound.Policy(allow=outbound.parse_networks(["10.0.0.0/8", "0.0.0.0/0"], "ALLOW"))
    assert policy.refusal(_ip("10.1.2.3")) is None
    assert policy.refusal(_ip("192.168.1.1")) is None  # inside 0.0.0.0/0
    assert policy.refusal(_ip("169.254.169.254")) == "is a link-local or metadata address"
    assert policy.refusal(_ip("100.100.100.200")) is not None
    named = outbound.Policy(allow=outbound.parse_networks(["169.254.10.0/24"], "ALLOW"))
    assert named.refusal(_ip("169.254.10.7")) is None
    assert named.refusal(_ip("169.254.169.254")) is not None


def test_deny_wins_over_allow_and_public() -> None:
    policy = outbound.Policy(
        allow=outbound.parse_networks(LOOPBACK, "ALLOW"),
        deny=outbound.parse_networks(["127.0.0.2", "93.184.215.0/24"], "DENY"),
    )
    assert policy.refusal(_ip("127.0.0.1")) is None
    assert policy.refusal(_ip("127.0.0.2")) == "is denied by SLOTWISE_OUTBOUND_DENY"
    assert policy.refusal(_ip("93.184.215.14")) is not None


def test_a_bad_entry_names_its_setting() -> None:
    with pytest.raises(ValueError, match="SLOTWISE_OUTBOUND_ALLOW: 'intranet' is not"):
        outbound.parse_networks(["intranet"], "SLOTWISE_OUTBOUND_ALLOW")


# ---------------------------------------------------------------------------- connections


@pytest.mark.usefixtures("strict")
def test_loopback_is_refused_before_any_request(site: Site) -> None:
    site.body("/x", SECRET)
    with outbound.client() as client, pytest.raises(outbound.OutboundRefused) as refused:
        outbound.fetch(client, "GET", site.url + "/x")
    assert "loopback or private" in str(refused.value)
    assert site.hits == []


def test_a_redirect_to_a_denied_address_is_refused(site: Site) -> None:
    outbound.configure(outbound.Policy(allow=outbound.parse_networks(["127.0.0.1/32"], "ALLOW")))
    inner = Site("127.0.0.2")  # loopback too, but not in the allow list
    try:
        inner.body("/secret", SECRET)
        site.redirect("/feed.ics", inner.url + "/secret")
        site.redirect("/meta", "http://169.254.169.254/latest/meta-data/")
        with outbound.client() as client:
            with pytest.raises(outbound.OutboundRefused, match="127.0.0.2"):
                outbound.fetch(client, "GET", site.url + "/feed.ics")
            with pytest.raises(outbound.OutboundRefused, match="metadata"):
                outbound.fetch(client, "GET", site.url + "/meta")
        assert inner.hits == []
        assert site.hits == ["/feed.ics", "/meta"]
    finally:
        inner.stop()


def test_redirects_are_followed_within_the_policy_and_limited(site: Site) -> None:
    site.redirect("/a", "/b")
    site.body("/b", "done")
    site.redirect("/loop", "/loop")
    with outbound.client() as client:
        fetched = outbound.fetch(client, "GET", site.url + "/a")
        assert (fetched.status_code, fetched.content, fetched.history) == (
            200,
            b"done",
            [site.url + "/a"],
        )
        with pytest.raises(httpx.TooManyRedirects):
            outbound.fetch(client, "GET", site.url + "/loop")
    assert site.hits.count("/loop") == outbound.MAX_REDIRECTS + 1


def test_credentials_are_not_sent_past_a_redirect_to_another_origin(site: Site) -> None:
    other = Site()
    seen: list[str | None] = []

    def record(handler: BaseHTTPRequestHandler) -> None:
        seen.append(handler.headers.get("Authorization"))
        handler.send_response(200)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    try:
        other.routes["/landing"] = record
        site.redirect("/start", other.url + "/landing")
        with outbound.client(auth=httpx.BasicAuth("u", "p")) as client:
            outbound.fetch(client, "GET", site.url + "/start")
        assert seen == [None]
    finally:
        other.stop()


def test_the_connection_goes_to_the_checked_address(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: one lookup per connection, and the socket is opened to its answer."""
    site.body("/x", "ok")
    port = int(site.url.rsplit(":", 1)[1])
    answers = iter(["169.254.169.254", "127.0.0.1", "169.254.169.254"])
    lookups: list[str] = []
    real = socket.getaddrinfo

    def resolver(host: str, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.test":
            return real(host, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    url = f"http://rebind.test:{port}/x"
    with outbound.client() as client:
        with pytest.raises(outbound.OutboundRefused, match="169.254.169.254"):
            outbound.fetch(client, "GET", url)
        assert outbound.fetch(client, "GET", url).content == b"ok"
    assert lookups == ["rebind.test", "rebind.test"]
    assert site.hits == ["/x"]


def test_a_huge_body_is_refused_after_the_cap_without_reading_it(site: Site) -> None:
    site.stream("/big", 50 * MB)
    with outbound.client() as client, pytest.raises(outbound.TooLarge) as big:
        outbound.fetch(client, "GET", site.url + "/big", max_bytes=10 * MB)
    assert big.value.limit == 10 * MB
    # What was sent bounds what was read (the rest sat in socket buffers at most).
    assert site.sent < 20 * MB


def test_webhook_requests_go_through_the_policy(site: Site) -> None:
    site.body("/hook", "ok")
    assert bounded_request("GET", site.url + "/hook", timeout=5, max_bytes=100)[1] == b"ok"
    outbound.configure(outbound.Policy())
    with pytest.raises(outbound.OutboundRefused):
        bounded_request("GET", site.url + "/hook", timeout=5, max_bytes=100)
    with pytest.raises(outbound.OutboundRefused):
        bounded_request("POST", "http://169.254.169.254/", timeout=5, max_bytes=100)
    assert site.hits == ["/hook"]
