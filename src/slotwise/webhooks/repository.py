"""Every query about webhook destinations, deliveries and their attempts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from slotwise.db.models import Delivery, DeliveryAttempt, WebhookDestination


def find_destination(session: Session, destination_id: str) -> WebhookDestination | None:
    return session.get(WebhookDestination, destination_id)


def list_destinations(session: Session) -> Sequence[WebhookDestination]:
    statement = select(WebhookDestination).order_by(
        WebhookDestination.created_at, WebhookDestination.id
    )
    return session.scalars(statement).all()


def subscribed_destinations(session: Session) -> Sequence[WebhookDestination]:
    """Destinations that take new notifications (active or failing ones), in a fixed order."""
    statement = (
        select(WebhookDestination)
        .where(WebhookDestination.status.in_(("active", "failing")))
        .order_by(WebhookDestination.id)
    )
    return session.scalars(statement).all()


def recent_deliveries(session: Session, destination_id: str, limit: int) -> Sequence[Delivery]:
    statement = (
        select(Delivery)
        .where(Delivery.destination_id == destination_id)
        .order_by(Delivery.sequence.desc(), Delivery.id)
        .limit(limit)
    )
    return session.scalars(statement).all()


def attempts_of(session: Session, delivery_ids: list[str]) -> Sequence[DeliveryAttempt]:
    if not delivery_ids:
        return []
    statement = (
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id.in_(delivery_ids))
        .order_by(DeliveryAttempt.delivery_id, DeliveryAttempt.attempt)
    )
    return session.scalars(statement).all()


def attempt_counts(session: Session, destination_id: str, since_ms: int) -> tuple[int, int]:
    """(attempts, failed attempts) of a destination since `since_ms`, counted by the database."""
    statement = select(
        func.count(),
        func.coalesce(func.sum(case((DeliveryAttempt.success.is_(False), 1), else_=0)), 0),
    ).where(
        DeliveryAttempt.destination_id == destination_id,
        DeliveryAttempt.started_ms >= since_ms,
    )
    total, failed = session.execute(statement).one()
    return int(total), int(failed)


def delete_deliveries_of(session: Session, destination_id: str) -> None:
    session.execute(delete(Delivery).where(Delivery.destination_id == destination_id))
