"""Mirroring remote calendars into the local event store.

Staleness rule: a remote calendar is refreshed before its busy time is read (availability,
free/busy, the booking re-check) when its last sync *attempt* is older than
`POLICY.sync_seconds`; the worker also refreshes stale calendars in the background. A booking
refreshes its hosts' calendars whatever their age (`max_age=0`). When the server fails or does
not answer, the attempt is recorded (so the next one waits its turn), the failure logged and
kept in `provider_calendars.error`, and the reads use the data mirrored last.

A sync is fetched with no database lock held, then applied in one short write, and only if no
other sync of that calendar was applied in between (its `revision` is unchanged).

Mirror shape: one remote object → one event row (id derived from calendar and href, so ids are
stable across syncs) plus an exception row per overridden instance; an object deleted remotely
leaves its rows cancelled (bookings may still refer to them).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.db.engine import Database
from slotwise.db.models import Calendar, Event, Grant, ProviderCalendar, ProviderItem
from slotwise.events.recurrence import RecurrenceError, instance_id, parse_series
from slotwise.providers import provider_for
from slotwise.providers.base import Changes, ProviderError, SyncState
from slotwise.providers.ical import ICalError, Parsed, Resource, parse_resource
from slotwise.providers.policy import POLICY

log = logging.getLogger("slotwise.providers")

# How long a mirror write on SQLite waits for the write lock when the caller only reads.
_SQLITE_MIRROR_WAIT_MS = 3000
_SQLITE_DEFAULT_WAIT_MS = 30000


@dataclass
class Target:
    calendar_id: str
    grant_id: str
    kind: str
    settings: dict[str, Any]
    timezone: str | None
    revision: int
    state: SyncState


@dataclass
class Outcome:
    target: Target
    changes: Changes | None
    error: str | None = None


def remote_id(calendar_id: str, href: str) -> str:
    """The stable event id of a remote object in a calendar."""
    return hashlib.sha256(f"{calendar_id}\x00{href}".encode()).hexdigest()[:24]


# ---------------------------------------------------------------------------- planning


def _stale_rows(
    session: Session,
    *,
    calendar_ids: Sequence[str] | None = None,
    grant_ids: Sequence[str] | None = None,
    max_age: float,
    limit: int | None = None,
) -> list[Target]:
    now = clock.now()
    query = (
        select(ProviderCalendar, Grant.provider, Grant.settings, Calendar.timezone)
        .join(Grant, Grant.id == ProviderCalendar.grant_id)
        .join(Calendar, Calendar.id == ProviderCalendar.calendar_id)
        .where(
            or_(
                ProviderCalendar.checked_at.is_(None),
                ProviderCalendar.checked_at <= now - max_age,
            )
        )
    )
    if calendar_ids is not None:
        query = query.where(ProviderCalendar.calendar_id.in_(list(calendar_ids)))
    if grant_ids is not None:
        query = query.where(ProviderCalendar.grant_id.in_(list(grant_ids)))
    query = query.order_by(ProviderCalendar.checked_at.is_not(None), ProviderCalendar.checked_at)
    if limit is not None:
        query = query.limit(limit)
    targets = []
    for row, kind, settings, timezone in session.execute(query):
        targets.append(
            Target(
                calendar_id=row.calendar_id,
                grant_id=row.grant_id,
                kind=kind,
                settings=dict(settings or {}),
                timezone=timezone or (settings or {}).get("timezone"),
                revision=row.revision,
                state=SyncState(
                    url=row.url,
                    ctag=row.ctag,
                    sync_token=row.sync_token,
                    etag=row.etag,
                    last_modified=row.last_modified,
                ),
            )
        )
    if targets:
        items = session.execute(
            select(ProviderItem.calendar_id, ProviderItem.href, ProviderItem.etag).where(
                ProviderItem.calendar_id.in_([t.calendar_id for t in targets])
            )
        )
        by_calendar = {t.calendar_id: t for t in targets}
        for calendar_id, href, etag in items:
            by_calendar[calendar_id].state.items[href] = etag
    return targets


def fetch(target: Target) -> Outcome:
    """Ask the server what changed (network only; never raises for a server failure)."""
    try:
        changes = provider_for(target.kind).fetch(target.settings, target.state)
    except ProviderError as exc:
        log.warning("sync of calendar %s failed: %s", target.calendar_id, exc.message)
        return Outcome(target, None, exc.message)
    except Exception as exc:  # a server answering nonsense must not break reads
        log.exception("sync of calendar %s failed", target.calendar_id)
        return Outcome(target, None, f"unexpected answer from the calendar server ({exc})")
    return Outcome(target, changes)


# ---------------------------------------------------------------------------- applying


def _locked_state(session: Session, calendar_id: str) -> ProviderCalendar | None:
    query = (
        select(ProviderCalendar)
        .where(ProviderCalendar.calendar_id == calendar_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).first()


def apply(session: Session, outcome: Outcome) -> bool:
    """Store a fetched sync; False when another sync got there first (nothing stored)."""
    target = outcome.target
    row = _locked_state(session, target.calendar_id)
    if row is None or row.revision != target.revision:
        return False
    now = clock.now()
    row.checked_at = now
    row.revision += 1
    changes = outcome.changes
    if changes is None:
        row.error = (outcome.error or "sync failed")[:2000]
        session.flush()
        return True
    row.error = None
    row.synced_at = now
    if not changes.unchanged:
        _apply_changes(session, target, changes)
    row.ctag = changes.ctag if changes.ctag is not None else row.ctag
    row.sync_token = changes.sync_token if changes.sync_token is not None else row.sync_token
    row.etag = changes.etag
    row.last_modified = changes.last_modified
    session.flush()
    return True


def _apply_changes(session: Session, target: Target, changes: Changes) -> None:
    items = {
        item.href: item
        for item in session.scalars(
            select(ProviderItem).where(ProviderItem.calendar_id == target.calendar_id)
        )
    }
    gone = set(changes.deleted)
    if changes.full:
        listed = {c.href for c in changes.changed} | set(target.state.items)
        gone |= {h for h in items if h not in listed}
    for href in gone:
        item = items.pop(href, None)
        if item is not None:
            _cancel_rows(session, item.event_id)
            session.delete(item)
    for remote in changes.changed:
        if remote.data is None:
            continue
        try:
            resource = parse_resource(remote.data, target.timezone)
        except (ICalError, ValueError, TypeError, AttributeError) as exc:
            log.warning("calendar %s: skipping %s: %s", target.calendar_id, remote.href, exc)
            continue
        item = items.get(remote.href)
        event_id = item.event_id if item else _new_event_id(session, target, remote.href, resource)
        _store(session, target, event_id, resource)
        if item is None:
            if event_id != remote_id(target.calendar_id, remote.href):
                # Our own write, maybe not committed yet: insert its event row first, so this
                # sync waits for (and then yields to) the writing request instead of racing it.
                session.flush()
            item = ProviderItem(calendar_id=target.calendar_id, href=remote.href, event_id=event_id)
            session.add(item)
            items[remote.href] = item
        item.etag = remote.etag
    session.flush()


def _new_event_id(session: Session, target: Target, href: str, resource: Resource) -> str:
    """The event id of a remote object new to the mirror.

    An object Slotwise wrote itself (`<event id>.ics` holding UID `<event id>@slotwise`) keeps
    its event's id, so a sync that lists it before the writing request commits mirrors it onto
    the same row instead of a copy; any other object gets an id derived from its href.
    """
    name = unquote(href.rstrip("/").rsplit("/", 1)[-1])
    first = resource.master or (resource.overrides[0] if resource.overrides else None)
    own_id = name[:-4]
    if (
        name.endswith(".ics")
        and 0 < len(own_id) <= 64
        and first is not None
        and first.uid == f"{own_id}@slotwise"
    ):
        own = session.get(Event, own_id)
        if own is None or own.calendar_id == target.calendar_id:
            return own_id
    return remote_id(target.calendar_id, href)


def _cancel_rows(session: Session, event_id: str) -> None:
    now = clock.now()
    rows = session.scalars(
        select(Event).where(or_(Event.id == event_id, Event.master_event_id == event_id))
    )
    for event in rows:
        if event.status != "cancelled":
            event.status = "cancelled"
            event.updated_at = now


def _fill(event: Event, parsed: Parsed, now: int) -> None:
    event.title = parsed.title
    event.description = parsed.description
    event.location = parsed.location
    event.busy = parsed.busy
    event.status = parsed.status
    event.when = parsed.when.data
    event.start_ts = parsed.when.start
    event.end_ts = parsed.when.end
    event.timezone = parsed.when.timezone
    event.participants = parsed.participants
    event.organizer = parsed.organizer
    event.ical_uid = parsed.uid
    event.sequence = parsed.sequence
    event.updated_at = now
    if parsed.recurrence:
        event.is_recurring = True
        event.recurrence = list(parsed.recurrence)
        try:
            event.recur_until = parse_series(
                parsed.recurrence,
                first_start=parsed.when.start,
                first_end=parsed.when.end,
                timezone=parsed.when.timezone,
                all_day=parsed.when.all_day,
            ).last_end()
        except RecurrenceError:  # parse_resource already dropped rules it cannot expand
            event.recur_until = None
    else:
        event.is_recurring = False
        event.recurrence = None
        event.recur_until = None


def _row(session: Session, target: Target, event_id: str, now: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        event = Event(
            id=event_id,
            grant_id=target.grant_id,
            calendar_id=target.calendar_id,
            participants=[],
            event_metadata={},
            extra={},
            sequence=0,
            created_at=now,
            updated_at=now,
        )
        session.add(event)
    return event


def _store(session: Session, target: Target, event_id: str, resource: Resource) -> None:
    now = clock.now()
    existing = {
        e.id: e for e in session.scalars(select(Event).where(Event.master_event_id == event_id))
    }
    kept: set[str] = set()
    if resource.master is not None:
        _fill(_row(session, target, event_id, now), resource.master, now)
    else:
        master = session.get(Event, event_id)
        if master is not None:
            session.delete(master)
    for parsed in resource.overrides:
        start = parsed.recurrence_id if parsed.recurrence_id is not None else parsed.when.start
        row_id = instance_id(event_id, start)
        if row_id in kept:
            continue
        kept.add(row_id)
        row = existing.get(row_id) or _row(session, target, row_id, now)
        _fill(row, parsed, now)
        row.is_recurring = False
        row.recurrence = None
        row.recur_until = None
        row.master_event_id = event_id
        row.original_start_ts = start
    for row_id, row in existing.items():
        if row_id not in kept:
            session.delete(row)


# ---------------------------------------------------------------------------- entry points


@contextmanager
def _mirror_session(session: Session) -> Iterator[Session]:
    """Where a caller's refresh writes the mirror.

    A session that may write (PostgreSQL, or an SQLite write session) writes in a savepoint of
    its own transaction, so a failed mirror write never spoils the caller's work. An SQLite
    read session cannot take the write lock safely, so the mirror is written in a short
    transaction of its own; the caller's read transaction is then ended (it has nothing to
    commit) so that its next read sees the new mirror.
    """
    bind = session.get_bind()
    writer = bind.get_execution_options().get("sqlite_begin") == "IMMEDIATE"
    if bind.dialect.name != "sqlite" or writer:
        with session.begin_nested():
            yield session
        return
    engine: Engine = bind.engine
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute(f"PRAGMA busy_timeout={_SQLITE_MIRROR_WAIT_MS}")
        try:
            conn.execution_options(sqlite_begin="IMMEDIATE")
            with Session(bind=conn, expire_on_commit=False) as own:
                yield own
                own.commit()
        finally:
            raw.execute(f"PRAGMA busy_timeout={_SQLITE_DEFAULT_WAIT_MS}")
    session.commit()


def _refresh(session: Session, targets: list[Target]) -> None:
    for target in targets:
        outcome = fetch(target)
        try:
            with _mirror_session(session) as writer:
                apply(writer, outcome)
        except Exception:  # a mirror that cannot be stored must not break reads or the worker
            log.exception("could not store the sync of calendar %s", target.calendar_id)


def refresh_calendars(
    session: Session, calendar_ids: Sequence[str], *, max_age: float | None = None
) -> None:
    """Bring the remote calendars among `calendar_ids` up to date if they are stale.

    Calendars of the embedded provider cost one indexed query that finds nothing.
    """
    ids = list(dict.fromkeys(calendar_ids))
    if not ids:
        return
    age = POLICY.sync_seconds if max_age is None else max_age
    _refresh(session, _stale_rows(session, calendar_ids=ids, max_age=age))


def refresh_grants(
    session: Session, grant_ids: Sequence[str], *, max_age: float | None = None
) -> None:
    """Bring every remote calendar of these grants up to date if stale (bookings: max_age=0)."""
    ids = list(dict.fromkeys(grant_ids))
    if not ids:
        return
    age = POLICY.sync_seconds if max_age is None else max_age
    _refresh(session, _stale_rows(session, grant_ids=ids, max_age=age))


def sync_due(db: Database, *, limit: int = 20) -> int:
    """The worker's job: sync up to `limit` stale remote calendars; how many were tried."""
    with db.session(write=False) as session:
        targets = _stale_rows(session, max_age=POLICY.sync_seconds, limit=limit)
    for target in targets:
        outcome = fetch(target)  # no transaction is open during the network calls
        try:
            with db.session(write=True) as session:
                apply(session, outcome)
        except Exception:  # a mirror that cannot be stored must not break reads or the worker
            log.exception("could not store the sync of calendar %s", target.calendar_id)
    return len(targets)


def sync_now(db: Database, calendar_id: str) -> None:
    """Sync one calendar now, whatever its age (tests and operators)."""
    with db.session(write=False) as session:
        targets = _stale_rows(session, calendar_ids=[calendar_id], max_age=-1)
    for target in targets:
        outcome = fetch(target)
        with db.session(write=True) as session:
            apply(session, outcome)
