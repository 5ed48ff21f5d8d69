"""The queries of fan-out, reminders and retention (the outbox, reminder and delivery tables).

Delivery's own queries (due rows, attempts, order keys) live in `delivery_repository`, the
operator's gauges in `stats_repository`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, exists, insert, select, text, update
from sqlalchemy.orm import Session

from slotwise.db.models import (
    Configuration,
    Delivery,
    DeliveryAttempt,
    Grant,
    OutboxMessage,
    Reminder,
)

# Fan-out -------------------------------------------------------------------------------------


def insert_deliveries(session: Session, rows: list[dict[str, object]]) -> None:
    """A fan-out batch's deliveries, in one statement."""
    if rows:
        session.execute(insert(Delivery), rows)


def mark_dispatched(session: Session, message_ids: Sequence[str], now: int) -> None:
    """These outbox messages are fanned out, in one statement."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(message_ids)))
        .values(dispatched_at=now)
        .execution_options(synchronize_session=False)
    )


def lock_fanout(session: Session, key: int) -> None:
    """PostgreSQL: hold the fan-out's advisory lock until the transaction ends."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def undispatched(session: Session, limit: int) -> Sequence[OutboxMessage]:
    """The oldest outbox rows not fanned out yet, in id (change) order."""
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.dispatched_at.is_(None))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return session.scalars(statement).all()


def configurations_by_id(session: Session, ids: Sequence[str]) -> dict[str, Configuration]:
    if not ids:
        return {}
    query = select(Configuration).where(Configuration.id.in_(ids))
    return {c.id: c for c in session.scalars(query)}


# Reminders -----------------------------------------------------------------------------------


def with_pending_reminders(session: Session, booking_ids: Sequence[str]) -> set[str]:
    """Those of `booking_ids` that have a pending reminder."""
    if not booking_ids:
        return set()
    query = select(Reminder.booking_id).where(
        Reminder.booking_id.in_(booking_ids), Reminder.status == "pending"
    )
    return set(session.scalars(query))


def cancel_pending_reminders(session: Session, booking_id: str) -> None:
    session.execute(
        update(Reminder)
        .where(Reminder.booking_id == booking_id, Reminder.status == "pending")
        .values(status="cancelled")
    )


def due_reminders(
    session: Session, now: int, limit: int, *, skip_locked: bool
) -> Sequence[Reminder]:
    """Pending reminders due at `now`, oldest first; with `skip_locked` (PostgreSQL) rows
    another worker holds are passed over."""
    statement = (
        select(Reminder)
        .where(Reminder.status == "pending", Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    )
    if skip_locked:
        statement = statement.with_for_update(skip_locked=True)
    return session.scalars(statement).all()


def provider_of_email(session: Session, email: str) -> str | None:
    """The provider of a grant with this email, if there is one."""
    return session.scalar(select(Grant.provider).where(Grant.email == email).limit(1))


# Retention -----------------------------------------------------------------------------------

# What may go, per table, once older than the cutoff (epoch seconds). Pending work never does.
_EXPIRED: dict[type[Any], Any] = {
    DeliveryAttempt: lambda cutoff: DeliveryAttempt.started_ms < cutoff * 1000,
    Delivery: lambda cutoff: (
        Delivery.status.in_(("delivered", "failed")) & (Delivery.finished_at < cutoff)
    ),
    OutboxMessage: lambda cutoff: (
        (OutboxMessage.dispatched_at < cutoff)
        & ~exists().where(Delivery.outbox_id == OutboxMessage.id)
    ),
    Reminder: lambda cutoff: (Reminder.status != "pending") & (Reminder.due_at < cutoff),
}
# Oldest dependants first: attempts, then deliveries, then the outbox rows they came from.
PRUNED_TABLES: tuple[type[Any], ...] = (DeliveryAttempt, Delivery, OutboxMessage, Reminder)


def prune_batch(session: Session, model: type[Any], cutoff: int, limit: int) -> int:
    """Delete up to `limit` expired rows of one of PRUNED_TABLES; how many went."""
    ids = list(session.scalars(select(model.id).where(_EXPIRED[model](cutoff)).limit(limit)))
    if not ids:
        return 0
    if model is Delivery:
        # Attempts go with their delivery (explicitly: SQLite may run without the foreign
        # key's cascade).
        session.execute(delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(ids)))
    session.execute(delete(model).where(model.id.in_(ids)))
    return len(ids)
