"""Bookings: /v3/scheduling/bookings (create) and /v3/scheduling/bookings/{id}."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import DbSession, get_db, json_object, run_unit_of_work
from slotwise.api.envelope import ack, ok, request_id
from slotwise.api.routers.v3._access import scheduling_access
from slotwise.bookings import idempotency, outcomes, remote, service
from slotwise.bookings.payloads import booking_to_dict
from slotwise.scheduling.repository import get_configuration

router = APIRouter(prefix="/v3/scheduling/bookings")


@router.post("")
async def create_booking(request: Request) -> JSONResponse:
    # The hot path: the body is read here rather than through a dependency (FastAPI's
    # dependency resolution costs more than the parsing), and the whole unit of work runs in
    # one worker thread (see run_unit_of_work).
    body = await json_object(request)
    # Remote calendars first, on the shared thread pool: a slow calendar server must not hold
    # one of the few booking threads (nor, on SQLite, the write lock).
    await anyio.to_thread.run_sync(
        remote.refresh_remote_hosts,
        get_db(request),
        lambda session: _configuration_to_book(request, body, session),
    )
    with outcomes.counted():
        return await run_unit_of_work(
            request, lambda session: _create_booking(request, body, session)
        )


def _configuration_to_book(request: Request, body: dict[str, Any], session: Session) -> Any:
    config = scheduling_access(request, session).require_configuration()
    service.check_request(body, config, request.query_params.get("timezone"))
    return config


def _configuration_to_move(request: Request, booking_id: str, session: Session) -> Any:
    access = scheduling_access(request, session, configuration_required=False)
    booking = service.find_booking(session, access, booking_id)
    return get_configuration(session, booking.configuration_id)


def _create_booking(request: Request, body: dict[str, Any], session: Session) -> JSONResponse:
    access = scheduling_access(request, session)
    config = access.require_configuration()
    key = request.headers.get("idempotency-key")
    if key is not None:
        digest = idempotency.request_hash({"configuration_id": config.id, "body": body})
        found = idempotency.reserve(session, key, digest)
        if found is not None:
            return JSONResponse(
                {**found.body, "request_id": request_id(request)}, found.status_code
            )
    booking, _ = service.create_booking(
        session, access, body, query_timezone=request.query_params.get("timezone")
    )
    # The booking_ref carries the salt that confirms a pending booking, so only the API key
    # gets it back for a pending one (the organizer receives it by notification).
    include_ref = booking.status != "pending" or access.is_admin
    response = {
        "request_id": request_id(request),
        "data": booking_to_dict(booking, include_ref=include_ref),
    }
    if key is not None:
        booking.idempotency_key = key
        idempotency.complete(session, key, 200, response)
    return JSONResponse(response)


@router.get("/{booking_id}")
def find_booking(request: Request, booking_id: str, session: Session = DbSession) -> JSONResponse:
    access = scheduling_access(request, session, configuration_required=False)
    booking = service.find_booking(session, access, booking_id)
    return ok(request, booking_to_dict(booking, include_ref=access.is_admin))


@router.put("/{booking_id}")
def confirm_booking(
    request: Request,
    booking_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    access = scheduling_access(request, session, configuration_required=False)
    booking = service.confirm_booking(session, access, booking_id, body)
    return ok(request, booking_to_dict(booking, include_ref=True))


@router.patch("/{booking_id}")
def reschedule_booking(
    request: Request,
    booking_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    # Before the session's first statement, so no lock is held while calendars are fetched.
    remote.refresh_remote_hosts(
        get_db(request), lambda read: _configuration_to_move(request, booking_id, read)
    )
    access = scheduling_access(request, session, configuration_required=False)
    booking = service.reschedule_booking(session, access, booking_id, body)
    include_ref = booking.status != "pending" or access.is_admin
    return ok(request, booking_to_dict(booking, include_ref=include_ref))


@router.delete("/{booking_id}")
def cancel_booking(
    request: Request,
    booking_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    access = scheduling_access(request, session, configuration_required=False)
    service.cancel_booking(session, access, booking_id, body)
    return ack(request)
