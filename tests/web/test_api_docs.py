"""/docs (Swagger UI) and /redoc (ReDoc) render the API with no network: every asset comes
from Slotwise, under a strict Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from slotwise.web.api_docs import REDOC_CSP, SWAGGER_CSP
from tests.support.browser import chromium
from tests.support.server import LiveServer

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# ReDoc's sidebar credit names an image on the web; the policy refuses it (as it should: no
# page loads from another host), and Chromium reports the refusal on the console.
REDOC_CREDIT = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@contextmanager
def offline_page(server: LiveServer) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A Chromium page that can reach only the loopback server: (page, blocked, problems)."""
    blocked: list[str] = []
    problems: list[str] = []
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1200, "height": 900})

        def only_loopback(route: Any) -> None:
            url = route.request.url
            scheme = urlsplit(url).scheme
            if scheme in {"data", "blob"} or urlsplit(url).hostname in LOOPBACK_HOSTS:
                route.continue_()
            else:
                blocked.append(url)
                route.abort()

        context.route("**/*", only_loopback)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on(
            "console",
            lambda msg: problems.append(msg.text) if msg.type == "error" else None,
        )
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        yield page, blocked, problems


@pytest.mark.browser
def test_swagger_ui_renders_the_operations_offline(server: LiveServer) -> None:
    with offline_page(server) as (page, blocked, problems):
        page.goto(f"{server.url}/docs")
        page.wait_for_selector(".opblock-summary-path")
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/v3/scheduling/bookings" in p for p in paths)
        assert page.locator(".btn.authorize").count() == 1  # the bearer scheme
        # Open one operation: its request body is the typed model.
        page.locator("[id$='-create_webhook_v3_webhooks_post'] button").first.click()
        page.wait_for_selector("text=webhook_url")
        assert blocked == [] and problems == [], (blocked, problems)


@pytest.mark.browser
def test_redoc_renders_the_operations_offline(server: LiveServer) -> None:
    with offline_page(server) as (page, blocked, problems):
        page.goto(f"{server.url}/redoc")
        page.get_by_role("heading", name="Create Configuration").wait_for()
        # ReDoc renders as one scrolls; a link to an operation renders that one.
        page.goto(f"{server.url}/redoc#tag/Webhooks/operation/create_webhook_v3_webhooks_post")
        page.get_by_role("heading", name="Create Webhook").wait_for()
        page.get_by_text("webhook_url", exact=True).first.wait_for(state="attached")
        assert page.locator("text=bearer").count() >= 1
        problems = [p for p in problems if REDOC_CREDIT not in p]
        assert blocked == [] and problems == [], (blocked, problems)


def test_docs_pages_carry_a_strict_policy_and_load_nothing_remote(server: LiveServer) -> None:
    for path, policy in (("/docs", SWAGGER_CSP), ("/redoc", REDOC_CSP)):
        response = httpx.get(f"{server.url}{path}")
        assert response.status_code == 200
        assert response.headers["content-security-policy"] == policy
        assert "unsafe-eval" not in policy and "script-src 'self'" in policy
        assert "http://" not in response.text and "https://" not in response.text
        assert "<script>" not in response.text  # no inline script
    asset = httpx.get(f"{server.url}/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]
