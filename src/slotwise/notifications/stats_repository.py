"""What an operator watches about notifications, as plain queries (the /metrics exporter
reads these): how much is waiting and for how long, and how attempts are going.

All counts are over the rows the database still holds, i.e. within the retention window
(notifications.retention); they are gauges, not ever-growing counters.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from slotwise.db.models import (
    Delivery,
    DeliveryAttempt,
    OutboxMessage,
    Reminder,
    WebhookDestination,
)


@dataclass(frozen=True)
class Backlog:
    """Work waiting of one kind: "outbox" (notifications not yet fanned out), "webhook" and
    "email" (pending deliveries, including those waiting for a retry), "reminder" (due, not
    yet fired)."""

    kind: str
    depth: int
    oldest_age_seconds: int  # 0 when nothing waits


@dataclass(frozen=True)
class AttemptCount:
    outcome: str  # "success" | "failure"
    destination_state: str  # the webhook destination's status now, or "email"
    count: int


def outbox_backlog_by_kind(session: Session, now: int) -> list[Backlog]:
    """Depth and age of the oldest waiting item per kind, at `now` (epoch seconds)."""
    out: list[Backlog] = []
    depth, oldest = session.execute(
        select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.dispatched_at.is_(None)
        )
    ).one()
    out.append(Backlog("outbox", int(depth), _age(now, oldest)))
    pending: dict[str, tuple[int, int | None]] = {"webhook": (0, None), "email": (0, None)}
    # Aged from the notification's creation (the change that caused it), not from fan-out.
    since = func.coalesce(OutboxMessage.created_at, Delivery.created_at)
    rows = session.execute(
        select(Delivery.kind, func.count(), func.min(since))
        .outerjoin(OutboxMessage, Delivery.outbox_id == OutboxMessage.id)
        .where(Delivery.status == "pending")
        .group_by(Delivery.kind)
    )
    for kind, count, first in rows:
        pending[str(kind)] = (int(count), first)
    out += [Backlog(kind, count, _age(now, first)) for kind, (count, first) in pending.items()]
    depth, oldest = session.execute(
        select(func.count(), func.min(Reminder.due_at)).where(
            Reminder.status == "pending", Reminder.due_at <= now
        )
    ).one()
    out.append(Backlog("reminder", int(depth), _age(now, oldest)))
    return out


def delivery_attempts_by_outcome(
    session: Session, *, since_ms: int | None = None
) -> list[AttemptCount]:
    """Stored attempts (those started at or after `since_ms`, if given) by outcome and by the
    current state of their destination."""
    state = func.coalesce(WebhookDestination.status, "email")
    outcome = case((DeliveryAttempt.success.is_(True), "success"), else_="failure")
    statement = (
        select(outcome, state, func.count())
        .select_from(DeliveryAttempt)
        .outerjoin(WebhookDestination, DeliveryAttempt.destination_id == WebhookDestination.id)
        .group_by(outcome, state)
        .order_by(outcome, state)
    )
    if since_ms is not None:
        statement = statement.where(DeliveryAttempt.started_ms >= since_ms)
    return [AttemptCount(str(o), str(s), int(n)) for o, s, n in session.execute(statement)]


def destinations_by_state(session: Session) -> dict[str, int]:
    """How many webhook destinations are active, failing, failed or paused."""
    statement = select(WebhookDestination.status, func.count()).group_by(WebhookDestination.status)
    return {str(status): int(n) for status, n in session.execute(statement)}


def _age(now: int, oldest: int | None) -> int:
    return max(0, now - int(oldest)) if oldest is not None else 0
