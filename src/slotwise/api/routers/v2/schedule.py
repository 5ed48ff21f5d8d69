"""A page's public routes (`/schedule/{slug}/…`), in the v2 wire format.

Anyone may read a page, list its slots, book, reschedule and cancel with a booking's
`edit_hash`. Confirming a pending booking also takes a credential that reaches the page (its
access token, its edit_token or the API key): the guest holds the edit_hash too, and a guest
must never confirm their own booking.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.api.deps import DbSession, ReadSession, json_object
from slotwise.api.openapi import request_body
from slotwise.api.routers.v2._page_auth import page_caller
from slotwise.bookings import idempotency, remote
from slotwise.edge.limits import public_method
from slotwise.edge.request import get_db, get_settings
from slotwise.errors import NotFound, Unauthorized
from slotwise.pages import public, service
from slotwise.pages.access import may_reach

# Anonymous: counted against the public rate limits (GETs as reads, POSTs as writes).
router = APIRouter(prefix="/schedule/{slug}", dependencies=[Depends(public_method)])


@router.get("/info")
def page_info(request: Request, slug: str, session: Session = ReadSession) -> JSONResponse:
    target = public.get_public_page(session, slug)
    view = service.PageView(target.page, target.configuration)
    return JSONResponse(service.public_page_dict(view, get_settings(request).application_id))


@router.get("/timeslots")
def list_timeslots(slug: str, session: Session = ReadSession) -> JSONResponse:
    target = public.get_public_page(session, slug)
    return JSONResponse(public.timeslots(session, target, clock.now()))


@router.post(
    "/timeslots",
    openapi_extra=request_body(
        description="The booking: start and end time, name, email, additional values."
    ),
)
def book_timeslot(
    request: Request,
    slug: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    # Before the session's first statement: remote calendars are fetched with no lock held.
    remote.refresh_remote_hosts(
        get_db(request), lambda read: public.get_public_page(read, slug).configuration
    )
    target = public.get_public_page(session, slug)
    # As on POST /v3/scheduling/bookings (the same store): a retry with the key replays the
    # first confirmation; the key used for another request is a 400.
    key = request.headers.get("idempotency-key")
    if key is not None:
        digest = idempotency.request_hash({"page_id": target.page.id, "body": body})
        found = idempotency.reserve(session, key, digest)
        if found is not None:
            return JSONResponse(found.body, found.status_code)
    confirmation = public.book(session, target, body, key)
    if key is not None:
        idempotency.complete(session, key, 200, confirmation)
    return JSONResponse(confirmation)


@router.post("/{edit_hash}/confirm")
def confirm_booking(
    request: Request, slug: str, edit_hash: str, session: Session = DbSession
) -> JSONResponse:
    target = public.get_public_page(session, slug)
    try:
        caller = page_caller(request, session)
    except Unauthorized:
        raise Unauthorized(
            "Authorization: confirming a booking takes the page's access token or edit_token"
        ) from None
    if not may_reach(session, caller, target.page):
        raise NotFound("no booking of this page with that edit_hash")
    return JSONResponse(public.confirm(session, target, edit_hash))


@router.post(
    "/{edit_hash}/cancel",
    openapi_extra=request_body(description='{"reason"}: why the guest cancels.'),
)
def cancel_booking(
    slug: str,
    edit_hash: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    target = public.get_public_page(session, slug)
    public.cancel(session, target, edit_hash, body)
    return JSONResponse({"success": True})
