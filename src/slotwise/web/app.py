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
    from slotwise.web import explain_page, pages, schedule_editor

    app.include_router(pages.router)
    app.include_router(explain_page.router)
    app.include_router(schedule_editor.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for key, handler in list(app.exception_handlers.items()):
        app.exception_handlers[key] = _html_for_web(handler)
