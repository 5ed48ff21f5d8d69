"""`POST /v3/calendars/availability` and `POST /v3/calendars/availability/explain`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import AdminAuth, ReadSession, json_object
from slotwise.api.envelope import ok, ok_slots
from slotwise.api.openapi import request_body
from slotwise.availability_api import explain, v3, wire
from slotwise.availability_api.schemas import CalendarAvailabilityRequest, CalendarExplainRequest
from slotwise.validation import validate_model

router = APIRouter(prefix="/v3/calendars", dependencies=[AdminAuth])


@router.post("/availability", openapi_extra=request_body(CalendarAvailabilityRequest))
def calendar_availability(
    request: Request,
    body: dict[str, Any] = Depends(json_object),
    session: Session = ReadSession,
) -> JSONResponse:
    result = v3.compute(session, validate_model(CalendarAvailabilityRequest, body))
    return ok_slots(request, wire.v3_availability(result))


@router.post(
    "/availability/explain",
    summary="Why times are or are not available",
    openapi_extra=request_body(CalendarExplainRequest),
)
def explain_availability(
    request: Request,
    body: dict[str, Any] = Depends(json_object),
    session: Session = ReadSession,
) -> JSONResponse:
    found = explain.explain(session, validate_model(CalendarExplainRequest, body))
    return ok(request, wire.explanations(found))
