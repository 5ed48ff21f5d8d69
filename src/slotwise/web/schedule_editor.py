"""The Schedule Editor: the loader script apps include, and the editor page it frames.

An app's button code calls `nylas.scheduler.show({auth, style, defaults, behavior})` from
`/schedule-editor/v1.0/schedule-editor.js`. The script opens an overlay over the app's page
with an iframe of `/schedule-editor/v1.0/editor`, which asks its parent for the options by
postMessage: the edit_token or access token never appears in a URL (server logs, Referer).

The editor page may be framed by any origin (that is its purpose); it holds no credential
until its parent hands it one, so a page framing it gains nothing it did not already have.
Everything else is as strict as the hosted pages: no inline script or style, no third-party
hosts, no referrer, no caching.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from slotwise.web.render import STATIC_DIR

router = APIRouter()

EDITOR_DIR = STATIC_DIR / "schedule-editor"

EDITOR_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; frame-ancestors *; base-uri 'none'; form-action 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

# Loaded by <script src> from the app's origin; short caching so that updates reach apps soon.
SCRIPT_HEADERS = {
    "Cache-Control": "public, max-age=300",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "Access-Control-Allow-Origin": "*",
}


@router.api_route("/schedule-editor/v1.0/schedule-editor.js", methods=["GET", "HEAD"])
def loader_script() -> FileResponse:
    return FileResponse(
        EDITOR_DIR / "schedule-editor.js",
        media_type="text/javascript; charset=utf-8",
        headers=SCRIPT_HEADERS,
    )


@router.api_route("/schedule-editor/v1.0/editor", methods=["GET", "HEAD"])
def editor_page() -> FileResponse:
    return FileResponse(
        EDITOR_DIR / "editor.html", media_type="text/html; charset=utf-8", headers=EDITOR_HEADERS
    )
