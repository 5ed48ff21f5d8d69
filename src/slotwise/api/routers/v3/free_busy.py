"""v3 free/busy: one item per email, busy time of all the calendars its grant owns."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from slotwise.api.deps import AdminAuth, DbSession, json_object
from slotwise.api.envelope import ok
from slotwise.api.openapi import request_body
from slotwise.availability.intervals import merge
from slotwise.grants.free_busy import busy_by_email
from slotwise.grants.service import get_grant
from slotwise.validation import Bool, Epoch, check_window, validate_model

router = APIRouter(dependencies=[AdminAuth])


class FreeBusyRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    start_time: Epoch
    end_time: Epoch
    emails: list[Annotated[str, Field(min_length=1, max_length=320)]] = Field(
        min_length=1, max_length=100
    )
    tentative_as_busy: Bool = True


@router.post(
    "/v3/grants/{grant_id}/calendars/free-busy", openapi_extra=request_body(FreeBusyRequest)
)
def free_busy(
    request: Request,
    grant_id: str,
    session: Session = DbSession,
    body: dict[str, Any] = Depends(json_object),
) -> JSONResponse:
    get_grant(session, grant_id)
    req = validate_model(FreeBusyRequest, body)
    check_window(req.start_time, req.end_time)
    items: list[dict[str, Any]] = []
    for entry in busy_by_email(
        session, req.emails, req.start_time, req.end_time, tentative_as_busy=req.tentative_as_busy
    ):
        if entry.grant is None:
            items.append(
                {"object": "error", "email": entry.email, "error": "No grant for this email"}
            )
            continue
        slots = [
            {"object": "time_slot", "status": "busy", "start_time": s, "end_time": e}
            for s, e in merge(entry.spans)
        ]
        items.append({"object": "free_busy", "email": entry.email, "time_slots": slots})
    return ok(request, items)
