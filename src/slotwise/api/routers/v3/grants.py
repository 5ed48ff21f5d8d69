"""v3 grants: custom authentication, list, find, update, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import AdminAuth, DbSession, json_object, parse_int
from slotwise.api.envelope import ack, ok, request_id
from slotwise.api.openapi import request_body
from slotwise.errors import field_error
from slotwise.grants import repository
from slotwise.grants import service as grants
from slotwise.grants.schemas import ConnectCustom, GrantUpdate

router = APIRouter(dependencies=[AdminAuth])

_SORT = {"created_at", "updated_at"}
_ORDER = {"asc", "desc"}


@router.post("/v3/connect/custom", openapi_extra=request_body(ConnectCustom))
def connect_custom(
    request: Request, session: Session = DbSession, body: dict[str, Any] = Depends(json_object)
) -> JSONResponse:
    connected = grants.connect_custom(session, body)
    return ok(request, grants.grant_to_dict(connected.grant))


def _choice(request: Request, *names: str, allowed: set[str], default: str) -> str:
    for name in names:
        value = request.query_params.get(name)
        if value:
            if value not in allowed:
                raise field_error(names[0], f"expected one of {', '.join(sorted(allowed))}")
            return value
    return default


@router.get("/v3/grants")
def list_grants(request: Request, session: Session = DbSession) -> JSONResponse:
    q = request.query_params
    limit = parse_int("limit", q.get("limit"), 10)
    offset = parse_int("offset", q.get("offset"), 0)
    assert limit is not None and offset is not None
    if not 1 <= limit <= 200:
        raise field_error("limit", "must be between 1 and 200")
    if offset < 0:
        raise field_error("offset", "must not be negative")
    status = q.get("grant_status") or q.get("grantStatus")
    if status and status not in {"valid", "invalid"}:
        raise field_error("grant_status", "expected valid or invalid")
    rows = repository.list_grants(
        session,
        limit=limit,
        offset=offset,
        sort_by=_choice(request, "sort_by", "sortBy", allowed=_SORT, default="created_at"),
        descending=_choice(request, "order_by", "orderBy", allowed=_ORDER, default="desc")
        == "desc",
        email=q.get("email"),
        provider=q.get("provider"),
        grant_status=status,
        since=parse_int("since", q.get("since")),
        before=parse_int("before", q.get("before")),
    )
    body = {
        "request_id": request_id(request),
        "data": [grants.grant_to_dict(g) for g in rows],
        "limit": limit,
        "offset": offset,
        "next_cursor": None,
    }
    return JSONResponse(body)


@router.get("/v3/grants/{grant_id}")
def find_grant(request: Request, grant_id: str, session: Session = DbSession) -> JSONResponse:
    return ok(request, grants.grant_to_dict(grants.get_grant(session, grant_id)))


@router.patch("/v3/grants/{grant_id}", openapi_extra=request_body(GrantUpdate))
def update_grant(
    request: Request,
    grant_id: str,
    session: Session = DbSession,
    body: dict[str, Any] = Depends(json_object),
) -> JSONResponse:
    grant = grants.update_grant(session, grants.get_grant(session, grant_id), body)
    return ok(request, grants.grant_to_dict(grant))


@router.delete("/v3/grants/{grant_id}")
def delete_grant(request: Request, grant_id: str, session: Session = DbSession) -> JSONResponse:
    grants.delete_grant(session, grants.get_grant(session, grant_id))
    return ack(request)
