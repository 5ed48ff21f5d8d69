"""Per-person locks that serialise bookings sharing a person, across threads and processes.

PostgreSQL: every bookable grant has a row in `participant_locks`; a booking inserts the rows
it needs if missing, then takes `SELECT … FOR UPDATE` on them in grant-id order (a fixed order,
so two bookings never wait on each other in a cycle). The row locks last until the booking's
transaction ends, and the re-check that follows reads (READ COMMITTED) everything committed by
whoever held them before.

SQLite: write transactions already start with `BEGIN IMMEDIATE`, which lets one writer in at a
time, so there is nothing more to take.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from slotwise.db.models import ParticipantLock


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def ensure_lock_rows(session: Session, grant_ids: Iterable[str]) -> None:
    ids = sorted(set(grant_ids))
    if not ids or not _is_postgres(session):
        return
    statement = pg_insert(ParticipantLock).values([{"grant_id": g} for g in ids])
    session.execute(statement.on_conflict_do_nothing(index_elements=["grant_id"]))


# Built once: every booking runs it (a reused statement skips construction and cache keys).
_LOCK_QUERY = (
    select(ParticipantLock.grant_id)
    .where(ParticipantLock.grant_id.in_(bindparam("ids", expanding=True)))
    .order_by(ParticipantLock.grant_id)
    .with_for_update()
)


def lock_participants(session: Session, grant_ids: Iterable[str]) -> None:
    """Hold the booking locks of these people until the transaction ends."""
    ids = sorted(set(grant_ids))
    if not ids or not _is_postgres(session):
        return
    found = set(session.scalars(_LOCK_QUERY, {"ids": ids}))
    if len(found) < len(ids):
        # First booking for someone: create their rows (this waits on a concurrent creator),
        # then lock them all, still in order.
        ensure_lock_rows(session, ids)
        session.scalars(_LOCK_QUERY, {"ids": ids}).all()
