"""Scheduler sessions: short-lived bearer tokens for one configuration."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import AdminAuth, DbSession, json_object
from slotwise.api.envelope import ack, ok
from slotwise.api.openapi import request_body
from slotwise.scheduling import service
from slotwise.scheduling.schemas import NewSession
from slotwise.validation import validate_model

router = APIRouter(prefix="/v3/scheduling/sessions", dependencies=[AdminAuth])


@router.post("", openapi_extra=request_body(NewSession))
def create_session(
    request: Request, body: dict[str, Any] = Depends(json_object), session: Session = DbSession
) -> JSONResponse:
    token = service.create_session(session, validate_model(NewSession, body))
    return ok(request, {"session_id": token})


@router.delete("/{session_id}")
def delete_session(request: Request, session_id: str, session: Session = DbSession) -> JSONResponse:
    service.delete_session(session, session_id)
    return ack(request)
