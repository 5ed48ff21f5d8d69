"""A guest whose browser speaks German, French or Spanish books in it, in real Chromium: the
language comes from the Accept-Language header the browser itself sends for its locale."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.browser import chromium
from tests.support.server import LiveServer

pytestmark = pytest.mark.browser

SAYS = {
    "de-DE": (
        "de",
        "Zeit wählen",
        "Ihre Angaben",
        "Diesen Termin buchen",
        "Ihr Termin ist gebucht",
    ),
    "fr-FR": (
        "fr",
        "Choisissez un créneau",
        "Vos coordonnées",
        "Réserver ce créneau",
        "C’est réservé",
    ),
    "es-ES": ("es", "Elija una hora", "Sus datos", "Reservar esta hora", "Reserva realizada"),
}


@pytest.mark.parametrize("locale", sorted(SAYS))
def test_a_guest_books_in_the_browser_language(
    server: LiveServer, make_page: Callable[..., Any], locale: str
) -> None:
    code, pick, details, submit, booked = SAYS[locale]
    make_page(slug=f"browser-{code}")
    with chromium() as browser:
        context = browser.new_context(locale=locale, timezone_id="Europe/Berlin")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{server.url}/book/browser-{code}")
        page.wait_for_url(lambda url: "tz=Europe" in url)
        assert page.locator("html").get_attribute("lang") == code
        assert page.get_by_role("heading", name=pick).is_visible()
        page.locator("a.slot:visible").first.click()
        page.get_by_role("heading", name=details).wait_for()
        page.locator("#guest_name").fill("Grace Hopper")
        page.locator("#guest_email").fill("grace@example.com")
        page.get_by_role("button", name=submit).click()
        page.get_by_role("heading", name=booked).wait_for()
        assert page.locator("html").get_attribute("lang") == code
        assert errors == []
        context.close()
