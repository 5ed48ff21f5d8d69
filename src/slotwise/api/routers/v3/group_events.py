"""Group events of a group configuration: /v3/grants/{grant}/scheduling/configurations/{id}/
group-events[/{event_id}] and …/import-group-events (the scheduler editor's calls)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from slotwise.api.deps import AdminAuth, DbSession, json_body, json_object, parse_bool
from slotwise.api.envelope import ack, ok, ok_list
from slotwise.api.openapi import request_body
from slotwise.db.models import Configuration
from slotwise.errors import field_error
from slotwise.grants.service import get_grant
from slotwise.scheduling import group_events as service
from slotwise.scheduling.checks import unix_seconds
from slotwise.scheduling.schemas import GroupEventBody, ImportedGroupEvent
from slotwise.scheduling.service import get_configuration_of_grant
from slotwise.scheduling.wire import group_event_to_dict
from slotwise.validation import validate_model

router = APIRouter(
    prefix="/v3/grants/{grant}/scheduling/configurations/{configuration_id}",
    dependencies=[AdminAuth],
)

MAX_IMPORTS = 100


def _configuration(session: Session, grant: str, configuration_id: str) -> Configuration:
    return get_configuration_of_grant(session, get_grant(session, grant), configuration_id)


def _epoch(name: str, value: str | None) -> int | None:
    # The editor sends the seconds of its calendar view, possibly with a fraction.
    return unix_seconds(name, value) if value else None


@router.get("/group-events")
def list_group_events(
    request: Request,
    grant: str,
    configuration_id: str,
    start_time: str | None = None,
    end_time: str | None = None,
    calendar_id: str | None = None,
    show_all: str | None = None,
    session: Session = DbSession,
) -> JSONResponse:
    config = _configuration(session, grant, configuration_id)
    listed = service.list_group_events(
        session,
        config,
        start=_epoch("start_time", start_time),
        end=_epoch("end_time", end_time),
        calendar_id=calendar_id or None,
        show_all=bool(parse_bool("show_all", show_all, False)),
    )
    return ok_list(request, [group_event_to_dict(item) for item in listed], None)


@router.post("/group-events", openapi_extra=request_body(GroupEventBody))
def create_group_event(
    request: Request,
    grant: str,
    configuration_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    config = _configuration(session, grant, configuration_id)
    created = service.create_group_event(session, config, validate_model(GroupEventBody, body))
    return ok(request, group_event_to_dict(created))


@router.get("/group-events/{event_id}")
def find_group_event(
    request: Request, grant: str, configuration_id: str, event_id: str, session: Session = DbSession
) -> JSONResponse:
    config = _configuration(session, grant, configuration_id)
    return ok(request, group_event_to_dict(service.get_group_event(session, config, event_id)))


def _update(
    request: Request,
    grant: str,
    configuration_id: str,
    event_id: str,
    body: dict[str, Any],
    session: Session,
) -> JSONResponse:
    config = _configuration(session, grant, configuration_id)
    changed = service.update_group_event(
        session, config, event_id, validate_model(GroupEventBody, body)
    )
    return ok(request, group_event_to_dict(changed))


@router.patch("/group-events/{event_id}", openapi_extra=request_body(GroupEventBody))
def update_group_event(
    request: Request,
    grant: str,
    configuration_id: str,
    event_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    return _update(request, grant, configuration_id, event_id, body, session)


@router.put("/group-events/{event_id}", openapi_extra=request_body(GroupEventBody))
def replace_group_event(
    request: Request,
    grant: str,
    configuration_id: str,
    event_id: str,
    body: dict[str, Any] = Depends(json_object),
    session: Session = DbSession,
) -> JSONResponse:
    # As the v3 events API: a PUT changes the fields it sends, the rest stays.
    return _update(request, grant, configuration_id, event_id, body, session)


@router.delete("/group-events/{event_id}")
def delete_group_event(
    request: Request, grant: str, configuration_id: str, event_id: str, session: Session = DbSession
) -> JSONResponse:
    config = _configuration(session, grant, configuration_id)
    service.delete_group_event(session, config, event_id)
    return ack(request)


@router.post(
    "/import-group-events",
    openapi_extra=request_body(
        description="A list of {event_id, calendar_id, capacity}, or one of them alone"
    ),
)
def import_group_events(
    request: Request,
    grant: str,
    configuration_id: str,
    calendar_id: str | None = None,
    body: Any = Depends(json_body),
    session: Session = DbSession,
) -> JSONResponse:
    config = _configuration(session, grant, configuration_id)
    entries = body if isinstance(body, list) else [body]
    if not entries or len(entries) > MAX_IMPORTS:
        raise field_error("body", f"expected a list of 1 to {MAX_IMPORTS} events to import")
    parsed = [validate_model(ImportedGroupEvent, entry) for entry in entries]
    result = service.import_group_events(session, config, parsed, calendar_id or None)
    return ok(
        request,
        {
            "imported_events": [group_event_to_dict(item) for item in result.imported],
            "import_failed": result.failed,
        },
    )
