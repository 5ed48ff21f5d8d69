"""Claiming due deliveries, making one attempt each, and recording what happened.

A claim is a short transaction: it picks due deliveries (`FOR UPDATE SKIP LOCKED` on
PostgreSQL; SQLite's `BEGIN IMMEDIATE` serializes claimers), gives each the next attempt number
and a lease (`claimed_until_ms`, `claim_token`), and commits. The attempt itself runs outside
any transaction. Its result is recorded in another short transaction, and changes the delivery
only if the claim is still ours. So an attempt number is used by exactly one worker, and a
worker killed mid-attempt only delays the delivery until its lease expires.

Order: a delivery is claimable only when no earlier delivery (smaller `sequence`) of the same
object (`order_key`) to the same target is still pending. A notification that waits for a
retry therefore holds back the later notifications about the same booking (or event, ...) for
that destination; notifications about other objects flow past it.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from slotwise import clock, keyring
from slotwise.config import Settings
from slotwise.db.engine import Database
from slotwise.db.models import Delivery, DeliveryAttempt, OutboxMessage, WebhookDestination
from slotwise.errors import NotFound
from slotwise.ids import new_id
from slotwise.notifications import email
from slotwise.webhooks import breaker, sender
from slotwise.webhooks.policy import DeliveryPolicy


@dataclass(frozen=True)
class Claim:
    delivery_id: str
    kind: str
    attempt: int
    token: str
    destination_id: str | None = None
    url: str = ""
    secret: str = ""
    compressed: bool = False
    notification: sender.Notification | None = None
    message: dict[str, Any] | None = None


def _claimable(now_ms: int) -> Any:
    earlier = aliased(Delivery)
    blocked = exists().where(
        earlier.kind == Delivery.kind,
        func.coalesce(earlier.destination_id, "") == func.coalesce(Delivery.destination_id, ""),
        earlier.order_key == Delivery.order_key,
        earlier.status == "pending",
        earlier.sequence < Delivery.sequence,
    )
    return (
        select(Delivery)
        .outerjoin(WebhookDestination, Delivery.destination_id == WebhookDestination.id)
        .where(
            Delivery.status == "pending",
            Delivery.next_attempt_ms <= now_ms,
            or_(Delivery.claimed_until_ms.is_(None), Delivery.claimed_until_ms < now_ms),
            or_(Delivery.kind != "webhook", WebhookDestination.status.in_(("active", "failing"))),
            ~blocked,
        )
        .order_by(Delivery.sequence, Delivery.id)
    )


def claim_due(db: Database, policy: DeliveryPolicy, *, limit: int | None = None) -> list[Claim]:
    now_ms = clock.now_ms()
    claims: list[Claim] = []
    with db.session() as session:
        statement = _claimable(now_ms).limit(limit or policy.batch_size)
        if not db.is_sqlite:
            statement = statement.with_for_update(skip_locked=True, of=Delivery)
        for delivery in session.scalars(statement).all():
            if delivery.claimed_until_ms is not None:
                # The previous claimer never reported back (it died or lost its lease).
                session.add(
                    DeliveryAttempt(
                        id=new_id(),
                        delivery_id=delivery.id,
                        destination_id=delivery.destination_id,
                        attempt=delivery.attempts,
                        started_ms=delivery.claimed_until_ms,
                        duration_ms=0,
                        success=False,
                        error="no result: the worker's claim expired",
                    )
                )
            delivery.attempts += 1
            delivery.claimed_until_ms = now_ms + int(policy.lease_seconds * 1000)
            delivery.claim_token = secrets.token_hex(8)
            claims.append(_snapshot(session, delivery))
    return claims


def _snapshot(session: Session, delivery: Delivery) -> Claim:
    assert delivery.claim_token is not None
    if delivery.kind != "webhook":
        return Claim(
            delivery.id,
            delivery.kind,
            delivery.attempts,
            delivery.claim_token,
            message=delivery.message,
        )
    destination = session.get(WebhookDestination, delivery.destination_id)
    outbox = session.get(OutboxMessage, delivery.outbox_id)
    assert destination is not None and outbox is not None
    return Claim(
        delivery.id,
        delivery.kind,
        delivery.attempts,
        delivery.claim_token,
        destination_id=destination.id,
        url=destination.webhook_url,
        secret=keyring.unseal(destination.sealed_secret),
        compressed=bool(destination.compressed_delivery),
        notification=sender.Notification(
            id=outbox.id,
            trigger=outbox.trigger,
            source=outbox.source,
            created_at=outbox.created_at,
            payload=outbox.payload,
        ),
    )


def attempt(claim: Claim, settings: Settings, policy: DeliveryPolicy) -> sender.AttemptResult:
    if claim.kind == "webhook":
        assert claim.notification is not None
        return sender.post(
            claim.url,
            claim.secret,
            claim.notification,
            claim.attempt,
            application_id=settings.application_id,
            compressed=claim.compressed,
            timeout=policy.request_timeout_seconds,
            body_limit=policy.response_body_limit,
        )
    assert claim.message is not None
    return email.send(settings, claim.message, timeout=policy.request_timeout_seconds)


def record_result(
    db: Database,
    claim: Claim,
    result: sender.AttemptResult,
    settings: Settings,
    policy: DeliveryPolicy,
) -> None:
    with db.session() as session:
        query = select(Delivery).where(Delivery.id == claim.delivery_id)
        if not db.is_sqlite:
            query = query.with_for_update()
        delivery = session.scalars(query).first()
        if delivery is None:  # its destination was deleted meanwhile
            return
        session.add(
            DeliveryAttempt(
                id=new_id(),
                delivery_id=delivery.id,
                destination_id=delivery.destination_id,
                attempt=claim.attempt,
                started_ms=result.started_ms,
                duration_ms=result.duration_ms,
                success=result.success,
                status_code=result.status_code,
                response_body=result.response_body,
                error=result.error,
            )
        )
        if delivery.claim_token != claim.token:
            return  # the lease expired and another worker owns the delivery now
        delivery.claim_token = None
        delivery.claimed_until_ms = None
        if result.success:
            delivery.status = "delivered"
            delivery.finished_at = clock.now()
        elif delivery.attempts >= policy.max_attempts:
            delivery.status = "failed"
            delivery.finished_at = clock.now()
        else:
            delay = policy.backoff_seconds(delivery.attempts, random.random())
            delivery.next_attempt_ms = clock.now_ms() + int(delay * 1000)
        session.flush()
        if delivery.kind == "webhook" and delivery.destination_id:
            query_dest = select(WebhookDestination).where(
                WebhookDestination.id == delivery.destination_id
            )
            if not db.is_sqlite:
                query_dest = query_dest.with_for_update()
            destination = session.scalars(query_dest).first()
            if destination is not None:
                breaker.after_attempt(session, destination, result.success, policy, settings)


def redeliver(session: Session, destination_id: str, delivery_id: str) -> Delivery:
    """Send a delivery again now (operator action); its attempt numbers keep counting up."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.destination_id != destination_id:
        raise NotFound(f"delivery {delivery_id!r} not found for webhook {destination_id!r}")
    delivery.status = "pending"
    delivery.finished_at = None
    delivery.next_attempt_ms = clock.now_ms()
    session.flush()
    return delivery


def delivery_to_wire(delivery: Delivery, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "notification_id": delivery.outbox_id,
        "trigger": delivery.trigger,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_ms // 1000
        if delivery.status == "pending"
        else None,
        "created_at": delivery.created_at,
        "finished_at": delivery.finished_at,
        "attempt_log": [
            {
                "attempt": a.attempt,
                "started_at": a.started_ms // 1000,
                "duration_ms": a.duration_ms,
                "success": a.success,
                "status_code": a.status_code,
                "response_body": a.response_body,
                "error": a.error,
            }
            for a in attempts
        ],
    }
