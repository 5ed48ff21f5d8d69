"""The v2 availability endpoints of seed 003. Responses are bare JSON, as the seed shows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import AdminAuth, ReadSession, json_object
from slotwise.availability_api import v2

router = APIRouter(prefix="/calendars", dependencies=[AdminAuth])


@router.post("/availability")
def availability(
    body: dict[str, Any] = Depends(json_object), session: Session = ReadSession
) -> JSONResponse:
    return JSONResponse(v2.availability(session, body))


@router.post("/availability/consecutive")
def consecutive_availability(
    body: dict[str, Any] = Depends(json_object), session: Session = ReadSession
) -> JSONResponse:
    return JSONResponse(v2.consecutive(session, body))
