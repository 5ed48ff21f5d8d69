"""`/`: what this server is, for a person (a small page) or a program (JSON)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from slotwise import __version__
from slotwise.edge.limits import public_reads
from slotwise.edge.request import get_db
from slotwise.links import BOOKING_PAGE, DEMO_SLUG
from slotwise.scheduling.repository import find_by_slug
from slotwise.web.render import render

# It reads the database (is the demo loaded?), so it counts as a public read.
router = APIRouter(dependencies=[Depends(public_reads)])


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
def home(request: Request) -> Response:
    facts = {
        "name": "Slotwise",
        "description": "A self-hosted scheduling server speaking the Nylas v3 wire format.",
        "version": __version__,
        "docs_url": "/docs",
        "redoc_url": "/redoc",
        "openapi_url": "/openapi.json",
        "health_url": "/healthz",
        "ready_url": "/readyz",
        "demo_booking_page_url": _demo_page(request),
    }
    if wants_json(request.headers.get("accept", "")):
        return JSONResponse({"request_id": request.state.request_id, "data": facts})
    return render("home.html", facts)


def _demo_page(request: Request) -> str | None:
    with get_db(request).session(write=False) as session:
        demo = find_by_slug(session, DEMO_SLUG)
        if demo is None or demo.requires_session_auth:
            return None
    return BOOKING_PAGE + DEMO_SLUG


def wants_json(accept: str) -> bool:
    """Whether an Accept header ranks JSON above HTML (a browser's ranks HTML first; a bare
    `*/*` gets the page)."""
    quality = {"json": 0.0, "html": 0.0}
    for media_range in accept.split(","):
        kind, *params = (part.strip() for part in media_range.split(";"))
        q = _quality(params)
        kind = kind.lower()
        if kind == "application/json" or kind.endswith("+json"):
            quality["json"] = max(quality["json"], q)
        elif kind in {"text/html", "application/xhtml+xml"}:
            quality["html"] = max(quality["html"], q)
    return quality["json"] > quality["html"]


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0
