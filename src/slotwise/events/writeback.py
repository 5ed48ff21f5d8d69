"""Writing events changed through Slotwise back to their calendar server.

`events.service` calls `write_back(session, event)` after every create, update, cancel, RSVP
and instance removal, once the rows are flushed. Events of embedded grants cost only the
grant's primary-key lookup, usually answered from the session with no query. For a CalDAV
calendar the whole object (the series master with its live exceptions) is PUT —
`If-None-Match: *` when new, `If-Match: <etag>` when replacing — or DELETEd when the event is
cancelled.

Two timings. Through the events API the write is made at once: if the server refuses or fails,
the ProviderError propagates, so the API call fails and its transaction (the local change
included) is rolled back. A booking (`defer_remote_writes`) must not make a network call under
its locks: the write is queued in its transaction and made after the commit by the worker
(`events.remote_writes`), which records failures and retries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.db.models import (
    Calendar,
    Event,
    Grant,
    ProviderCalendar,
    ProviderItem,
    RemoteWrite,
)
from slotwise.errors import field_error
from slotwise.events.repository import exceptions_of
from slotwise.providers import REMOTE_KINDS, credentials, provider_for
from slotwise.providers import repository as mirror
from slotwise.providers.base import Provider
from slotwise.providers.ical import serialize

_DEFERRED = "slotwise.remote_writes_deferred"


def defer_remote_writes(session: Session) -> None:
    """The remote writes of this unit of work are made after its commit, by the worker."""
    session.info[_DEFERRED] = True


@dataclass(frozen=True)
class Target:
    """Where an event's remote object lives, and how to reach it."""

    root: Event  # the event, or the master of the series it is an instance of
    provider: Provider
    settings: dict[str, Any]
    calendar_url: str


def target_of(session: Session, event: Event) -> Target | None:
    """The remote object `event` belongs to, or None for an embedded calendar; raises the
    field error of a read-only calendar (checked at once, even when the write is deferred)."""
    owner = session.get(Grant, event.grant_id)
    if owner is None or owner.provider not in REMOTE_KINDS:
        return None  # embedded grants have no remote calendars (a grant never changes provider)
    remote = session.get(ProviderCalendar, event.calendar_id)
    if remote is None:
        return None  # an embedded calendar (or a local calendar of a remote grant)
    root = event
    if event.master_event_id:
        master = session.get(Event, event.master_event_id)
        if master is None:
            raise field_error("event_id", "is an instance of a series this calendar does not hold")
        root = master
    grant = session.get(Grant, root.grant_id)
    calendar = session.get(Calendar, root.calendar_id)
    if grant is None or calendar is None:
        return None
    provider = provider_for(grant.provider)
    if provider.read_only or calendar.read_only:
        raise field_error("calendar_id", f"the calendar {calendar.id!r} is read_only")
    return Target(root, provider, credentials.of(grant), credentials.remote_url(remote))


def queue(session: Session, root: Event) -> None:
    """Queue the write of `root` (in the caller's transaction); a newer change to an event
    already queued bumps its revision and makes it due at once."""
    now_ms = clock.now_ms()
    pending = session.get(RemoteWrite, root.id)
    if pending is None:
        session.add(
            RemoteWrite(
                event_id=root.id,
                calendar_id=root.calendar_id,
                revision=1,
                attempts=0,
                next_attempt_ms=now_ms,
                created_at=now_ms // 1000,
            )
        )
    else:
        pending.revision += 1
        pending.next_attempt_ms = now_ms
    session.flush()


def item_of(session: Session, root: Event) -> ProviderItem | None:
    return mirror.item_of_event(session, root.calendar_id, root.id)


def write_back(session: Session, event: Event) -> None:
    target = target_of(session, event)
    if target is None:
        return
    if session.info.get(_DEFERRED):
        queue(session, target.root)
        return
    root, provider = target.root, target.provider
    item = item_of(session, root)
    if root.status == "cancelled":
        if item is not None:
            provider.delete(target.settings, target.calendar_url, item.href, item.etag)
            session.delete(item)
            session.flush()
        return
    live = [e for e in exceptions_of(session, root.id) if e.status != "cancelled"]
    stored = provider.put(
        target.settings,
        target.calendar_url,
        item.href if item else None,
        f"{root.id}.ics",
        serialize(root, live),
        item.etag if item else None,
    )
    if item is None:
        session.add(
            ProviderItem(
                calendar_id=root.calendar_id, event_id=root.id, href=stored.href, etag=stored.etag
            )
        )
    else:
        item.etag = stored.etag
    session.flush()
