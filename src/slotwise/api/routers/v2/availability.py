"""The v2 availability endpoints of seed 003. Responses are bare JSON, as the seed shows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import AdminAuth, ReadSession, json_object
from slotwise.api.envelope import SlotListResponse
from slotwise.api.openapi import request_body
from slotwise.availability import COLLECTIVE
from slotwise.availability_api import v2, wire
from slotwise.availability_api.schemas import AvailabilityRequestV2, ConsecutiveRequestV2
from slotwise.validation import validate_model

router = APIRouter(prefix="/calendars", dependencies=[AdminAuth])


@router.post("/availability", openapi_extra=request_body(AvailabilityRequestV2))
def availability(
    body: dict[str, Any] = Depends(json_object), session: Session = ReadSession
) -> JSONResponse:
    wanted = validate_model(AvailabilityRequestV2, body)
    result = v2.availability(session, wanted)
    return SlotListResponse(
        wire.v2_availability(result, round_robin=wanted.round_robin != COLLECTIVE)
    )


@router.post("/availability/consecutive", openapi_extra=request_body(ConsecutiveRequestV2))
def consecutive_availability(
    body: dict[str, Any] = Depends(json_object), session: Session = ReadSession
) -> JSONResponse:
    itineraries = v2.consecutive(session, validate_model(ConsecutiveRequestV2, body))
    return SlotListResponse(wire.v2_consecutive(itineraries))
