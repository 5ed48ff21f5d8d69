"""Jinja2 rendering and the headers every hosted page carries."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"], default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
# Every page string goes through gettext (`_()` / `{% trans %}`); until a locale's catalog is
# installed for a request the null translations show the English source strings. Newstyle:
# `_("%(n)s minutes", n=3)` formats and autoescapes its arguments itself.
_env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
# The page's language for <html lang>; a request rendered in another locale passes its own.
_env.globals["lang"] = "en"

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
    400: "Something is not right",
    401: "Not available",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    409: "That did not work",
    413: "Too much data",
    429: "Too many requests",
    500: "Something went wrong",
}


def render(name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    html = _env.get_template(name).render(**context)
    theme = context.get("theme")
    headers = SECURITY_HEADERS
    if theme is not None and theme.css:
        # The theme's one inline <style> (base.html), allowed by its hash and nothing else.
        digest = base64.b64encode(hashlib.sha256(theme.css.encode()).digest()).decode()
        policy = SECURITY_HEADERS["Content-Security-Policy"].replace(
            "style-src 'self'", f"style-src 'self' 'sha256-{digest}'"
        )
        headers = {**SECURITY_HEADERS, "Content-Security-Policy": policy}
    return HTMLResponse(html, status_code, headers=headers)


def redirect(url: str) -> Response:
    """303 See Other: after a POST the browser GETs the result (reload never re-posts)."""
    return RedirectResponse(url, 303, headers=SECURITY_HEADERS)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    if status_code == 404:
        message = "This page does not exist, or the link is no longer valid."
    elif status_code == 429:
        message = (
            "There have been too many requests from here. Please wait a minute, then try again."
        )
    elif status_code >= 500:
        message = "Please try again in a moment."
    title = _TITLES.get(status_code, "Something is not right")
    return render("error.html", {"title": title, "message": message}, status_code)
