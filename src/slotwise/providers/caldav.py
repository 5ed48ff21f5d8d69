"""CalDAV accounts (RFC 4791), with plain httpx and the few WebDAV requests a mirror needs.

- discover: PROPFIND for the principal, its calendar home, and the calendars in it (or the
  given URL when it is a calendar itself).
- fetch: the calendar's `sync-token` (RFC 6578) when the server has one: a sync-collection
  REPORT lists only what changed. Otherwise the CalendarServer `getctag` says whether anything
  changed, and a calendar-query REPORT over a time range lists the objects and their etags.
  Objects whose etag differs from the mirror's are then read with calendar-multiget.
- put/delete: PUT with If-None-Match: * (new) or If-Match (replace), DELETE with If-Match.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx

from slotwise import clock, outbound
from slotwise.providers import policy
from slotwise.providers.base import (
    Changes,
    ProviderConflict,
    ProviderError,
    ProviderTimeout,
    RemoteCalendar,
    RemoteItem,
    SyncState,
)
from slotwise.redact import redact_url

log = logging.getLogger("slotwise.providers")

DAV = "DAV:"
CAL = "urn:ietf:params:xml:ns:caldav"
CS = "http://calendarserver.org/ns/"
ICAL = "http://apple.com/ns/ical/"
NS = {"d": DAV, "c": CAL, "cs": CS, "ic": ICAL}
MULTIGET_BATCH = 50
# Without a sync token, the objects listed are those overlapping this window around now.
PAST_DAYS = 90
FUTURE_DAYS = 730


class AuthFailed(ProviderError):
    """The server refused the credentials (401/403 on the account itself)."""


class Unreachable(ProviderError):
    """No HTTP answer at all (connection refused, DNS, TLS): discovery stops and says so."""


class Refused(Unreachable):
    """Not asked, or not read: the outbound policy refused the address, or the answer was
    over the size cap. Discovery stops and says so, like for an unreachable server."""


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _xml(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode()


_PROPFIND_ACCOUNT = _xml(
    '<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
    "<d:prop><d:current-user-principal/><c:calendar-home-set/><d:resourcetype/></d:prop>"
    "</d:propfind>"
)
_PROPFIND_CALENDARS = _xml(
    '<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" '
    'xmlns:cs="http://calendarserver.org/ns/" xmlns:ic="http://apple.com/ns/ical/">'
    "<d:prop><d:resourcetype/><d:displayname/><c:supported-calendar-component-set/>"
    "<d:current-user-privilege-set/><ic:calendar-color/><c:calendar-description/>"
    "<cs:getctag/><d:sync-token/></d:prop></d:propfind>"
)
_PROPFIND_STATE = _xml(
    '<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">'
    "<d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>"
)


def _sync_report(token: str | None) -> bytes:
    token_xml = f"<d:sync-token>{_escape(token)}</d:sync-token>" if token else "<d:sync-token/>"
    return _xml(
        '<d:sync-collection xmlns:d="DAV:">'
        f"{token_xml}<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop>"
        "</d:sync-collection>"
    )


def _range_report(start: datetime, end: datetime) -> bytes:
    fmt = "%Y%m%dT%H%M%SZ"
    return _xml(
        '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        "<d:prop><d:getetag/></d:prop>"
        '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
        f'<c:time-range start="{start.strftime(fmt)}" end="{end.strftime(fmt)}"/>'
        "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
    )


def _multiget(hrefs: list[str]) -> bytes:
    items = "".join(f"<d:href>{_escape(h)}</d:href>" for h in hrefs)
    return _xml(
        '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{items}</c:calendar-multiget>"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _path(url: str) -> str:
    return urlsplit(url).path or "/"


class Response:
    """One <d:response> of a multistatus: its href, status, and the props found (200)."""

    def __init__(self, element: ET.Element) -> None:
        self.href = (element.findtext("d:href", default="", namespaces=NS) or "").strip()
        self.status = element.findtext("d:status", default="", namespaces=NS) or ""
        self.props: dict[str, ET.Element] = {}
        for propstat in element.findall("d:propstat", NS):
            status = propstat.findtext("d:status", default="", namespaces=NS) or ""
            if " 200" not in status:
                continue
            prop = propstat.find("d:prop", NS)
            for child in prop if prop is not None else []:
                self.props[child.tag] = child

    def text(self, ns: str, name: str) -> str | None:
        element = self.props.get(_q(ns, name))
        if element is None:
            return None
        return (element.text or "").strip() or None

    def href_in(self, ns: str, name: str) -> str | None:
        element = self.props.get(_q(ns, name))
        if element is None:
            return None
        return (element.findtext("d:href", default="", namespaces=NS) or "").strip() or None

    @property
    def missing(self) -> bool:
        return " 404" in self.status


class CalDAVProvider:
    kind = "caldav"
    read_only = False
    default_url: str | None = None

    # ------------------------------------------------------------------ HTTP

    def base_url(self, settings: dict[str, Any]) -> str:
        url = str(settings.get("url") or self.default_url or "").strip()
        if not url.startswith(("http://", "https://")):
            raise ProviderError("settings.url: expected an http(s) URL of the CalDAV server")
        return url

    def _client(self, settings: dict[str, Any]) -> httpx.Client:
        username = str(settings.get("username") or settings.get("email") or "")
        password = str(settings.get("password") or "")
        return outbound.client(
            auth=httpx.BasicAuth(username, password),
            timeout=httpx.Timeout(policy.POLICY.timeout_seconds),
            headers={"User-Agent": "Slotwise"},
        )

    def _send(
        self,
        client: httpx.Client,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> outbound.Fetched:
        """One request through the outbound policy (every redirect hop checked), its answer
        capped; errors never quote what the server sent."""
        sent = dict(headers or {})
        if body is not None and "Content-Type" not in sent:
            sent["Content-Type"] = "application/xml; charset=utf-8"
        try:
            response = outbound.fetch(client, method, url, content=body, headers=sent)
        except outbound.OutboundRefused as exc:
            raise Refused(
                f"settings.url: the calendar server's address is not allowed: {exc}"
            ) from None
        except outbound.TooLarge as exc:
            raise Refused(
                f"settings.url: the calendar server's answer to {method} {_path(url)} is larger "
                f"than {outbound.describe_bytes(exc.limit)}"
            ) from None
        except httpx.TimeoutException:
            raise ProviderTimeout(
                f"settings.url: the calendar server did not answer {method} {_path(url)} in time"
            ) from None
        except httpx.TooManyRedirects:
            raise ProviderError(
                "settings.url: the calendar server redirects too many times"
            ) from None
        except httpx.HTTPError as exc:
            raise Unreachable(
                "settings.url: cannot reach the calendar server at "
                f"{redact_url(url)} ({type(exc).__name__})"
            ) from None
        if response.status_code == 401:
            raise AuthFailed("settings.password: the calendar server refused the credentials")
        return response

    def _multistatus(
        self,
        client: httpx.Client,
        method: str,
        url: str,
        body: bytes,
        depth: str,
    ) -> list[Response]:
        response = self._send(client, method, url, body=body, headers={"Depth": depth})
        if response.status_code != 207:
            raise ProviderError(
                f"settings.url: {method} {_path(url)} answered {response.status_code}"
            )
        try:
            root = ET.fromstring(response.content)
        except ET.ParseError as exc:
            raise ProviderError(f"settings.url: {method} {_path(url)}: bad XML ({exc})") from None
        return [Response(e) for e in root.findall("d:response", NS)]

    # ------------------------------------------------------------------ discovery

    def discover(self, settings: dict[str, Any]) -> list[RemoteCalendar]:
        url = self.base_url(settings)
        with self._client(settings) as client:
            home = self._calendar_home(client, url)
            if home is None:
                well_known = urljoin(url, "/.well-known/caldav")
                if _path(well_known) != _path(url):
                    home = self._calendar_home(client, well_known)
            if home is None:
                raise ProviderError(f"settings.url: no CalDAV calendars found at {redact_url(url)}")
            if isinstance(home, RemoteCalendar):
                return [home]
            found = self._calendars_in(client, home)
        if not found:
            raise ProviderError(f"settings.url: no CalDAV calendars found at {redact_url(url)}")
        return found

    def _calendar_home(self, client: httpx.Client, url: str) -> str | RemoteCalendar | None:
        """The calendar home URL for an account URL, or the calendar when `url` is one."""
        try:
            found = self._multistatus(client, "PROPFIND", url, _PROPFIND_ACCOUNT, "0")
        except (AuthFailed, Unreachable, ProviderTimeout):
            raise
        except ProviderError:
            return None
        for item in found:
            resourcetype = item.props.get(_q(DAV, "resourcetype"))
            if resourcetype is not None and resourcetype.find("c:calendar", NS) is not None:
                calendars = self._calendars_in(client, url, depth="0")
                return calendars[0] if calendars else None
            home = item.href_in(CAL, "calendar-home-set")
            if home:
                return urljoin(url, home)
            principal = item.href_in(DAV, "current-user-principal")
            if principal and _path(urljoin(url, principal)) != _path(url):
                return self._calendar_home(client, urljoin(url, principal))
        return None

    def _calendars_in(
        self, client: httpx.Client, home: str, *, depth: str = "1"
    ) -> list[RemoteCalendar]:
        found = []
        for item in self._multistatus(client, "PROPFIND", home, _PROPFIND_CALENDARS, depth):
            resourcetype = item.props.get(_q(DAV, "resourcetype"))
            if resourcetype is None or resourcetype.find("c:calendar", NS) is None:
                continue
            components = item.props.get(_q(CAL, "supported-calendar-component-set"))
            if components is not None and len(components):
                names = {c.get("name", "").upper() for c in components}
                if "VEVENT" not in names:
                    continue
            privileges = item.props.get(_q(DAV, "current-user-privilege-set"))
            read_only = False
            if privileges is not None:
                granted = {p.tag for priv in privileges for p in priv}
                read_only = not granted & {
                    _q(DAV, "write"),
                    _q(DAV, "write-content"),
                    _q(DAV, "all"),
                    _q(DAV, "bind"),
                }
            calendar_url = urljoin(home, item.href)
            color = item.text(ICAL, "calendar-color")
            name = item.text(DAV, "displayname") or _path(calendar_url).rstrip("/").split("/")[-1]
            found.append(
                RemoteCalendar(
                    url=calendar_url,
                    name=name,
                    read_only=read_only,
                    color=color[:7] if color else None,
                    description=item.text(CAL, "calendar-description"),
                )
            )
        return found

    # ------------------------------------------------------------------ sync

    def fetch(self, settings: dict[str, Any], state: SyncState) -> Changes:
        with self._client(settings) as client:
            props = self._multistatus(client, "PROPFIND", state.url, _PROPFIND_STATE, "0")
            ctag = props[0].text(CS, "getctag") if props else None
            token = props[0].text(DAV, "sync-token") if props else None
            if token is not None and token == state.sync_token:
                return Changes(unchanged=True, ctag=ctag, sync_token=token)
            if token is None and ctag is not None and ctag == state.ctag:
                return Changes(unchanged=True, ctag=ctag)
            if token is not None:
                changes = self._sync_collection(client, state)
            else:
                changes = self._time_range(client, state)
            changes.ctag = ctag
            wanted = [
                item.href
                for item in changes.changed
                if item.etag is None or state.items.get(item.href) != item.etag
            ]
            fetched = self._read(client, state.url, wanted)
            listed = {item.href for item in changes.changed}
            changes.changed = [fetched[h] for h in wanted if h in fetched]
            # Listed but unreadable now: gone since it was listed.
            changes.deleted += [h for h in wanted if h not in fetched]
            if changes.full:
                changes.deleted += [h for h in state.items if h not in listed]
            return changes

    def _sync_collection(self, client: httpx.Client, state: SyncState) -> Changes:
        token = state.sync_token
        response = self._send(
            client, "REPORT", state.url, body=_sync_report(token), headers={"Depth": "1"}
        )
        if response.status_code in (403, 409, 412) and token:
            # The server no longer knows our token: start over with a full listing.
            token = None
            response = self._send(
                client, "REPORT", state.url, body=_sync_report(None), headers={"Depth": "1"}
            )
        if response.status_code != 207:
            raise ProviderError(
                f"settings.url: sync REPORT on {_path(state.url)} answered {response.status_code}"
            )
        try:
            root = ET.fromstring(response.content)
        except ET.ParseError as exc:
            raise ProviderError(f"settings.url: sync REPORT: bad XML ({exc})") from None
        changes = Changes(full=token is None)
        token_text = root.findtext("d:sync-token", default="", namespaces=NS) or ""
        changes.sync_token = token_text.strip()
        base = _path(state.url)
        for element in root.findall("d:response", NS):
            item = Response(element)
            href = _path(urljoin(state.url, item.href))
            if href.rstrip("/") == base.rstrip("/"):
                continue
            if item.missing:
                changes.deleted.append(href)
            else:
                changes.changed.append(RemoteItem(href, item.text(DAV, "getetag")))
        return changes

    def _time_range(self, client: httpx.Client, state: SyncState) -> Changes:
        now = datetime.fromtimestamp(clock.now(), UTC)
        body = _range_report(now - timedelta(days=PAST_DAYS), now + timedelta(days=FUTURE_DAYS))
        changes = Changes(full=True)
        for item in self._multistatus(client, "REPORT", state.url, body, "1"):
            href = _path(urljoin(state.url, item.href))
            if not item.missing:
                changes.changed.append(RemoteItem(href, item.text(DAV, "getetag")))
        return changes

    def _read(self, client: httpx.Client, url: str, hrefs: list[str]) -> dict[str, RemoteItem]:
        out: dict[str, RemoteItem] = {}
        for i in range(0, len(hrefs), MULTIGET_BATCH):
            batch = hrefs[i : i + MULTIGET_BATCH]
            for item in self._multistatus(client, "REPORT", url, _multiget(batch), "1"):
                data = item.text(CAL, "calendar-data")
                if item.missing or data is None:
                    continue
                href = _path(urljoin(url, item.href))
                out[href] = RemoteItem(href, item.text(DAV, "getetag"), data)
        return out

    # ------------------------------------------------------------------ writes

    def put(
        self,
        settings: dict[str, Any],
        calendar_url: str,
        href: str | None,
        name: str,
        data: str,
        etag: str | None,
    ) -> RemoteItem:
        if href is None:
            folder = calendar_url if calendar_url.endswith("/") else calendar_url + "/"
            target = urljoin(folder, quote(name))
            headers = {"If-None-Match": "*"}
        else:
            target = urljoin(calendar_url, href)
            headers = {"If-Match": etag} if etag else {}
        headers["Content-Type"] = "text/calendar; charset=utf-8"
        with self._client(settings) as client:
            response = self._send(client, "PUT", target, body=data.encode(), headers=headers)
        if response.status_code == 412:
            raise ProviderConflict(
                f"event: changed on the calendar server since the last sync ({_path(target)})"
            )
        if response.status_code not in (200, 201, 204):
            raise ProviderError(
                f"event: the calendar server refused PUT {_path(target)} "
                f"(HTTP {response.status_code})"
            )
        return RemoteItem(_path(target), response.headers.get("etag"))

    def delete(
        self, settings: dict[str, Any], calendar_url: str, href: str, etag: str | None
    ) -> None:
        url = urljoin(calendar_url, href)
        headers = {"If-Match": etag} if etag else {}
        with self._client(settings) as client:
            response = self._send(client, "DELETE", url, headers=headers)
        if response.status_code in (200, 202, 204, 404, 410):
            return
        if response.status_code == 412:
            raise ProviderConflict(
                f"event: changed on the calendar server since the last sync ({href})"
            )
        raise ProviderError(
            f"event: the calendar server refused DELETE {href} ({response.status_code})"
        )


class ICloudProvider(CalDAVProvider):
    """iCloud is CalDAV; only its address is known in advance."""

    kind = "icloud"
    default_url = "https://caldav.icloud.com/"
