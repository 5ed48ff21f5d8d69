"""Calendar providers: where a grant's calendars live, chosen by `Grant.provider`.

- `virtual-calendar`: events live in Slotwise itself (nothing to sync or write back).
- `caldav` / `icloud`: a CalDAV server, mirrored into the local event store (`sync`), with
  events created, changed and cancelled through Slotwise written back
  (`slotwise.events.writeback`).
- `ics`: a read-only iCalendar feed, mirrored as a busy source.

Availability, free/busy and lists always read the local mirror; `sync.refresh_calendars`
brings stale mirrors up to date first (see docs/providers.md for the staleness rule).
"""

from __future__ import annotations

from slotwise.providers.base import Provider
from slotwise.providers.caldav import CalDAVProvider, ICloudProvider
from slotwise.providers.ics import IcsProvider
from slotwise.providers.virtual_calendar import VirtualCalendarProvider

_PROVIDERS: dict[str, Provider] = {
    p.kind: p
    for p in (VirtualCalendarProvider(), CalDAVProvider(), ICloudProvider(), IcsProvider())
}
# Kinds whose calendars live on another server and are mirrored.
REMOTE_KINDS = frozenset({"caldav", "icloud", "ics"})


def kinds() -> set[str]:
    return set(_PROVIDERS)


def provider_for(kind: str) -> Provider:
    return _PROVIDERS[kind]
