"""v2 free/busy (seed 003): a bare JSON list, one item per email (its primary calendar) and one
per calendar named in `calendars`; timestamps may be strings or integers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy.orm import Session

from slotwise.api.deps import AdminAuth, DbSession, json_object
from slotwise.api.openapi import request_body
from slotwise.calendars import repository as calendar_repository
from slotwise.errors import NotFound, field_error
from slotwise.events.busy import read_busy
from slotwise.grants.free_busy import busy_by_email
from slotwise.grants.service import get_grant
from slotwise.providers.sync import refresh_calendars
from slotwise.validation import MAX_EPOCH, check_window, validate_model

router = APIRouter(dependencies=[AdminAuth])


def _timestamp(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a Unix timestamp")
    if isinstance(value, str):
        if not value.strip().isdigit():
            raise ValueError("expected a Unix timestamp")
        return int(value.strip())
    return value


Timestamp = Annotated[int, BeforeValidator(_timestamp), Field(ge=0, le=MAX_EPOCH)]


class AccountCalendars(BaseModel):
    account_id: Annotated[str, Field(min_length=1, max_length=320)]
    calendar_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(max_length=100)


class FreeBusyV2(BaseModel):
    model_config = ConfigDict(extra="ignore")

    start_time: Timestamp
    end_time: Timestamp
    emails: list[Annotated[str, Field(min_length=1, max_length=320)]] = Field(
        default_factory=list, max_length=100
    )
    calendars: list[AccountCalendars] = Field(default_factory=list, max_length=100)


def _slots(spans: list[tuple[int, int]]) -> list[dict[str, Any]]:
    return [
        {"object": "time_slot", "status": "busy", "start_time": s, "end_time": e} for s, e in spans
    ]


@router.post("/calendars/free-busy", openapi_extra=request_body(FreeBusyV2))
def free_busy(
    request: Request, session: Session = DbSession, body: dict[str, Any] = Depends(json_object)
) -> JSONResponse:
    req = validate_model(FreeBusyV2, body)
    check_window(req.start_time, req.end_time)
    if not req.emails and not req.calendars:
        raise field_error("emails", "name at least one email or calendar")
    items: list[dict[str, Any]] = []
    entries = busy_by_email(session, req.emails, req.start_time, req.end_time, primary_only=True)
    for entry in entries:
        if entry.grant is None:
            raise NotFound(f"emails: no account for {entry.email!r}")
        items.append(
            {"object": "free_busy", "email": entry.email, "time_slots": _slots(entry.spans)}
        )
    for account in req.calendars:
        grant = get_grant(session, account.account_id)
        for calendar_id in account.calendar_ids:
            calendar = calendar_repository.find_calendar(session, calendar_id)
            if calendar is None or calendar.grant_id != grant.id:
                raise NotFound(f"calendars.calendar_ids: no calendar {calendar_id!r}")
        refresh_calendars(session, account.calendar_ids)  # stale remote mirrors first
        busy = read_busy(session, account.calendar_ids, req.start_time, req.end_time)
        for calendar_id in account.calendar_ids:
            items.append(
                {
                    "object": "free_busy",
                    "email": grant.email,
                    "calendar_id": calendar_id,
                    "time_slots": _slots(busy[calendar_id]),
                }
            )
    return JSONResponse(items)
