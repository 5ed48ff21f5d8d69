"""The v2 Scheduling Pages API (`/manage/pages…`), in the wire format of the v2 clients:
bare JSON objects and arrays, no envelope (errors keep the envelope plus top-level `message`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import DbSession, json_object, parse_int
from slotwise.api.openapi import request_body
from slotwise.api.routers.v2._page_auth import page_caller
from slotwise.edge.request import get_settings
from slotwise.errors import field_error
from slotwise.pages import images, service
from slotwise.pages.access import reachable_page

router = APIRouter(prefix="/manage/pages")

# The v2 page document is read field by field (pages.service), each problem a 400 naming it.
PAGE_DOCUMENT = (
    "A v2 scheduling page: name, slug, config (event, booking, calendar_ids, appearance, ...)."
)

MAX_LIMIT = 1000


def _page_id(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise field_error("id", f"expected a page id (an integer), got {raw!r}") from None
    if not 0 < value < 2**31:
        raise field_error("id", "is not a page id")
    return value


def _page_json(request: Request, view: service.PageView) -> JSONResponse:
    return JSONResponse(service.page_to_dict(view, get_settings(request).application_id))


@router.get("")
def list_pages(
    request: Request,
    offset: str | None = None,
    limit: str | None = None,
    session: Session = DbSession,
) -> JSONResponse:
    caller = page_caller(request, session)
    start = parse_int("offset", offset, 0) or 0
    size = parse_int("limit", limit, 100)
    if start < 0:
        raise field_error("offset", "must be 0 or more")
    if size is None or not 1 <= size <= MAX_LIMIT:
        raise field_error("limit", f"must be between 1 and {MAX_LIMIT}")
    views = service.list_pages(session, caller, offset=start, limit=size)
    application_id = get_settings(request).application_id
    return JSONResponse([service.page_to_dict(v, application_id) for v in views])


@router.post("", openapi_extra=request_body(description=PAGE_DOCUMENT))
def create_page(
    request: Request, body: dict[str, Any] = Depends(json_object), session: Session = DbSession
) -> JSONResponse:
    view = service.create_page(session, page_caller(request, session), body)
    return _page_json(request, view)


@router.get("/{page_id}")
def get_page(request: Request, page_id: str, session: Session = DbSession) -> JSONResponse:
    page = reachable_page(session, page_caller(request, session), _page_id(page_id))
    return _page_json(request, service.view_of(session, page))


@router.put("/{page_id}", openapi_extra=request_body(description=PAGE_DOCUMENT))
def update_page(
    request: Request,
    page_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    page = reachable_page(session, page_caller(request, session), _page_id(page_id))
    return _page_json(request, service.update_page(session, page, body))


@router.delete("/{page_id}")
def delete_page(request: Request, page_id: str, session: Session = DbSession) -> JSONResponse:
    page = reachable_page(session, page_caller(request, session), _page_id(page_id))
    service.delete_page(session, page)
    return JSONResponse({"success": True})


@router.get("/{page_id}/calendars")
def page_calendars(request: Request, page_id: str, session: Session = DbSession) -> JSONResponse:
    page = reachable_page(session, page_caller(request, session), _page_id(page_id))
    return JSONResponse(service.calendars_of_page(session, page))


@router.put(
    "/{page_id}/upload-image",
    openapi_extra=request_body(description='{"contentType", "objectName"}: the image to announce.'),
)
def upload_image(
    request: Request,
    page_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    page = reachable_page(session, page_caller(request, session), _page_id(page_id))
    base = str(request.base_url).rstrip("/")
    return JSONResponse(images.announce(session, page, body, base))
