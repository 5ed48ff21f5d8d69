"""Connecting a remote account: check it by contacting the server, then mirror its calendars.

`check(kind, settings)` runs before the grant is stored (and before any database work, so no
lock is held while the server is asked): a CalDAV discovery that must find calendars, or a
feed GET that must parse. `attach(session, grant, found)` gives the grant one Slotwise calendar
per remote calendar — matched by URL on a re-connect, so calendar ids stay stable — the first
one being the primary.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.availability import zones
from slotwise.db.models import Calendar, Grant, ProviderCalendar
from slotwise.errors import InvalidRequest, field_error
from slotwise.ids import new_id
from slotwise.providers import REMOTE_KINDS, credentials, provider_for, repository
from slotwise.providers.base import ProviderError, RemoteCalendar
from slotwise.providers.sync import refresh_grants

_REQUIRED = {
    "caldav": ("url", "password"),
    "icloud": ("password",),
    "ics": ("url",),
}


def is_remote(kind: str) -> bool:
    return kind in REMOTE_KINDS


def check(kind: str, settings: dict[str, Any]) -> list[RemoteCalendar]:
    """The account's calendars; a 400 naming settings.url or the credentials otherwise."""
    for key in ("url", "username", "password"):
        value = settings.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > 2000):
            raise field_error(f"settings.{key}", "expected a string")
    for key in _REQUIRED.get(kind, ()):
        if not settings.get(key):
            raise field_error(f"settings.{key}", f"is required for provider {kind!r}")
    try:
        found = provider_for(kind).discover(settings)
    except ProviderError as exc:
        raise InvalidRequest(exc.message) from None
    if not found:
        raise field_error("settings.url", "no calendars found")
    return found


def attach(session: Session, grant: Grant, found: list[RemoteCalendar]) -> None:
    """Make (or refresh) the grant's calendars for the remote ones, then sync them."""
    now = clock.now()
    known = {
        credentials.remote_url(pc): pc for pc in repository.mirrors_of_grant(session, grant.id)
    }
    # Calendars no longer on the server go, with their mirrored events (their busy time
    # would otherwise count forever, as the mirror can no longer be refreshed).
    listed = {remote.url for remote in found}
    for url in [url for url in known if url not in listed]:
        calendar = session.get(Calendar, known.pop(url).calendar_id)
        if calendar is not None:
            session.delete(calendar)  # its sync state and events go by foreign key cascade
    session.flush()
    has_primary = repository.has_primary_calendar(session, grant.id)
    timezone = (grant.settings or {}).get("timezone")
    for remote in found:
        if remote.url in known:
            calendar = session.get(Calendar, known[remote.url].calendar_id)
            if calendar is not None:
                if not has_primary:  # the primary was removed on the server
                    calendar.is_primary = has_primary = True
                calendar.name = remote.name[:500]
                calendar.read_only = remote.read_only
                calendar.updated_at = now
            continue
        zone = timezone or (remote.timezone if zones.is_zone(remote.timezone) else None)
        calendar = Calendar(
            id=new_id(),
            grant_id=grant.id,
            name=remote.name[:500],
            description=remote.description,
            timezone=zone,
            hex_color=remote.color,
            is_primary=not has_primary,
            read_only=remote.read_only,
            calendar_metadata={},
            created_at=now,
            updated_at=now,
        )
        has_primary = True
        session.add(calendar)
        session.flush()
        session.add(
            ProviderCalendar(
                calendar_id=calendar.id,
                grant_id=grant.id,
                sealed_url=credentials.seal_url(remote.url),
                revision=0,
            )
        )
    session.flush()
    refresh_grants(session, [grant.id], max_age=0)
