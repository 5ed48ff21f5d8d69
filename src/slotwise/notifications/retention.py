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

from slotwise.config import DeliveryPolicy
from slotwise.db.engine import Database
from slotwise.notifications import repository

DAY = 86400


def cutoff_of(policy: DeliveryPolicy, now: int) -> int:
    """Rows older than this (epoch seconds) are pruned."""
    return now - int(policy.retention_days * DAY)


def prune(db: Database, policy: DeliveryPolicy, *, now: int) -> int:
    """One round of pruning at `now` (epoch seconds); returns how many rows were deleted."""
    cutoff = cutoff_of(policy, now)
    deleted = 0
    for model in repository.PRUNED_TABLES:
        with db.session() as session:
            deleted += repository.prune_batch(session, model, cutoff, policy.retention_batch)
    return deleted
