"""The configuration's logo: fetched by Slotwise through the outbound policy, inlined into the
page, never loaded by the guest's browser from the logo's host."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from slotwise import clock, outbound
from slotwise.web import logo
from tests.support.sites import MB, Site

# The smallest valid PNG: one transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    logo._cache.clear()
    yield
    logo._cache.clear()


def _logo_src(page: str) -> str | None:
    found = re.search(r'<img class="logo" src="([^"]+)"', page)
    return found.group(1) if found else None


def test_logo_is_inlined_and_cached(
    web: httpx.Client, make_page: Callable[..., Any], site: Site, frozen_clock: int
) -> None:
    site.body("/logo.png", PNG, ctype="image/png")
    make_page(slug="logo", appearance={"company_logo_url": f"{site.url}/logo.png"})
    page = web.get("/book/logo", params={"tz": "UTC"})
    assert _logo_src(page.text) == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert "img-src 'self' data:;" in page.headers["content-security-policy"]
    web.get("/book/logo", params={"tz": "UTC"})
    assert site.hits == ["/logo.png"]  # the second view came from the cache
    clock.advance(logo.CACHE_SECONDS + 1)
    web.get("/book/logo", params={"tz": "UTC"})
    assert site.hits == ["/logo.png", "/logo.png"]


@pytest.mark.parametrize(
    "serve",
    [
        lambda s: s.body("/logo.png", SVG, ctype="image/png"),  # not what it claims: refused
        lambda s: s.body("/logo.png", "<html>", ctype="text/html"),
        lambda s: s.body("/logo.png", PNG, status=404, ctype="image/png"),
        lambda s: s.stream("/logo.png", 32 * MB),  # past the cap: read no further
        lambda s: s.redirect("/logo.png", "http://169.254.169.254/latest/meta-data"),
    ],
    ids=["svg", "html", "404", "huge", "metadata-redirect"],
)
def test_what_is_not_a_small_image_shows_no_logo(
    web: httpx.Client, make_page: Callable[..., Any], site: Site, serve: Any
) -> None:
    serve(site)
    make_page(slug="nologo", appearance={"company_logo_url": f"{site.url}/logo.png"})
    page = web.get("/book/nologo", params={"tz": "UTC"})
    assert page.status_code == 200
    assert _logo_src(page.text) is None
    assert site.sent < 16 * MB


def test_the_outbound_policy_guards_the_logo(
    web: httpx.Client, make_page: Callable[..., Any], site: Site
) -> None:
    site.body("/logo.png", PNG, ctype="image/png")
    make_page(slug="guarded", appearance={"logo": f"{site.url}/logo.png"})
    outbound.configure(outbound.Policy())  # the default: loopback is not reachable
    page = web.get("/book/guarded", params={"tz": "UTC"})
    assert page.status_code == 200 and _logo_src(page.text) is None
    assert site.hits == []
