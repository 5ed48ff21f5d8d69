"""The provider interface: discover calendars, fetch changes for a window/sync, write events.

Each kind of grant (`Grant.provider`) has one module implementing `Provider`. Everything here
is network-only: providers never touch the database. `slotwise.providers.sync` turns what they
return into rows of the local event store, and `slotwise.events.writeback` asks them to
store what the API changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from slotwise.errors import SlotwiseError


class ProviderError(SlotwiseError):
    """The calendar server failed or refused (502) — the message says which and why."""

    status_code = 502
    error_type = "provider_error"


class ProviderTimeout(ProviderError):
    """The calendar server did not answer in time (504)."""

    status_code = 504


class ProviderConflict(ProviderError):
    """The remote object changed since the last sync (a failed If-Match precondition)."""

    status_code = 409


@dataclass(frozen=True)
class RemoteCalendar:
    url: str
    name: str
    read_only: bool = False
    color: str | None = None
    description: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class RemoteItem:
    """One iCalendar object resource: its address, version, and text (None: not fetched)."""

    href: str
    etag: str | None
    data: str | None = None


@dataclass
class SyncState:
    """What the mirror knows of one remote calendar before a sync."""

    url: str
    ctag: str | None = None
    sync_token: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    # href -> etag of the items already mirrored
    items: dict[str, str | None] = field(default_factory=dict)


@dataclass
class Changes:
    """What changed remotely since `SyncState`.

    `full` means `changed` lists every item (anything mirrored but not listed is gone);
    otherwise `changed` and `deleted` are the differences. The new validators (ctag, sync
    token, feed etag/last-modified) are stored after the changes are applied.
    """

    changed: list[RemoteItem] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    full: bool = False
    unchanged: bool = False
    ctag: str | None = None
    sync_token: str | None = None
    etag: str | None = None
    last_modified: str | None = None


class Provider(Protocol):
    """One kind of calendar account."""

    kind: str
    read_only: bool

    def discover(self, settings: dict[str, Any]) -> list[RemoteCalendar]:
        """The account's calendars (contacting the server); ProviderError when it cannot."""
        ...

    def fetch(self, settings: dict[str, Any], state: SyncState) -> Changes:
        """Changes to one calendar since `state`, with the text of every changed item."""
        ...

    def put(
        self,
        settings: dict[str, Any],
        calendar_url: str,
        href: str | None,
        name: str,
        data: str,
        etag: str | None,
    ) -> RemoteItem:
        """Store one object: create it (href None → a new `name` in the calendar) or replace
        it (If-Match `etag`). Returns its href and new etag (None when the server gives none)."""
        ...

    def delete(
        self, settings: dict[str, Any], calendar_url: str, href: str, etag: str | None
    ) -> None:
        """Remove one object (If-Match `etag`); an object already gone counts as removed."""
        ...
