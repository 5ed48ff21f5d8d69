"""Calendar rules. The primary calendar is made with its grant and cannot be deleted alone."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock, notifications
from slotwise.calendars import repository
from slotwise.calendars.schemas import CalendarFields
from slotwise.db.models import Calendar, Grant
from slotwise.errors import InvalidRequest, NotFound, field_error
from slotwise.ids import new_id
from slotwise.validation import check_zone, validate_model

PRIMARY = "primary"


def calendar_to_dict(calendar: Calendar) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": calendar.id,
        "object": "calendar",
        "grant_id": calendar.grant_id,
        "name": calendar.name,
        "description": calendar.description,
        "location": calendar.location,
        "timezone": calendar.timezone,
        "hex_color": calendar.hex_color,
        "hex_foreground_color": calendar.hex_foreground_color,
        "is_primary": calendar.is_primary,
        "read_only": calendar.read_only,
        "is_owned_by_user": True,
        "metadata": dict(calendar.calendar_metadata or {}),
    }
    if calendar.notetaker is not None:
        data["notetaker"] = calendar.notetaker
    return data


def resolve_calendar(session: Session, grant: Grant, calendar_id: str) -> Calendar:
    """A calendar of `grant` by id, or its primary calendar for "primary"; else NotFound."""
    if calendar_id == PRIMARY:
        calendar = repository.primary_calendar(session, grant.id)
    else:
        calendar = repository.find_calendar(session, calendar_id)
    if calendar is None or calendar.grant_id != grant.id:
        raise NotFound(f"calendar_id: no calendar {calendar_id!r} for this grant")
    return calendar


def new_calendar(
    session: Session,
    grant: Grant,
    *,
    name: str,
    is_primary: bool = False,
    timezone: str | None = None,
) -> Calendar:
    """Store a calendar without notifying (the grant's primary is created with the grant)."""
    now = clock.now()
    calendar = Calendar(
        id=new_id(),
        grant_id=grant.id,
        name=name,
        timezone=timezone,
        is_primary=is_primary,
        read_only=False,
        calendar_metadata={},
        created_at=now,
        updated_at=now,
    )
    session.add(calendar)
    session.flush()
    return calendar


def _apply(calendar: Calendar, fields: CalendarFields, sent: set[str]) -> None:
    if "timezone" in sent and fields.timezone is not None:
        check_zone("timezone", fields.timezone)
    for name in ("name", "description", "location", "timezone", "notetaker"):
        if name in sent:
            setattr(calendar, name, getattr(fields, name))
    for name in ("hex_color", "hex_foreground_color"):
        if name in sent:
            setattr(calendar, name, getattr(fields, name))
    if "metadata" in sent:
        calendar.calendar_metadata = dict(fields.metadata or {})


def _fields(body: dict[str, Any]) -> tuple[CalendarFields, set[str]]:
    if not isinstance(body, dict):
        raise InvalidRequest("body: expected a JSON object")
    fields = validate_model(CalendarFields, body)
    return fields, set(fields.model_fields_set)


def create_calendar(session: Session, grant: Grant, body: dict[str, Any]) -> Calendar:
    fields, sent = _fields(body)
    if not fields.name:
        raise field_error("name", "is required")
    calendar = new_calendar(session, grant, name=fields.name)
    _apply(calendar, fields, sent)
    session.flush()
    notifications.record(session, "calendar.created", calendar_to_dict(calendar))
    return calendar


def update_calendar(session: Session, calendar: Calendar, body: dict[str, Any]) -> Calendar:
    fields, sent = _fields(body)
    if "name" in sent and not fields.name:
        raise field_error("name", "cannot be empty")
    _apply(calendar, fields, sent)
    calendar.updated_at = clock.now()
    session.flush()
    notifications.record(session, "calendar.updated", calendar_to_dict(calendar))
    return calendar


def delete_calendar(session: Session, calendar: Calendar) -> None:
    """Delete a calendar and its events; the primary goes only with its grant."""
    if calendar.is_primary:
        raise field_error("calendar_id", "the primary calendar cannot be deleted")
    payload = {"id": calendar.id, "grant_id": calendar.grant_id, "object": "calendar"}
    session.delete(calendar)
    session.flush()
    notifications.record(session, "calendar.deleted", payload)


def list_calendars(
    session: Session, grant: Grant, metadata: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    out = []
    for calendar in repository.calendars_of(session, grant.id):
        stored = calendar.calendar_metadata or {}
        if metadata and any(stored.get(k) != v for k, v in metadata.items()):
            continue
        out.append(calendar_to_dict(calendar))
    return out
