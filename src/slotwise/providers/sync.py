"""Mirroring remote calendars into the local event store.

Staleness rule: a remote calendar is refreshed before its busy time is read (availability,
free/busy, the booking re-check) when its last sync *attempt* is older than
`POLICY.sync_seconds`; the worker also refreshes stale calendars in the background. A booking
refreshes its hosts' calendars whatever their age (`max_age=0`). When the server fails or does
not answer, the attempt is recorded (so the next one waits its turn), the failure logged and
kept in `provider_calendars.error`, and the reads use the data mirrored last.

A sync is fetched and parsed with no database lock held, then applied in one short write, and
only if no other sync of that calendar was applied in between (its `revision` is unchanged).
Applying costs a fixed number of statements whatever the number of objects: the calendar's
items and event rows are read in two queries, and the inserts, updates, deletions and
cancellations are worked out in memory and written in bulk.

Mirror shape: one remote object → one event row (id derived from calendar and href, so ids are
stable across syncs) plus an exception row per overridden instance; an object deleted remotely
leaves its rows cancelled (bookings may still refer to them). The ids of the rows a sync changed
or cancelled are published (`providers.changes`), so that bookings follow their events.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from slotwise import clock, metrics
from slotwise.db.engine import Database
from slotwise.db.models import Event, ProviderItem
from slotwise.eventtime.recurrence import RecurrenceError, instance_id, parse_series
from slotwise.providers import changes as event_changes
from slotwise.providers import credentials, provider_for, repository
from slotwise.providers.base import Changes, ProviderError, RemoteItem, SyncState
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
    # The changed objects that parse, with what they hold (parsed before any lock is taken).
    parsed: list[tuple[RemoteItem, Resource]] = field(default_factory=list)


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
    # The stale mirrors alone first, their grants and calendars after (see stale_mirrors).
    stale = repository.stale_mirrors(
        session,
        checked_before=now - max_age,
        calendar_ids=calendar_ids,
        grant_ids=grant_ids,
        limit=limit,
    )
    if not stale:
        return []
    grants = repository.grant_settings(session, {row.grant_id for row in stale})
    zones = repository.calendar_zones(session, [row.calendar_id for row in stale])
    targets = []
    for row in stale:
        if row.grant_id not in grants or row.calendar_id not in zones:
            continue  # deleted meanwhile (the join would have dropped it too)
        kind, sealed, shown = grants[row.grant_id]
        settings = credentials.provider_settings(sealed, shown)
        targets.append(
            Target(
                calendar_id=row.calendar_id,
                grant_id=row.grant_id,
                kind=kind,
                settings=settings,
                timezone=zones[row.calendar_id] or settings.get("timezone"),
                revision=row.revision,
                state=SyncState(
                    url=credentials.remote_url(row),
                    ctag=row.ctag,
                    sync_token=row.sync_token,
                    etag=row.etag,
                    last_modified=row.last_modified,
                ),
            )
        )
    if targets:
        by_calendar = {t.calendar_id: t for t in targets}
        for calendar_id, href, etag in repository.item_etags(session, list(by_calendar)):
            by_calendar[calendar_id].state.items[href] = etag
    return targets


def fetch(target: Target) -> Outcome:
    """Ask the server what changed (network only; never raises for a server failure)."""
    started = time.perf_counter()
    try:
        changes = provider_for(target.kind).fetch(target.settings, target.state)
    except ProviderError as exc:
        _log_sync(target, started, "failed", exc.message)
        return Outcome(target, None, exc.message)
    except Exception as exc:  # a server answering nonsense must not break reads
        log.exception("sync of calendar %s failed", target.calendar_id)
        _log_sync(target, started, "failed", type(exc).__name__)
        return Outcome(target, None, f"unexpected answer from the calendar server ({exc})")
    outcome = Outcome(target, changes, parsed=_parse_changed(target, changes))
    _log_sync(
        target, started, "ok", None, changed=len(changes.changed), unchanged=changes.unchanged
    )
    return outcome


def _log_sync(
    target: Target, started: float, outcome: str, error: str | None, **counts: object
) -> None:
    """One line per sync (the feed's URL is never logged: it may hold a secret token)."""
    metrics.PROVIDER_SYNCS.labels(target.kind, outcome).inc()
    fields = {
        "calendar_id": target.calendar_id,
        "grant_id": target.grant_id,
        "kind": target.kind,
        "outcome": outcome,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        **counts,
    }
    if error is None:
        log.info("sync of calendar %s: ok", target.calendar_id, extra={"fields": fields})
    else:
        fields["error"] = error
        log.warning(
            "sync of calendar %s failed: %s", target.calendar_id, error, extra={"fields": fields}
        )


def _parse_changed(target: Target, changes: Changes) -> list[tuple[RemoteItem, Resource]]:
    parsed = []
    for remote in changes.changed:
        if remote.data is None:
            continue
        try:
            parsed.append((remote, parse_resource(remote.data, target.timezone)))
        except (ICalError, ValueError, TypeError, AttributeError) as exc:
            log.warning("calendar %s: skipping %s: %s", target.calendar_id, remote.href, exc)
    return parsed


# ---------------------------------------------------------------------------- applying


def apply(session: Session, outcome: Outcome, *, wait: bool = False) -> bool:
    """Store a fetched sync; False when another sync got there first (nothing stored).

    `wait`: if another sync of the calendar is being stored, wait for it to commit rather than
    skip at once, so that the caller's next read sees it (a booking about to re-check).
    """
    target = outcome.target
    row = repository.locked_mirror(session, target.calendar_id, wait=wait)
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
        applied = _apply_changes(session, target, changes, outcome.parsed)
        # Bookings follow their events (bookings.follow listens), in this same transaction.
        event_changes.publish(session, applied.changed_ids)
        if not applied.complete:
            # Keep the old validators: the next sync lists the objects left alone again.
            session.flush()
            return True
    row.ctag = changes.ctag if changes.ctag is not None else row.ctag
    row.sync_token = changes.sync_token if changes.sync_token is not None else row.sync_token
    row.etag = changes.etag
    row.last_modified = changes.last_modified
    session.flush()
    return True


@dataclass
class _Plan:
    """The writes one sync makes to the mirror, computed in memory and then run in bulk."""

    now: int
    known: dict[str, str | None]  # the calendar's event rows: id -> master_event_id
    inserts: dict[str, dict[str, Any]] = field(default_factory=dict)
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    deletes: set[str] = field(default_factory=set)

    def exists(self, event_id: str) -> bool:
        return event_id in self.known or event_id in self.inserts

    def write(self, target: Target, event_id: str, values: dict[str, Any]) -> None:
        self.deletes.discard(event_id)
        if event_id in self.inserts:
            self.inserts[event_id].update(values)
        elif event_id in self.known:
            self.updates.setdefault(event_id, {"id": event_id}).update(values)
        else:
            self.inserts[event_id] = {
                "id": event_id,
                "grant_id": target.grant_id,
                "calendar_id": target.calendar_id,
                "participants": [],
                "event_metadata": {},
                "extra": {},
                "sequence": 0,
                "master_event_id": None,
                "original_start_ts": None,
                "created_at": self.now,
                **values,
            }

    def delete(self, event_id: str) -> None:
        self.inserts.pop(event_id, None)
        self.updates.pop(event_id, None)
        if event_id in self.known:
            self.deletes.add(event_id)


@dataclass(frozen=True)
class _Applied:
    changed_ids: list[str]  # rows that existed before and were changed, cancelled or deleted
    complete: bool  # False when objects Slotwise rewrote meanwhile were left alone


def _apply_changes(
    session: Session,
    target: Target,
    changes: Changes,
    parsed: list[tuple[RemoteItem, Resource]],
) -> _Applied:
    """Mirror a sync in a fixed number of statements, whatever the number of objects.

    The calendar's items and event rows are read in two queries; the inserts, updates,
    deletions and cancellations are worked out in memory and then written in bulk.
    """
    now = clock.now()
    items = repository.items_of(session, target.calendar_id)
    plan = _Plan(now=now, known=repository.event_masters(session, target.calendar_id))
    children: dict[str, set[str]] = {}
    for event_id, master_id in plan.known.items():
        if master_id is not None:
            children.setdefault(master_id, set()).add(event_id)

    rewritten, complete = _rewritten(session, target, changes, items)
    gone = set(changes.deleted) - rewritten
    cancelled: list[str] = []
    dropped: list[ProviderItem] = []
    for href in gone:
        item = items.pop(href, None)
        if item is not None:
            cancelled.append(item.event_id)
            dropped.append(item)

    new_items: dict[str, dict[str, Any]] = {}
    etags: dict[int, str | None] = {}
    for remote, resource in parsed:
        if remote.href in rewritten:
            continue
        item = items.get(remote.href)
        if item is not None:
            event_id = item.event_id
            etags[item.id] = remote.etag
        elif remote.href in new_items:
            event_id = new_items[remote.href]["event_id"]
            new_items[remote.href]["etag"] = remote.etag
        else:
            event_id = _new_event_id(session, target, remote.href, resource, plan)
            new_items[remote.href] = {
                "calendar_id": target.calendar_id,
                "href": remote.href,
                "event_id": event_id,
                "etag": remote.etag,
            }
        _plan_resource(plan, target, event_id, resource, children.get(event_id, set()))

    # Cancellations first, then deletions, updates and inserts (the order the per-object
    # writes had); event rows go in before the items that refer to them.
    repository.cancel_events(session, cancelled, now)
    repository.delete_events(session, sorted(plan.deletes))
    repository.delete_items(session, [item.id for item in dropped])
    repository.update_events(session, list(plan.updates.values()))
    repository.insert_events(session, list(plan.inserts.values()))
    repository.update_item_etags(session, etags)
    repository.insert_items(session, list(new_items.values()))
    _expire_mirrored(session, target.calendar_id)
    return _Applied([*cancelled, *plan.updates, *plan.deletes], complete)


def _rewritten(
    session: Session, target: Target, changes: Changes, items: dict[str, ProviderItem]
) -> tuple[set[str], bool]:
    """The hrefs a sync leaves alone, and whether the sync is complete without them.

    An item Slotwise wrote back after this sync was planned (its etag is not the one the
    plan read, or it is new) may hold data newer than what the fetch saw: applying the fetch
    could undo the write (and move or cancel a booking through it). It is left as it is.
    Unless the fetch saw exactly that write (same etag), the sync is then incomplete: the
    validators are not advanced, so the next sync lists the object again and settles it.
    Providers list deletions themselves, also in full mode.
    """
    known = target.state.items
    rewritten = {h for h, item in items.items() if h not in known or known[h] != item.etag}
    # Likewise an object whose event a booking changed and has not written yet
    # (events.remote_writes): the local change is newer than what the server holds.
    waiting = repository.events_awaiting_write(session, target.calendar_id)
    rewritten |= {h for h, item in items.items() if item.event_id in waiting}
    complete = not (set(changes.deleted) & rewritten) and all(
        remote.etag == items[remote.href].etag
        for remote in changes.changed
        if remote.href in rewritten
    )
    return rewritten, complete


def _expire_mirrored(session: Session, calendar_id: str) -> None:
    """ORM objects of the calendar that the caller's session holds would be out of date."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, (Event, ProviderItem)) and obj.calendar_id == calendar_id:
            session.expire(obj)


def _new_event_id(
    session: Session, target: Target, href: str, resource: Resource, plan: _Plan
) -> str:
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
        if plan.exists(own_id):  # a row of this calendar
            return own_id
        own_calendar = repository.calendar_of_event(session, own_id)
        if own_calendar is None or own_calendar == target.calendar_id:
            return own_id
    return remote_id(target.calendar_id, href)


def _fields(parsed: Parsed, now: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": parsed.title,
        "description": parsed.description,
        "location": parsed.location,
        "busy": parsed.busy,
        "status": parsed.status,
        "when": parsed.when.data,
        "start_ts": parsed.when.start,
        "end_ts": parsed.when.end,
        "timezone": parsed.when.timezone,
        "participants": parsed.participants,
        "organizer": parsed.organizer,
        "ical_uid": parsed.uid,
        "sequence": parsed.sequence,
        "updated_at": now,
        "is_recurring": False,
        "recurrence": None,
        "recur_until": None,
    }
    if parsed.recurrence:
        values["is_recurring"] = True
        values["recurrence"] = list(parsed.recurrence)
        # parse_resource already dropped rules it cannot expand
        with contextlib.suppress(RecurrenceError):
            values["recur_until"] = parse_series(
                parsed.recurrence,
                first_start=parsed.when.start,
                first_end=parsed.when.end,
                timezone=parsed.when.timezone,
                all_day=parsed.when.all_day,
            ).last_end()
    return values


def _plan_resource(
    plan: _Plan, target: Target, event_id: str, resource: Resource, existing: set[str]
) -> None:
    """One remote object's rows: its master, and an exception row per overridden instance."""
    if resource.master is not None:
        plan.write(target, event_id, _fields(resource.master, plan.now))
    else:
        plan.delete(event_id)
    kept: set[str] = set()
    for parsed in resource.overrides:
        start = parsed.recurrence_id if parsed.recurrence_id is not None else parsed.when.start
        row_id = instance_id(event_id, start)
        if row_id in kept:
            continue
        kept.add(row_id)
        values = _fields(parsed, plan.now)
        values.update(
            is_recurring=False,
            recurrence=None,
            recur_until=None,
            master_event_id=event_id,
            original_start_ts=start,
        )
        plan.write(target, row_id, values)
    for row_id in existing - kept:
        plan.delete(row_id)


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


def refresh_grants_first(
    db: Database, grant_ids: Sequence[str], *, max_age: float | None = None
) -> None:
    """`refresh_grants` for a caller that is about to take locks: every fetch runs with no
    transaction open, each result is stored in a short write of its own, and then the caller's
    own transaction (the booking) re-checks against the mirror as stored.

    On SQLite a write transaction holds the one write lock from its first statement, so a
    fetch inside it would stall every other writer for as long as the calendar server takes.
    """
    ids = list(dict.fromkeys(grant_ids))
    if not ids:
        return
    age = POLICY.sync_seconds if max_age is None else max_age
    with db.session(write=False) as session:
        targets = _stale_rows(session, grant_ids=ids, max_age=age)
    for target in targets:
        _store(db, fetch(target), wait=True)


def _store(db: Database, outcome: Outcome, *, wait: bool = False) -> None:
    try:
        with db.session(write=True) as session:
            apply(session, outcome, wait=wait)
    except Exception:  # a mirror that cannot be stored must not break reads or the worker
        log.exception("could not store the sync of calendar %s", outcome.target.calendar_id)


SYNC_BATCH = 20  # stale calendars one pass of the worker syncs at most


def sync_due(db: Database, *, limit: int = SYNC_BATCH) -> int:
    """The worker's job: sync up to `limit` stale remote calendars; how many were tried."""
    with db.session(write=False) as session:
        targets = _stale_rows(session, max_age=POLICY.sync_seconds, limit=limit)
    for target in targets:
        _store(db, fetch(target))  # no transaction is open during the network calls
    return len(targets)


def sync_now(db: Database, calendar_id: str) -> None:
    """Sync one calendar now, whatever its age (tests and operators)."""
    with db.session(write=False) as session:
        targets = _stale_rows(session, calendar_ids=[calendar_id], max_age=-1)
    for target in targets:
        outcome = fetch(target)
        with db.session(write=True) as session:
            apply(session, outcome)
