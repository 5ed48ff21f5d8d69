"""Bookings: /v3/scheduling/bookings (create) and /v3/scheduling/bookings/{id}."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.api.deps import DbSession, json_object, run_unit_of_work
from slotwise.api.envelope import ack, ok, request_id
from slotwise.api.openapi import request_body
from slotwise.api.routers.v3._access import scheduling_access
from slotwise.bookings import idempotency, outcomes, remote, service
from slotwise.bookings.group_seats import Waiting
from slotwise.bookings.payloads import booking_to_dict, waiting_to_dict
from slotwise.bookings.schemas import CancelBooking, DecideBooking, MoveBooking, NewBooking
from slotwise.documents import read_document
from slotwise.edge.limits import public_reads, public_writes
from slotwise.edge.request import get_db, get_settings
from slotwise.errors import TimeslotUnavailable
from slotwise.scheduling.offer import next_offered
from slotwise.scheduling.repository import find_configuration
from slotwise.validation import validate_model

router = APIRouter(prefix="/v3/scheduling/bookings")


@router.post("", openapi_extra=request_body(NewBooking))
async def create_booking(request: Request) -> JSONResponse:
    # The hot path: the body is read here rather than through a dependency (FastAPI's
    # dependency resolution costs more than the parsing), and the whole unit of work runs in
    # one worker thread (see run_unit_of_work).
    body = await json_object(request)
    with outcomes.counted():
        # Rate limit, then remote calendars, on the shared thread pool: a refused guest costs
        # no calendar fetch, and a slow calendar server must not hold one of the few booking
        # threads (nor, on SQLite, the write lock).
        try:
            parsed = await anyio.to_thread.run_sync(_before_locks, request, body)
            return await run_unit_of_work(
                request, lambda session: _create_booking(request, body, parsed, session)
            )
        except TimeslotUnavailable as exc:
            exc.suggestions = await anyio.to_thread.run_sync(_suggest, request, body)
            raise


def _suggest(request: Request, body: dict[str, Any]) -> list[dict[str, int]]:
    """error.suggestions of a refused slot: the next offered ones, read after the refusal's
    transaction ended (no lock is held while they are computed). A slot is only refused once
    the body parsed and the caller reached the configuration, so both hold here."""
    wanted = _parse(request, body)
    with get_db(request).session(write=False) as session:
        config = scheduling_access(request, session).require_configuration()
        slots = next_offered(session, config, wanted.start_time, now=clock.now())
        return [{"start_time": s.start, "end_time": s.end} for s in slots]


def _parse(request: Request, body: dict[str, Any]) -> NewBooking:
    return validate_model(NewBooking, body).with_timezone(request.query_params.get("timezone"))


def _before_locks(request: Request, body: dict[str, Any]) -> NewBooking | None:
    """The checked request, once its configuration is known (None: the booking's own
    transaction reports why not, after authentication, as every route does)."""
    public_writes(request)
    parsed: list[NewBooking] = []

    def configuration_to_book(session: Session) -> Any:
        access = scheduling_access(request, session)
        config = access.require_configuration()
        wanted = _parse(request, body)
        service.check_request(wanted, config, access, get_settings(request).max_additional_guests)
        parsed.append(wanted)
        return config

    remote.refresh_remote_hosts(get_db(request), configuration_to_book)
    return parsed[0] if parsed else None


def _configuration_to_move(request: Request, booking_id: str, session: Session) -> Any:
    access = scheduling_access(request, session, configuration_required=False)
    booking = service.get_booking(session, access, booking_id)
    return find_configuration(session, booking.configuration_id)


def _create_booking(
    request: Request, body: dict[str, Any], parsed: NewBooking | None, session: Session
) -> JSONResponse:
    access = scheduling_access(request, session)
    config = access.require_configuration()
    wanted = parsed or _parse(request, body)
    key = request.headers.get("idempotency-key")
    if key is not None:
        digest = idempotency.request_hash({"configuration_id": config.id, "body": body})
        found = idempotency.reserve(session, key, digest)
        if found is not None:
            return JSONResponse(
                {**found.body, "request_id": request_id(request)}, found.status_code
            )
    most = get_settings(request).max_additional_guests
    if read_document(config).is_group:
        seat = service.create_group_booking(session, access, wanted, max_additional_guests=most)
    else:
        seat, _ = service.create_booking(session, access, wanted, max_additional_guests=most)
    # The booking_ref is the guest's capability (view, reschedule, cancel), also for a pending
    # booking: confirming takes the organizer's own secret (slotwise.capabilities).
    data = (
        waiting_to_dict(seat.entry, seat.position)
        if isinstance(seat, Waiting)
        else booking_to_dict(seat, include_ref=True)
    )
    response = {"request_id": request_id(request), "data": data}
    if key is not None:
        if not isinstance(seat, Waiting):
            seat.idempotency_key = key
        idempotency.complete(session, key, 200, response)
    return JSONResponse(response)


@router.get("/{booking_id}", dependencies=[Depends(public_reads)])
def find_booking(request: Request, booking_id: str, session: Session = DbSession) -> JSONResponse:
    access = scheduling_access(request, session, configuration_required=False)
    booking = service.get_booking(session, access, booking_id)
    return ok(request, booking_to_dict(booking, include_ref=access.is_admin))


@router.put(
    "/{booking_id}",
    dependencies=[Depends(public_writes)],
    openapi_extra=request_body(DecideBooking),
)
def confirm_booking(
    request: Request,
    booking_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    access = scheduling_access(request, session, configuration_required=False)
    booking = service.confirm_booking(
        session, access, booking_id, validate_model(DecideBooking, body)
    )
    return ok(request, booking_to_dict(booking, include_ref=True))


@router.patch(
    "/{booking_id}",
    dependencies=[Depends(public_writes)],
    openapi_extra=request_body(MoveBooking),
)
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
    booking = service.reschedule_booking(
        session, access, booking_id, validate_model(MoveBooking, body)
    )
    return ok(request, booking_to_dict(booking, include_ref=True))


@router.delete(
    "/{booking_id}",
    dependencies=[Depends(public_writes)],
    openapi_extra=request_body(CancelBooking),
)
def cancel_booking(
    request: Request,
    booking_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    access = scheduling_access(request, session, configuration_required=False)
    service.cancel_booking(session, access, booking_id, validate_model(CancelBooking, body))
    return ack(request)
