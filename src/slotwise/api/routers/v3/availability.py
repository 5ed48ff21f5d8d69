"""`POST /v3/calendars/availability` and `POST /v3/calendars/availability/explain`."""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import (
    AdminAuth,
    DeclaredBearer,
    ReadSession,
    body_bytes,
    check_api_key,
    json_object,
    parse_json_object,
)
from slotwise.api.envelope import ok, ok_slots
from slotwise.api.openapi import request_body
from slotwise.availability_api import explain, v3, wire
from slotwise.availability_api.schemas import CalendarAvailabilityRequest, CalendarExplainRequest
from slotwise.edge.request import get_db
from slotwise.validation import validate_model

router = APIRouter(prefix="/v3/calendars")


@router.post(
    "/availability",
    openapi_extra=request_body(CalendarAvailabilityRequest),
    dependencies=[DeclaredBearer],
)
async def calendar_availability(request: Request) -> JSONResponse:
    # The whole request in one worker thread, in AdminAuth's, json_object's and ReadSession's
    # order (a bad key is a 401 before the body is looked at): as sync dependencies and a sync
    # endpoint it hopped to the thread pool four times, and the hops with FastAPI's solving
    # of them cost a tenth of a large request beyond the engine (bench/availability.py).
    raw = await body_bytes(request)
    return await anyio.to_thread.run_sync(partial(_availability, request, raw))


def _availability(request: Request, raw: bytes) -> JSONResponse:
    with get_db(request).session(write=False) as session:
        check_api_key(request, session)
        body = parse_json_object(request, raw)
        result = v3.compute(session, validate_model(CalendarAvailabilityRequest, body))
    return ok_slots(request, wire.v3_availability(result))


@router.post(
    "/availability/explain",
    summary="Why times are or are not available",
    openapi_extra=request_body(CalendarExplainRequest),
    dependencies=[AdminAuth],
)
def explain_availability(
    request: Request,
    body: dict[str, Any] = Depends(json_object),
    session: Session = ReadSession,
) -> JSONResponse:
    found = explain.explain(session, validate_model(CalendarExplainRequest, body))
    return ok(request, wire.explanations(found))
