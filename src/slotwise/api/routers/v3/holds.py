"""Holds: /v3/scheduling/holds (take one) and /v3/scheduling/holds/{id} (give it back).

Public like bookings: a session, the API key, or nobody for a public configuration; counted
by the public write limits, and per client address by `Settings.holds_per_address`.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import DbSession, json_object, run_unit_of_work
from slotwise.api.envelope import ack, ok
from slotwise.api.openapi import request_body
from slotwise.api.routers.v3._access import scheduling_access
from slotwise.bookings import holds, remote
from slotwise.bookings.schemas import NewHold, ReleaseHold
from slotwise.edge.limits import client_address, public_writes
from slotwise.edge.request import get_db, get_settings
from slotwise.validation import validate_model

router = APIRouter(prefix="/v3/scheduling/holds")


@router.post("", openapi_extra=request_body(NewHold))
async def take_hold(request: Request) -> JSONResponse:
    body = await json_object(request)
    await anyio.to_thread.run_sync(_before_locks, request)
    wanted = validate_model(NewHold, body)
    return await run_unit_of_work(request, lambda session: _take(request, wanted, session))


def _before_locks(request: Request) -> None:
    """The public write limit, then the hosts' remote calendars, with no lock held."""
    public_writes(request)
    remote.refresh_remote_hosts(
        get_db(request),
        lambda session: scheduling_access(request, session).require_configuration(),
    )


def _take(request: Request, wanted: NewHold, session: Session) -> JSONResponse:
    settings = get_settings(request)
    taken = holds.take_hold(
        session,
        scheduling_access(request, session),
        wanted,
        address=client_address(request),
        hold_seconds=settings.hold_seconds,
        holds_per_address=settings.holds_per_address,
    )
    return ok(request, holds.hold_to_dict(taken))


@router.delete(
    "/{hold_id}",
    dependencies=[Depends(public_writes)],
    openapi_extra=request_body(ReleaseHold),
)
def release_hold(
    request: Request,
    hold_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    access = scheduling_access(request, session)
    holds.release_hold(session, access, hold_id, validate_model(ReleaseHold, body))
    return ack(request)
