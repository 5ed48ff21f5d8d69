"""Grant rules: custom authentication (idempotent per email), update, delete.

Connecting an email that already has a grant re-authenticates it: the existing grant is updated
and returned, as a provider re-auth returns the same grant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from slotwise import clock, notifications
from slotwise.calendars import service as calendars
from slotwise.db.models import Grant
from slotwise.errors import InvalidRequest, NotFound, field_error
from slotwise.grants import repository
from slotwise.grants.schemas import ConnectCustom, GrantUpdate
from slotwise.ids import new_id
from slotwise.providers import connect as remote
from slotwise.providers import credentials
from slotwise.providers.base import RemoteCalendar
from slotwise.validation import check_zone, validate_model

# Providers whose calendars Slotwise can hold (slotwise.providers has one module per kind).
PROVIDERS: set[str] = {"virtual-calendar", "caldav", "icloud", "ics"}
SOURCE = "/nylas/system"


def grant_to_dict(grant: Grant) -> dict[str, Any]:
    return {
        "id": grant.id,
        "object": "grant",
        "provider": grant.provider,
        "grant_status": grant.grant_status,
        "email": grant.email,
        "name": grant.name,
        "scope": list(grant.scope or []),
        # Only the allow-listed, redacted part: never a credential (providers.credentials).
        "settings": credentials.shown_settings(grant.settings or {}),
        "created_at": grant.created_at,
        "updated_at": grant.updated_at,
    }


def _notice(grant: Grant, code: int) -> dict[str, Any]:
    return {
        "code": code,
        "grant_id": grant.id,
        "integration_id": grant.provider,
        "provider": grant.provider,
        "email": grant.email,
        "name": grant.name,
        "scope": list(grant.scope or []),
    }


@dataclass(frozen=True)
class Connected:
    grant: Grant
    created: bool


def connect_custom(session: Session, body: dict[str, Any]) -> Connected:
    """Create a grant with its primary calendar, or re-authenticate the email's grant."""
    if not isinstance(body, dict):
        raise InvalidRequest("body: expected a JSON object")
    request = validate_model(ConnectCustom, body)
    if request.provider not in PROVIDERS:
        raise field_error("provider", f"expected one of {', '.join(sorted(PROVIDERS))}")
    timezone = request.settings.timezone
    if timezone is not None:
        check_zone("settings.timezone", timezone)
    settings = request.settings.model_dump(exclude_none=True)
    email = request.settings.email
    # A remote account is checked by contacting its server, before any database work.
    found = remote.check(request.provider, settings) if remote.is_remote(request.provider) else []
    now = clock.now()
    grant = repository.find_grant_by_email(session, email)
    if grant is None:
        grant = _new_grant(session, request, settings, now, found)
        if grant is not None:
            return Connected(grant, created=True)
        # Another request connected this email meanwhile: re-authenticate that grant.
        grant = repository.find_grant_by_email(session, email)
        assert grant is not None
    if grant.provider != request.provider:
        raise field_error("settings.email", f"already connected with provider {grant.provider!r}")
    credentials.store(grant, {**credentials.of(grant), **settings})
    if request.settings.name is not None:
        grant.name = request.settings.name
    if request.scope is not None:
        grant.scope = request.scope
    grant.grant_status = "valid"
    grant.updated_at = now
    session.flush()
    if found:
        remote.attach(session, grant, found)
    notifications.record(session, "grant.updated", _notice(grant, 25002), source=SOURCE)
    return Connected(grant, created=False)


def _new_grant(
    session: Session,
    request: ConnectCustom,
    settings: dict[str, Any],
    now: int,
    found: list[RemoteCalendar],
) -> Grant | None:
    """A new grant with its primary calendar; None when a concurrent request took the email."""
    email = request.settings.email
    grant = Grant(
        id=new_id(),
        provider=request.provider,
        email=email,
        name=request.settings.name,
        grant_status="valid",
        scope=request.scope or [],
        created_at=now,
        updated_at=now,
    )
    credentials.store(grant, settings)
    try:
        with session.begin_nested():
            session.add(grant)
            session.flush()
    except IntegrityError:
        return None
    if found:
        remote.attach(session, grant, found)
    else:
        timezone = request.settings.timezone
        calendars.new_calendar(session, grant, name=email, is_primary=True, timezone=timezone)
    notifications.record(session, "grant.created", _notice(grant, 25000), source=SOURCE)
    return grant


def update_grant(session: Session, grant: Grant, body: dict[str, Any]) -> Grant:
    if not isinstance(body, dict):
        raise InvalidRequest("body: expected a JSON object")
    update = validate_model(GrantUpdate, body)
    if update.settings is not None:
        new_email = update.settings.get("email")
        if new_email is not None and str(new_email).lower() != grant.email.lower():
            raise field_error("settings.email", "cannot change; connect the new email instead")
        name = update.settings.get("name")
        if name is not None and not isinstance(name, str):
            raise field_error("settings.name", "expected a string")
        timezone = update.settings.get("timezone")
        if timezone is not None:
            check_zone("settings.timezone", timezone)
        credentials.store(grant, {**credentials.of(grant), **update.settings})
        if name is not None:
            grant.name = name
    if update.scope is not None:
        grant.scope = update.scope
    grant.updated_at = clock.now()
    session.flush()
    notifications.record(session, "grant.updated", _notice(grant, 25002), source=SOURCE)
    return grant


def delete_grant(session: Session, grant: Grant) -> None:
    """Delete a grant and everything under it (the database cascades)."""
    payload = _notice(grant, 25004)
    session.delete(grant)
    session.flush()
    notifications.record(session, "grant.deleted", payload, source=SOURCE)


def get_grant(session: Session, identifier: str) -> Grant:
    """A grant by any identifier form (id, grant:<id>, email, email:<e>); else NotFound."""
    grant = repository.find_grant(session, identifier) if identifier.strip() else None
    if grant is None:
        raise NotFound(f"grant: no grant {identifier!r}")
    return grant
