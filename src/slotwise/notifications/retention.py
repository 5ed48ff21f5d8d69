"""Retention: the worker deletes notification history older than `policy.retention_days`.

What goes, oldest first, at most `policy.retention_batch` rows per table per call (one short
transaction each, so pruning a large backlog never holds locks for long):
- delivery attempts that started before the cutoff (also those of deliveries still retrying);
- deliveries that finished (delivered or failed) before the cutoff;
- outbox rows fanned out before the cutoff that no delivery refers to any more;
- reminders that are no longer pending and were due before the cutoff.
Pending work is never deleted, and the deliveries list keeps everything newer than the cutoff.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, exists, select

from slotwise.config import DeliveryPolicy
from slotwise.db.engine import Database
from slotwise.db.models import Delivery, DeliveryAttempt, OutboxMessage, Reminder

DAY = 86400


def cutoff_of(policy: DeliveryPolicy, now: int) -> int:
    """Rows older than this (epoch seconds) are pruned."""
    return now - int(policy.retention_days * DAY)


def prune(db: Database, policy: DeliveryPolicy, *, now: int) -> int:
    """One round of pruning at `now` (epoch seconds); returns how many rows were deleted."""
    cutoff = cutoff_of(policy, now)
    steps: list[tuple[Any, Any]] = [
        (
            DeliveryAttempt,
            select(DeliveryAttempt.id).where(DeliveryAttempt.started_ms < cutoff * 1000),
        ),
        (
            Delivery,
            select(Delivery.id).where(
                Delivery.status.in_(("delivered", "failed")), Delivery.finished_at < cutoff
            ),
        ),
        (
            OutboxMessage,
            select(OutboxMessage.id).where(
                OutboxMessage.dispatched_at < cutoff,
                ~exists().where(Delivery.outbox_id == OutboxMessage.id),
            ),
        ),
        (
            Reminder,
            select(Reminder.id).where(Reminder.status != "pending", Reminder.due_at < cutoff),
        ),
    ]
    deleted = 0
    for model, ids_query in steps:
        with db.session() as session:
            ids = list(session.scalars(ids_query.limit(policy.retention_batch)))
            if not ids:
                continue
            if model is Delivery:
                # Attempts go with their delivery (explicitly: SQLite may run without the
                # foreign key's cascade).
                session.execute(delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(ids)))
            session.execute(delete(model).where(model.id.in_(ids)))
            deleted += len(ids)
    return deleted
