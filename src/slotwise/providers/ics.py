"""A read-only iCalendar feed (an `.ics` URL) as a busy source.

The feed is read with a conditional GET (If-None-Match / If-Modified-Since); a 304 means
nothing changed, and so does a body whose hash is the one kept from the last sync (as the
calendar's `ctag`), for feeds served without validators. Otherwise it is split into one item
per UID (a master and its overridden instances), each with a content hash as its etag, so the
mirror only rewrites what changed.
"""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import icalendar

from slotwise import outbound
from slotwise.providers import policy
from slotwise.providers.base import (
    Changes,
    ProviderError,
    ProviderTimeout,
    RemoteCalendar,
    RemoteItem,
    SyncState,
)
from slotwise.providers.ical import ICalError, parse_calendar
from slotwise.redact import redact_url


class ReadOnlyFeed(ProviderError):
    status_code = 400
    error_type = "invalid_request_error"


class IcsProvider:
    kind = "ics"
    read_only = True

    def _url(self, settings: dict[str, Any]) -> str:
        url = str(settings.get("url") or "").strip()
        if url.startswith("webcal://"):
            url = "https://" + url[len("webcal://") :]
        if not url.startswith(("http://", "https://")):
            raise ProviderError("settings.url: expected an http(s) URL of an iCalendar feed")
        return url

    def _get(self, url: str, headers: dict[str, str]) -> outbound.Fetched:
        """The feed, through the outbound policy, its body capped.

        Errors name the field and say what went wrong, never what the server sent: the URL
        may point at something private whose content must not come back in a 400.
        """
        try:
            with outbound.client(
                timeout=httpx.Timeout(policy.POLICY.timeout_seconds),
                headers={"User-Agent": "Slotwise"},
            ) as client:
                fetched = outbound.fetch(client, "GET", url, headers=headers)
        except outbound.OutboundRefused as exc:
            raise ProviderError(f"settings.url: the feed's address is not allowed: {exc}") from None
        except outbound.TooLarge as exc:
            raise ProviderError(
                f"settings.url: the feed is larger than {outbound.describe_bytes(exc.limit)}"
            ) from None
        except httpx.TimeoutException:
            raise ProviderTimeout("settings.url: the feed did not answer in time") from None
        except httpx.TooManyRedirects:
            raise ProviderError("settings.url: the feed redirects too many times") from None
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"settings.url: cannot read the feed ({type(exc).__name__})"
            ) from None
        status = fetched.response.status_code
        if status not in (200, 304):
            raise ProviderError(f"settings.url: the feed answered HTTP {status}")
        return fetched

    def _parse(self, fetched: outbound.Fetched) -> icalendar.Calendar:
        try:
            return parse_calendar(fetched.content)
        except ICalError:
            raise ProviderError("settings.url: the feed is not an iCalendar (.ics) file") from None

    def discover(self, settings: dict[str, Any]) -> list[RemoteCalendar]:
        url = self._url(settings)
        cal = self._parse(self._get(url, {}))
        name = str(
            cal.get("X-WR-CALNAME")
            or settings.get("name")
            or settings.get("email")
            or redact_url(url)
        )
        timezone = cal.get("X-WR-TIMEZONE")
        return [
            RemoteCalendar(
                url=url,
                name=name,
                read_only=True,
                timezone=str(timezone) if timezone else None,
                description=str(cal.get("X-WR-CALDESC")) if cal.get("X-WR-CALDESC") else None,
            )
        ]

    def fetch(self, settings: dict[str, Any], state: SyncState) -> Changes:
        url = state.url
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        fetched = self._get(url, headers)
        response = fetched.response
        if response.status_code == 304:
            return Changes(unchanged=True, etag=state.etag, last_modified=state.last_modified)
        digest = "sha256:" + hashlib.sha256(fetched.content).hexdigest()
        if state.ctag == digest:
            return Changes(
                unchanged=True,
                ctag=digest,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )
        cal = self._parse(fetched)
        timezones = b"".join(tz.to_ical() for tz in cal.walk("VTIMEZONE"))
        groups: dict[str, list[bytes]] = {}
        for event in cal.walk("VEVENT"):
            uid = str(event.get("UID") or "")
            if uid:
                groups.setdefault(uid, []).append(event.to_ical())
        changes = Changes(
            full=True,
            ctag=digest,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
        for uid, parts in groups.items():
            body = b"".join(parts)
            etag = hashlib.sha256(body).hexdigest()[:32]
            href = "uid:" + hashlib.sha256(uid.encode()).hexdigest()[:32]
            if state.items.get(href) == etag:
                changes.changed.append(RemoteItem(href, etag))
                continue
            data = (
                b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Slotwise//Feed//EN\r\n"
                + timezones
                + body
                + b"END:VCALENDAR\r\n"
            )
            changes.changed.append(RemoteItem(href, etag, data.decode("utf-8", "replace")))
        listed = {item.href for item in changes.changed}
        changes.deleted = [h for h in state.items if h not in listed]
        changes.changed = [item for item in changes.changed if item.data is not None]
        changes.full = False  # deletions are already listed
        return changes

    def put(
        self,
        settings: dict[str, Any],
        calendar_url: str,
        href: str | None,
        name: str,
        data: str,
        etag: str | None,
    ) -> RemoteItem:
        raise ReadOnlyFeed("calendar_id: the calendar is read_only (an iCalendar feed)")

    def delete(
        self, settings: dict[str, Any], calendar_url: str, href: str, etag: str | None
    ) -> None:
        raise ReadOnlyFeed("calendar_id: the calendar is read_only (an iCalendar feed)")
