"""Scheduling configurations of a grant: /v3/grants/{grant}/scheduling/configurations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import AdminAuth, DbSession, json_object
from slotwise.api.envelope import ack, ok, ok_list
from slotwise.api.openapi import request_body
from slotwise.api.query import next_cursor, page_window
from slotwise.db.models import Grant
from slotwise.errors import Conflict, NotFound
from slotwise.grants.repository import find_grant
from slotwise.pages.repository import page_of_configuration
from slotwise.scheduling import repository, service
from slotwise.scheduling.schemas import NewConfiguration
from slotwise.scheduling.wire import configuration_to_dict

router = APIRouter(prefix="/v3/grants/{grant}/scheduling/configurations", dependencies=[AdminAuth])


def _grant(session: Session, identifier: str) -> Grant:
    grant = find_grant(session, identifier)
    if grant is None:
        raise NotFound(f"grant {identifier} not found")
    return grant


@router.get("")
def list_configurations(
    request: Request,
    grant: str,
    session: Session = DbSession,
) -> JSONResponse:
    owner = _grant(session, grant)
    # The page is cut in the query (one row more tells whether another page follows).
    offset, size = page_window(request)
    rows = repository.list_configurations(session, owner.id, offset=offset, limit=size + 1)
    cursor = next_cursor(offset, size, len(rows) > size)
    return ok_list(request, [configuration_to_dict(c) for c in rows[:size]], cursor)


@router.post("", openapi_extra=request_body(NewConfiguration))
def create_configuration(
    request: Request,
    grant: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    config = service.create_configuration(session, _grant(session, grant), body)
    return ok(request, configuration_to_dict(config))


@router.get("/{configuration_id}")
def find_configuration(
    request: Request, grant: str, configuration_id: str, session: Session = DbSession
) -> JSONResponse:
    config = service.get_configuration_of_grant(session, _grant(session, grant), configuration_id)
    return ok(request, configuration_to_dict(config))


@router.put(
    "/{configuration_id}",
    openapi_extra=request_body(
        NewConfiguration, description="Each top-level key sent replaces the stored one whole."
    ),
)
def update_configuration(
    request: Request,
    grant: str,
    configuration_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    config = service.get_configuration_of_grant(session, _grant(session, grant), configuration_id)
    page = page_of_configuration(session, config.id)
    if page is not None:
        # The page is the source of truth: its next PUT would silently undo a change made here.
        raise Conflict(
            f"configuration: this is scheduling page {page.id}; change it with PUT "
            f"/manage/pages/{page.id}"
        )
    service.update_configuration(session, config, body)
    return ok(request, configuration_to_dict(config))


@router.delete("/{configuration_id}")
def delete_configuration(
    request: Request, grant: str, configuration_id: str, session: Session = DbSession
) -> JSONResponse:
    config = service.get_configuration_of_grant(session, _grant(session, grant), configuration_id)
    service.delete_configuration(session, config)
    return ack(request)
