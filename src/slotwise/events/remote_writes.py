"""Bookings' events written to their calendar server after the booking commits.

A booking writes its local event (and the booking, and its notifications) in one transaction
and commits; the PUT or DELETE on the hosts' CalDAV server is queued in that transaction as a
`RemoteWrite` row and made afterwards by the worker, beside its provider sync. So a slow or
failing calendar server never holds the booking's locks (nor SQLite's write lock), and a
booking that committed is never lost to a remote failure: the failure is recorded on the row
and the write retried with backoff until it lands.

Making one write: claim it (a lease, so two workers do not make the same write), read what to
send in a read-only transaction, send it with no transaction open, then record the result.
Between the commit and the write the local event already counts as busy time; a sync that
runs meanwhile leaves it alone (it has no remote object yet) and, once written, mirrors the
object onto the same event (providers.sync, `_new_event_id`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.config import DeliveryPolicy
from slotwise.db.engine import Database
from slotwise.db.models import Event, ProviderItem, RemoteWrite
from slotwise.events import remote_write_repository as repository
from slotwise.events.repository import exceptions_of
from slotwise.events.writeback import Target, item_of, target_of
from slotwise.providers.ical import serialize

log = logging.getLogger("slotwise.providers")

BATCH = 20  # writes one pass makes at most
LEASE_MS = 120_000  # longer than a write can take (the provider timeout bounds each request)


@dataclass(frozen=True)
class _Claimed:
    event_id: str
    revision: int
    attempts: int


def _claim(db: Database, limit: int) -> list[_Claimed]:
    now_ms = clock.now_ms()
    with db.session() as session:
        claimed = []
        for row in repository.due_writes(session, now_ms, limit, skip_locked=not db.is_sqlite):
            row.claimed_until_ms = now_ms + LEASE_MS
            row.attempts += 1
            claimed.append(_Claimed(row.event_id, row.revision, row.attempts))
    return claimed


def _send(db: Database, claim: _Claimed) -> None:
    """Make one write; raises what the server (or the database) answered."""
    with db.session(write=False) as session:
        root = session.get(Event, claim.event_id)
        target = target_of(session, root) if root is not None else None
        if target is None:
            return  # the event or its remote calendar is gone: nothing to write
        item = item_of(session, target.root)
        href, etag = (item.href, item.etag) if item is not None else (None, None)
        cancelled = target.root.status == "cancelled"
        data = "" if cancelled else serialize(target.root, _live_exceptions(session, target))
    # No transaction is open from here to the result.
    if cancelled:
        if href is not None:
            target.provider.delete(target.settings, target.calendar_url, href, etag)
        with db.session() as session:
            if href is not None:
                repository.delete_item_at(session, target.root.calendar_id, href)
        return
    stored = target.provider.put(
        target.settings, target.calendar_url, href, f"{target.root.id}.ics", data, etag
    )
    with db.session() as session:
        # A sync may have mirrored the object meanwhile (and stored its item): update it.
        current = repository.item_at(session, target.root.calendar_id, stored.href)
        if current is None:
            session.add(
                ProviderItem(
                    calendar_id=target.root.calendar_id,
                    event_id=target.root.id,
                    href=stored.href,
                    etag=stored.etag,
                )
            )
        else:
            current.etag = stored.etag


def _live_exceptions(session: Session, target: Target) -> list[Event]:
    return [e for e in exceptions_of(session, target.root.id) if e.status != "cancelled"]


def _settle(db: Database, claim: _Claimed, error: str | None, policy: DeliveryPolicy) -> None:
    with db.session() as session:
        row = session.get(RemoteWrite, claim.event_id)
        if row is None:
            return
        if error is None and row.revision == claim.revision:
            session.delete(row)
            return
        # Failed, or changed again meanwhile (then the newer version is written at once).
        row.claimed_until_ms = None
        row.error = error
        if error is not None:
            delay = policy.backoff_seconds(claim.attempts, 0.5)
            row.next_attempt_ms = clock.now_ms() + int(delay * 1000)


def write_due(db: Database, policy: DeliveryPolicy) -> int:
    """Make the due remote writes (up to a batch); how many were tried."""
    claimed = _claim(db, BATCH)
    for claim in claimed:
        error: str | None = None
        try:
            _send(db, claim)
        except Exception as exc:  # noqa: BLE001 - recorded and retried; the next write goes on
            error = f"{type(exc).__name__}: {exc}"[:2000]
            log.warning("remote write of event %s failed: %s", claim.event_id, error)
        _settle(db, claim, error, policy)
    return len(claimed)


def pending(db: Database) -> list[RemoteWrite]:
    """The writes not made yet (operators and tests)."""
    with db.session(write=False) as session:
        return repository.pending_writes(session)


def retry_now(db: Database) -> None:
    """Make every pending write due at once (operators and tests)."""
    with db.session() as session:
        repository.make_all_due(session, clock.now_ms())
