"""v3 events of a grant's calendar: list, create, find, update, delete, send-rsvp."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.api.deps import AdminAuth, DbSession, json_object, parse_bool, parse_int
from slotwise.api.envelope import ack, ok, ok_list
from slotwise.api.openapi import request_body
from slotwise.api.query import EVENT_REQUIRED, apply_select, metadata_pairs, paginate, select_fields
from slotwise.calendars.service import resolve_calendar
from slotwise.db.models import Calendar, Grant
from slotwise.errors import field_error
from slotwise.events import service as events
from slotwise.events.repository import EventFilter
from slotwise.events.schemas import EventFields, RsvpBody
from slotwise.grants.service import get_grant
from slotwise.validation import MAX_EPOCH

router = APIRouter(dependencies=[AdminAuth])

# Without start/end a list covers the next 30 days.
DEFAULT_WINDOW = 30 * 86_400
_BOOLEANS = (
    "show_cancelled",
    "busy",
    "expand_recurring",
    "tentative_as_busy",
    "notify_participants",
)


def _target(request: Request, session: Session, grant_id: str) -> tuple[Grant, Calendar]:
    grant = get_grant(session, grant_id)
    calendar_id = request.query_params.get("calendar_id")
    if not calendar_id:
        raise field_error("calendar_id", "is required (a calendar id or primary)")
    return grant, resolve_calendar(session, grant, calendar_id)


def _one(request: Request, data: dict[str, Any]) -> JSONResponse:
    return ok(request, apply_select(data, select_fields(request), EVENT_REQUIRED))


def _check_booleans(request: Request) -> None:
    for name in _BOOLEANS:
        parse_bool(name, request.query_params.get(name))


def _epoch_param(request: Request, name: str, default: int) -> int:
    value = parse_int(name, request.query_params.get(name), default)
    assert value is not None
    if not 0 <= value <= MAX_EPOCH:
        raise field_error(name, "is out of range")
    return value


def _list(request: Request, session: Session, grant_id: str, *, expand: bool) -> JSONResponse:
    grant, calendar = _target(request, session, grant_id)
    q = request.query_params
    _check_booleans(request)
    start = _epoch_param(request, "start", clock.now())
    end = _epoch_param(request, "end", start + DEFAULT_WINDOW)
    if end <= start:
        raise field_error("end", "must be after start")
    order_by = q.get("order_by")
    if order_by and order_by != "start":
        raise field_error("order_by", "only start is supported")
    f = EventFilter(
        calendar_id=calendar.id,
        start=start,
        end=end,
        show_cancelled=bool(parse_bool("show_cancelled", q.get("show_cancelled"), False)),
        busy=parse_bool("busy", q.get("busy")),
        title=q.get("title"),
        description=q.get("description"),
        location=q.get("location"),
        master_event_id=q.get("master_event_id"),
        ical_uid=q.get("ical_uid"),
        updated_after=parse_int("updated_after", q.get("updated_after")),
        updated_before=parse_int("updated_before", q.get("updated_before")),
    )
    event_types = [t for raw in q.getlist("event_type") for t in raw.split(",") if t]
    attendees = [a.strip() for raw in q.getlist("attendees") for a in raw.split(",") if a.strip()]
    items: list[dict[str, Any]] = []
    if not event_types or "default" in event_types:
        items = events.list_events(
            session,
            f,
            expand_recurring=expand,
            metadata=metadata_pairs(request),
            attendees=attendees,
        )
    page, cursor = paginate(request, items)
    fields = select_fields(request)
    return ok_list(request, [apply_select(e, fields) for e in page], cursor)


@router.get("/v3/grants/{grant_id}/events")
def list_events(request: Request, grant_id: str, session: Session = DbSession) -> JSONResponse:
    expand = parse_bool("expand_recurring", request.query_params.get("expand_recurring"), True)
    return _list(request, session, grant_id, expand=bool(expand))


@router.get("/v3/grants/{grant_id}/events/import", summary="List events for import")
def list_import_events(
    request: Request, grant_id: str, session: Session = DbSession
) -> JSONResponse:
    return _list(request, session, grant_id, expand=False)


@router.post("/v3/grants/{grant_id}/events", openapi_extra=request_body(EventFields))
def create_event(
    request: Request,
    grant_id: str,
    session: Session = DbSession,
    body: dict[str, Any] = Depends(json_object),
) -> JSONResponse:
    grant, calendar = _target(request, session, grant_id)
    _check_booleans(request)
    event = events.create_event(session, grant, calendar, body)
    return _one(request, events.event_to_dict(event))


@router.get("/v3/grants/{grant_id}/events/{event_id}")
def find_event(
    request: Request, grant_id: str, event_id: str, session: Session = DbSession
) -> JSONResponse:
    grant, calendar = _target(request, session, grant_id)
    _check_booleans(request)
    data = events.get_event_dict(session, grant, calendar, event_id)
    return _one(request, data)


@router.put("/v3/grants/{grant_id}/events/{event_id}", openapi_extra=request_body(EventFields))
def update_event(
    request: Request,
    grant_id: str,
    event_id: str,
    session: Session = DbSession,
    body: dict[str, Any] = Depends(json_object),
) -> JSONResponse:
    grant, calendar = _target(request, session, grant_id)
    _check_booleans(request)
    event = events.event_for_write(session, grant, calendar, event_id)
    event = events.update_event(session, event, body)
    return _one(request, events.event_to_dict(event))


@router.delete("/v3/grants/{grant_id}/events/{event_id}")
def delete_event(
    request: Request, grant_id: str, event_id: str, session: Session = DbSession
) -> JSONResponse:
    grant, calendar = _target(request, session, grant_id)
    _check_booleans(request)
    events.delete_event(session, grant, calendar, event_id)
    return ack(request)


@router.post(
    "/v3/grants/{grant_id}/events/{event_id}/send-rsvp", openapi_extra=request_body(RsvpBody)
)
def send_rsvp(
    request: Request,
    grant_id: str,
    event_id: str,
    session: Session = DbSession,
    body: dict[str, Any] = Depends(json_object),
) -> JSONResponse:
    grant, calendar = _target(request, session, grant_id)
    event = events.event_for_write(session, grant, calendar, event_id)
    events.send_rsvp(session, grant, event, body)
    return ack(request)
