"""v3 calendars of a grant: list, create, find, update, delete ("primary" works as an id)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import AdminAuth, DbSession, json_object
from slotwise.api.envelope import ack, ok, ok_list
from slotwise.api.openapi import request_body
from slotwise.api.query import (
    CALENDAR_REQUIRED,
    apply_select,
    metadata_pairs,
    paginate,
    select_fields,
)
from slotwise.calendars import service as calendars
from slotwise.calendars.schemas import CalendarFields
from slotwise.db.models import Calendar
from slotwise.grants.service import get_grant

router = APIRouter(dependencies=[AdminAuth])


def _one(request: Request, calendar: Calendar) -> JSONResponse:
    data = calendars.calendar_to_dict(calendar)
    return ok(request, apply_select(data, select_fields(request), CALENDAR_REQUIRED))


@router.get("/v3/grants/{grant_id}/calendars")
def list_calendars(request: Request, grant_id: str, session: Session = DbSession) -> JSONResponse:
    grant = get_grant(session, grant_id)
    items = calendars.list_calendars(session, grant, metadata_pairs(request))
    page, cursor = paginate(request, items)
    fields = select_fields(request)
    return ok_list(request, [apply_select(c, fields) for c in page], cursor)


@router.post("/v3/grants/{grant_id}/calendars", openapi_extra=request_body(CalendarFields))
def create_calendar(
    request: Request,
    grant_id: str,
    session: Session = DbSession,
    body: dict[str, Any] = Depends(json_object),
) -> JSONResponse:
    calendar = calendars.create_calendar(session, get_grant(session, grant_id), body)
    return _one(request, calendar)


@router.get("/v3/grants/{grant_id}/calendars/{calendar_id}")
def find_calendar(
    request: Request, grant_id: str, calendar_id: str, session: Session = DbSession
) -> JSONResponse:
    calendar = calendars.resolve_calendar(session, get_grant(session, grant_id), calendar_id)
    return _one(request, calendar)


@router.put(
    "/v3/grants/{grant_id}/calendars/{calendar_id}", openapi_extra=request_body(CalendarFields)
)
def update_calendar(
    request: Request,
    grant_id: str,
    calendar_id: str,
    session: Session = DbSession,
    body: dict[str, Any] = Depends(json_object),
) -> JSONResponse:
    calendar = calendars.resolve_calendar(session, get_grant(session, grant_id), calendar_id)
    calendar = calendars.update_calendar(session, calendar, body)
    return _one(request, calendar)


@router.delete("/v3/grants/{grant_id}/calendars/{calendar_id}")
def delete_calendar(
    request: Request, grant_id: str, calendar_id: str, session: Session = DbSession
) -> JSONResponse:
    calendar = calendars.resolve_calendar(session, get_grant(session, grant_id), calendar_id)
    calendars.delete_calendar(session, calendar)
    return ack(request)
