"""The queries behind readiness and the metrics gauges (one place; each is one indexed or
small aggregate query, cheap enough to run at every scrape), and the rows key rotation
re-seals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from slotwise.db.models import (
    Booking,
    Delivery,
    Grant,
    HealthProbe,
    OutboxMessage,
    ProviderCalendar,
    Reminder,
    WebhookDestination,
)


def write_probe(session: Session, name: str, now: int) -> None:
    """Rewrite the probe row `name` (an upsert, so concurrent probes never collide)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(HealthProbe).values(name=name, written_ms=now)
    session.execute(
        statement.on_conflict_do_update(index_elements=["name"], set_={"written_ms": now})
    )


@dataclass(frozen=True)
class Backlog:
    kind: str
    depth: int
    oldest_at: int | None  # epoch seconds of the oldest waiting item


def backlogs(session: Session) -> list[Backlog]:
    """Work waiting, by kind: outbox messages not yet fanned out, pending deliveries (webhook,
    email), reminders not yet fired."""
    out = []
    depth, oldest = session.execute(
        select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.dispatched_at.is_(None)
        )
    ).one()
    out.append(Backlog("outbox", int(depth), oldest))
    seen = set()
    rows = session.execute(
        select(Delivery.kind, func.count(), func.min(Delivery.created_at))
        .where(Delivery.status == "pending")
        .group_by(Delivery.kind)
    )
    for kind, depth, oldest in rows:
        seen.add(kind)
        out.append(Backlog(kind, int(depth), oldest))
    out.extend(Backlog(kind, 0, None) for kind in ("webhook", "email") if kind not in seen)
    depth, oldest = session.execute(
        select(func.count(), func.min(Reminder.due_at)).where(Reminder.status == "pending")
    ).one()
    out.append(Backlog("reminder_due", int(depth), oldest))
    return out


@dataclass(frozen=True)
class MirrorState:
    kind: str
    calendars: int
    failing: int  # calendars whose last sync attempt failed
    oldest_synced_at: int | None  # the least recently synced calendar (None: never synced)
    never_synced: int


def mirror_states(session: Session) -> list[MirrorState]:
    """Remote calendar mirrors by grant kind (caldav, icloud, ics)."""
    rows = session.execute(
        select(
            Grant.provider,
            func.count(),
            func.count(ProviderCalendar.error),
            func.min(ProviderCalendar.synced_at),
            func.count() - func.count(ProviderCalendar.synced_at),
        )
        .join(Grant, Grant.id == ProviderCalendar.grant_id)
        .group_by(Grant.provider)
    )
    return [
        MirrorState(kind, int(total), int(failing), oldest, int(never))
        for kind, total, failing, oldest, never in rows
    ]


def destination_status(session: Session, destination_id: str | None) -> str:
    if destination_id is None:
        return "none"  # emails have no destination row
    status = session.scalar(
        select(WebhookDestination.status).where(WebhookDestination.id == destination_id)
    )
    return status or "deleted"


# Key rotation --------------------------------------------------------------------------------


def sealed_grants(session: Session) -> Sequence[Grant]:
    """Grants holding sealed provider settings."""
    return session.scalars(select(Grant).where(Grant.sealed_settings.is_not(None))).all()


def sealed_mirrors(session: Session) -> Sequence[ProviderCalendar]:
    return session.scalars(select(ProviderCalendar)).all()


def sealed_destinations(session: Session) -> Sequence[WebhookDestination]:
    return session.scalars(select(WebhookDestination)).all()


def sealed_bookings(session: Session) -> Sequence[Booking]:
    return session.scalars(select(Booking)).all()
