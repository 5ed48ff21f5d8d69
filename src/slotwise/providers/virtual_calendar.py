"""The embedded provider: events live in Slotwise itself, so there is nothing to sync or write."""

from __future__ import annotations

from typing import Any

from slotwise.providers.base import Changes, RemoteCalendar, RemoteItem, SyncState


class VirtualCalendarProvider:
    kind = "virtual-calendar"
    read_only = False

    def discover(self, settings: dict[str, Any]) -> list[RemoteCalendar]:
        return []

    def fetch(self, settings: dict[str, Any], state: SyncState) -> Changes:
        return Changes(unchanged=True)

    def put(
        self,
        settings: dict[str, Any],
        calendar_url: str,
        href: str | None,
        name: str,
        data: str,
        etag: str | None,
    ) -> RemoteItem:
        return RemoteItem(href or name, etag)

    def delete(
        self, settings: dict[str, Any], calendar_url: str, href: str, etag: str | None
    ) -> None:
        return None
