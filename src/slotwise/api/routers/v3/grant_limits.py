"""A grant's booking limits across every configuration: /v3/grants/{grant}/scheduling/limits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import AdminAuth, DbSession, json_object
from slotwise.api.envelope import ok
from slotwise.api.openapi import request_body
from slotwise.grants.service import get_grant
from slotwise.scheduling.grant_limits import grant_limits_of, limits_to_dict, set_grant_limits
from slotwise.scheduling.schemas import GrantLimitsDocument
from slotwise.validation import validate_model

router = APIRouter(prefix="/v3/grants/{grant_id}/scheduling/limits", dependencies=[AdminAuth])


@router.get("")
def find_limits(request: Request, grant_id: str, session: Session = DbSession) -> JSONResponse:
    grant = get_grant(session, grant_id)
    return ok(request, limits_to_dict(grant, grant_limits_of(grant, session)))


@router.put("", openapi_extra=request_body(GrantLimitsDocument))
def update_limits(
    request: Request,
    grant_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    grant = get_grant(session, grant_id)
    document = validate_model(GrantLimitsDocument, body)
    set_grant_limits(session, grant, document)
    return ok(request, limits_to_dict(grant, grant_limits_of(grant, session)))
