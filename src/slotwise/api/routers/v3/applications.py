"""The application and its redirect URIs: /v3/applications[/redirect-uris] (admin API key)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import AdminAuth, DbSession, json_object
from slotwise.api.envelope import ack, ok, ok_list
from slotwise.api.openapi import request_body
from slotwise.applications import repository, service
from slotwise.applications.schemas import NewRedirectUri, RedirectUriUpdate
from slotwise.edge.request import get_settings

router = APIRouter(prefix="/v3/applications", dependencies=[AdminAuth])


@router.get("")
def application_info(request: Request, session: Session = DbSession) -> JSONResponse:
    uris = repository.redirect_uris(session)
    return ok(request, service.application_to_dict(get_settings(request).application_id, uris))


@router.get("/redirect-uris")
def list_redirect_uris(request: Request, session: Session = DbSession) -> JSONResponse:
    rows = repository.redirect_uris(session)
    return ok_list(request, [service.redirect_uri_to_dict(r) for r in rows])


@router.post("/redirect-uris", openapi_extra=request_body(NewRedirectUri))
def create_redirect_uri(
    request: Request, session: Session = DbSession, body: dict[str, Any] = Depends(json_object)
) -> JSONResponse:
    row = service.create_redirect_uri(session, body)
    return ok(request, service.redirect_uri_to_dict(row))


@router.get("/redirect-uris/{redirect_uri_id}")
def find_redirect_uri(
    request: Request, redirect_uri_id: str, session: Session = DbSession
) -> JSONResponse:
    row = service.get_redirect_uri(session, redirect_uri_id)
    return ok(request, service.redirect_uri_to_dict(row))


@router.patch("/redirect-uris/{redirect_uri_id}", openapi_extra=request_body(RedirectUriUpdate))
@router.put("/redirect-uris/{redirect_uri_id}", openapi_extra=request_body(RedirectUriUpdate))
def update_redirect_uri(
    request: Request,
    redirect_uri_id: str,
    session: Session = DbSession,
    body: dict[str, Any] = Depends(json_object),
) -> JSONResponse:
    row = service.get_redirect_uri(session, redirect_uri_id)
    return ok(
        request, service.redirect_uri_to_dict(service.update_redirect_uri(session, row, body))
    )


@router.delete("/redirect-uris/{redirect_uri_id}")
def destroy_redirect_uri(
    request: Request, redirect_uri_id: str, session: Session = DbSession
) -> JSONResponse:
    service.delete_redirect_uri(session, service.get_redirect_uri(session, redirect_uri_id))
    return ack(request)
