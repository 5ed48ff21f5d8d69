"""Public scheduling reads: /v3/scheduling/availability (and its explanation, for the API key
or the configuration's session) and /v3/scheduling/ui-settings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.api.deps import DbSession, ReadSession, json_object
from slotwise.api.envelope import ok, ok_slots
from slotwise.api.openapi import request_body
from slotwise.api.routers.v3._access import scheduling_access
from slotwise.availability_api.wire import explanations
from slotwise.bookings.service import get_booking
from slotwise.documents import read_document
from slotwise.edge.limits import public_reads
from slotwise.edge.request import get_settings
from slotwise.errors import EventFull, TimeslotUnavailable, Unauthorized
from slotwise.scheduling import repository
from slotwise.scheduling.access import API_KEY, SESSION
from slotwise.scheduling.explain import explain_offer
from slotwise.scheduling.group_events import group_offer, owner_of, require_group
from slotwise.scheduling.offer import compute_offer
from slotwise.scheduling.schemas import ExplainQuery, GroupTimeslot, OfferQuery
from slotwise.scheduling.ui_settings import ui_settings
from slotwise.scheduling.wire import group_slot_to_dict, group_slots_to_dict, slots_to_dict
from slotwise.validation import validate_model

router = APIRouter(prefix="/v3/scheduling", dependencies=[Depends(public_reads)])


@router.get("/availability", summary="Times a configuration offers")
def availability(
    request: Request,
    start_time: str | None = None,
    end_time: str | None = None,
    booking_id: str | None = None,
    session: Session = DbSession,
) -> JSONResponse:
    access = scheduling_access(request, session)
    config = access.require_configuration()
    # An empty query parameter is an absent one.
    window = {"start_time": start_time or None, "end_time": end_time or None}
    query = validate_model(OfferQuery, {**window, "booking_id": booking_id})
    start, end = query.start_time, query.end_time
    if read_document(config).is_group:
        slots = group_offer(session, config, start, end, now=clock.now())
        return ok_slots(request, group_slots_to_dict(slots))
    exclude: tuple[str, ...] = ()
    hosts: list[str] | None = None
    booking = (
        repository.booking_of(session, query.booking_id, config.id) if query.booking_id else None
    )
    if booking is not None:
        exclude = (booking.event_id,) if booking.event_id else ()
        if read_document(config).is_round_robin:
            # A reschedule keeps its host, so offer only the times that host can take.
            hosts = list(booking.hosts)
    offer = compute_offer(
        session,
        config,
        start,
        end,
        now=clock.now(),
        exclude_event_ids=exclude,
        only_emails=hosts,
    )
    return ok_slots(request, slots_to_dict(offer))


@router.get("/availability/explain", summary="Why a configuration offers a time or not")
def explain_availability(request: Request, session: Session = DbSession) -> JSONResponse:
    access = scheduling_access(request, session)
    config = access.require_configuration()
    if access.via not in (API_KEY, SESSION):
        raise Unauthorized(
            "Explanations need the API key or the configuration's session (Authorization: Bearer)"
        )
    params = request.query_params
    # `start_time` may be repeated and each may list several times, comma-separated.
    times = [t for value in params.getlist("start_time") for t in value.split(",") if t.strip()]
    query = validate_model(
        ExplainQuery,
        {
            "start_time": times or None,
            "window_start": params.get("window_start") or None,
            "window_end": params.get("window_end") or None,
        },
    )
    found = explain_offer(session, config, query.start_time, now=clock.now(), window=query.window)
    return ok(request, explanations(found))


@router.get("/ui-settings", summary="The Scheduler's UI settings")
def get_ui_settings(
    request: Request, booking_id: str | None = None, session: Session = DbSession
) -> JSONResponse:
    access = scheduling_access(request, session)
    config = access.require_configuration()
    booking = get_booking(session, access, booking_id) if booking_id else None
    settings = get_settings(request)
    owner = owner_of(session, config) if read_document(config).is_group else None
    return ok(
        request,
        ui_settings(config, application_id=settings.application_id, booking=booking, owner=owner),
    )


@router.post(
    "/configurations/{configuration_id}/group-events/validate-timeslot",
    openapi_extra=request_body(GroupTimeslot),
)
def validate_group_timeslot(
    request: Request,
    configuration_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = ReadSession,
) -> JSONResponse:
    """Whether the guest's group time slot can still be booked: the slot with the seats it
    has left, or 409 (`Event is full`, which the scheduling component shows as information)."""
    access = scheduling_access(request, session, configuration_id=configuration_id)
    config = access.require_configuration()
    require_group(config)
    slot = validate_model(GroupTimeslot, body)
    found = next(
        (
            s
            for s in group_offer(session, config, slot.start_time, slot.end_time, now=clock.now())
            if s.occurrence.event_id == slot.event_id
            and (s.occurrence.start, s.occurrence.end) == (slot.start_time, slot.end_time)
        ),
        None,
    )
    if found is None:
        raise TimeslotUnavailable("no meeting of this configuration's group events at that time")
    if found.remaining == 0:
        raise EventFull()
    return ok(request, group_slot_to_dict(found))
