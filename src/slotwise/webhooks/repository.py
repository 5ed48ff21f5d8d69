"""Every query about webhook destinations, deliveries and their attempts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from slotwise.db.models import Delivery, DeliveryAttempt, WebhookDestination


def find_destination(session: Session, destination_id: str) -> WebhookDestination | None:
    """A registered destination (a page's reminder endpoint is not one: see `page_endpoint`)."""
    destination = session.get(WebhookDestination, destination_id)
    if destination is None or destination.configuration_id is not None:
        return None
    return destination


def list_destinations(session: Session) -> Sequence[WebhookDestination]:
    statement = (
        select(WebhookDestination)
        .where(WebhookDestination.configuration_id.is_(None))
        .order_by(WebhookDestination.created_at, WebhookDestination.id)
    )
    return session.scalars(statement).all()


def subscribed_destinations(session: Session) -> Sequence[WebhookDestination]:
    """Registered destinations that take new notifications (active or failing ones), in a
    fixed order. Pages' reminder endpoints take their own reminders only."""
    statement = (
        select(WebhookDestination)
        .where(
            WebhookDestination.status.in_(("active", "failing")),
            WebhookDestination.configuration_id.is_(None),
        )
        .order_by(WebhookDestination.id)
    )
    return session.scalars(statement).all()


def page_endpoint(session: Session, configuration_id: str, url: str) -> WebhookDestination | None:
    """The oldest reminder endpoint of this configuration at this URL (two workers firing at
    once may each have made one; either does)."""
    statement = (
        select(WebhookDestination)
        .where(
            WebhookDestination.configuration_id == configuration_id,
            WebhookDestination.webhook_url == url,
        )
        .order_by(WebhookDestination.created_at, WebhookDestination.id)
        .limit(1)
    )
    return session.scalars(statement).first()


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


def reactivate_page_endpoints(session: Session, configuration_id: str, now: int) -> None:
    """The configuration's reminder endpoints the breaker marked failed become active."""
    session.execute(
        update(WebhookDestination)
        .where(
            WebhookDestination.configuration_id == configuration_id,
            WebhookDestination.status == "failed",
        )
        .values(status="active", status_updated_at=now, updated_at=now)
    )


def delete_page_endpoints(session: Session, configuration_id: str) -> None:
    """The configuration's reminder endpoints (their deliveries go by cascade)."""
    session.execute(
        delete(WebhookDestination).where(WebhookDestination.configuration_id == configuration_id)
    )
