"""Wiring the hosted pages into the application: routes, stylesheet, HTML errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from slotwise.web.render import STATIC_DIR, error_page

# Paths served as HTML. Errors under them render as a page, never as the JSON envelope.
WEB_PREFIXES = (
    "/book/",
    "/bookings/",
    "/scheduling/organizer-confirmation/",
    "/static/",
    "/schedule-editor/",
)

Handler = Callable[[Request, Any], Awaitable[Response] | Response]


def is_web_path(path: str) -> bool:
    return path.startswith(WEB_PREFIXES) or path in {"/book", "/bookings"}


def _html_for_web(handler: Handler) -> Handler:
    """Wrap an error handler: under the web paths, the same status as an HTML page."""

    async def handle(request: Request, exc: Any) -> Response:
        result = handler(request, exc)
        response = result if isinstance(result, Response) else await result
        if not is_web_path(request.url.path):
            return response
        status = 400 if response.status_code == 422 else response.status_code
        page = error_page(request, status, str(getattr(exc, "message", "") or ""))
        if "retry-after" in response.headers:
            page.headers["Retry-After"] = response.headers["retry-after"]
        return page

    return handle


def install(app: FastAPI) -> None:
    """Add the pages, the stylesheet and HTML errors; call after the error handlers exist."""
    from slotwise.web import api_docs, explain_page, home, pages, schedule_editor

    # HTML for guests and organizers, not part of the API the OpenAPI document describes.
    app.include_router(pages.router, include_in_schema=False)
    app.include_router(explain_page.router, include_in_schema=False)
    app.include_router(schedule_editor.router, include_in_schema=False)
    app.include_router(home.router)
    app.include_router(api_docs.router)
    app.mount(api_docs.ASSETS, StaticFiles(packages=[api_docs.ASSETS_PACKAGE]), name="docs-assets")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for key, handler in list(app.exception_handlers.items()):
        app.exception_handlers[key] = _html_for_web(handler)
