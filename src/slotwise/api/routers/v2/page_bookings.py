"""A page's upcoming bookings for the Schedule Editor (`/manage/pages/{id}/bookings…`), with the
same credentials as the page itself (edit_token, account token or API key)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.api.deps import DbSession, json_object
from slotwise.api.openapi import request_body
from slotwise.api.routers.v2._page_auth import page_caller
from slotwise.api.routers.v2.pages import _page_id
from slotwise.db.models import Configuration
from slotwise.pages import page_bookings, service
from slotwise.pages.access import reachable_page

router = APIRouter(prefix="/manage/pages")


def _configuration(request: Request, session: Session, page_id: str) -> Configuration:
    page = reachable_page(session, page_caller(request, session), _page_id(page_id))
    return service.configuration_of(session, page)


@router.get("/{page_id}/bookings")
def list_bookings(request: Request, page_id: str, session: Session = DbSession) -> JSONResponse:
    config = _configuration(request, session, page_id)
    return JSONResponse(page_bookings.upcoming(session, config, clock.now()))


@router.post("/{page_id}/bookings/{booking_id}/confirm")
def confirm_booking(
    request: Request, page_id: str, booking_id: str, session: Session = DbSession
) -> JSONResponse:
    config = _configuration(request, session, page_id)
    return JSONResponse(page_bookings.confirm(session, config, booking_id))


@router.post(
    "/{page_id}/bookings/{booking_id}/cancel",
    openapi_extra=request_body(description='{"reason"}: why the organizer cancels.'),
)
def cancel_booking(
    request: Request,
    page_id: str,
    booking_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    config = _configuration(request, session, page_id)
    page_bookings.cancel(session, config, booking_id, body)
    return JSONResponse({"success": True})
