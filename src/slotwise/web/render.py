"""Jinja2 rendering in the guest's language, and the headers every hosted page carries.

Each language has its own Jinja environment with its catalog installed (jinja2.ext.i18n,
newstyle: `_("%(n)s minutes", n=5)` formats and escapes its arguments), so a page's strings,
the macros it imports included, are read from one catalog and no request's language can leak
into another's rendering.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from slotwise.i18n.catalogs import N_, translations
from slotwise.i18n.languages import ENGLISH, Language, negotiate

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
_LOADER = FileSystemLoader(HERE / "templates")


@functools.cache
def _environment(code: str) -> Environment:
    env = Environment(
        loader=_LOADER,
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(code), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = code  # <html lang>
    return env


def page_language(request: Request) -> Language:
    """The guest's language, from the browser's Accept-Language (English when none fits)."""
    return negotiate(request.headers.get("accept-language"))


# No external assets (a configured logo comes inlined as a data: image, see logo.py); nothing
# may frame the pages; a booking_ref in the address never leaks to another site through
# Referer (same-origin); pages hold live slots and credentials: no caching.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        # The booking form's script holds the chosen time (POST /v3/scheduling/holds).
        "connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

_TITLES = {
    400: N_("Something is not right"),
    401: N_("Not available"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    405: N_("Not allowed"),
    409: N_("That did not work"),
    413: N_("Too much data"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
}


def render(name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """The template `name` in `context["language"]` (the guest pages set it from the request,
    see `page_language`; the operator's pages are English). The page's notice and error
    (`message`, `error`) are read through its catalog: the views set them to N_-marked English."""
    language = context.get("language") or ENGLISH
    alerts = {k: language.gettext(context[k]) for k in ("message", "error") if context.get(k)}
    template = _environment(language.code).get_template(name)
    html = template.render(**{**context, **alerts, "language": language})
    headers = {**SECURITY_HEADERS, "Content-Language": language.code, "Vary": "Accept-Language"}
    theme = context.get("theme")
    if theme is not None and theme.css:
        # The theme's one inline <style> (base.html), allowed by its hash and nothing else.
        digest = base64.b64encode(hashlib.sha256(theme.css.encode()).digest()).decode()
        headers["Content-Security-Policy"] = SECURITY_HEADERS["Content-Security-Policy"].replace(
            "style-src 'self'", f"style-src 'self' 'sha256-{digest}'"
        )
    return HTMLResponse(html, status_code, headers=headers)


def redirect(url: str) -> Response:
    """303 See Other: after a POST the browser GETs the result (reload never re-posts)."""
    return RedirectResponse(url, 303, headers=SECURITY_HEADERS)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    """The error as a page. `message` is read through the guest's catalog: the pages raise
    their own errors with N_-marked English text, which the API sends as it is."""
    if status_code == 404:
        message = N_("This page does not exist, or the link is no longer valid.")
    elif status_code == 429:
        message = N_(
            "There have been too many requests from here. Please wait a minute, then try again."
        )
    elif status_code >= 500:
        message = N_("Please try again in a moment.")
    language = page_language(request)
    title = language.gettext(_TITLES.get(status_code, _TITLES[400]))
    context = {"title": title, "message": message, "language": language}
    return render("error.html", context, status_code)
