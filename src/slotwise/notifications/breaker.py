"""The destination circuit breaker (reference §8.4), scaled by DeliveryPolicy.

- active → failing: every attempt of the last `failing_after` seconds (at least one) failed at
  a rate of at least `failure_ratio`, and the current run of failures began at least
  `failing_after` seconds ago.
- failing → failed: the attempts since the destination became failing, over at least
  `failed_after` seconds, failed at a rate of at least `failure_ratio`. A failed destination
  gets no attempts until the operator re-activates it (PUT status "active", re-verified).
- failing → active: a success that brings the failure rate since it became failing below
  `failure_ratio`.
Every change of state is emailed to the destination's notification_email_addresses.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from slotwise import clock
from slotwise.config import DeliveryPolicy, Settings
from slotwise.db.models import Delivery, WebhookDestination
from slotwise.ids import new_id
from slotwise.notifications import email
from slotwise.notifications.outbox import notification_id
from slotwise.webhooks import repository


def _failure_rate(session: Session, destination_id: str, since_ms: int) -> tuple[int, float]:
    total, failed = repository.attempt_counts(session, destination_id, since_ms)
    return total, (failed / total if total else 0.0)


def after_attempt(
    session: Session,
    destination: WebhookDestination,
    success: bool,
    policy: DeliveryPolicy,
    settings: Settings,
) -> None:
    """Update the destination's state after one recorded attempt (same transaction)."""
    now_ms = clock.now_ms()
    old = destination.status
    if success:
        destination.failure_streak_since_ms = None
    elif destination.failure_streak_since_ms is None:
        destination.failure_streak_since_ms = now_ms
    new = old
    if old == "active" and not success:
        window_ms = int(policy.failing_after_seconds * 1000)
        streak = destination.failure_streak_since_ms or now_ms
        count, rate = _failure_rate(session, destination.id, now_ms - window_ms)
        if now_ms - streak >= window_ms and count and rate >= policy.failure_ratio:
            new = "failing"
    elif old == "failing":
        since_ms = destination.status_updated_at * 1000
        count, rate = _failure_rate(session, destination.id, since_ms)
        if success and rate < policy.failure_ratio:
            new = "active"
        elif (
            not success
            and now_ms - since_ms >= int(policy.failed_after_seconds * 1000)
            and count
            and rate >= policy.failure_ratio
        ):
            new = "failed"
    if new != old:
        destination.status = new
        destination.status_updated_at = clock.now()
        destination.updated_at = clock.now()
        tell_owners(session, destination, old, new, settings)


def tell_owners(
    session: Session, destination: WebhookDestination, old: str, new: str, settings: Settings
) -> None:
    """Queue one email per notification address about a change of state."""
    if not email.smtp_configured(settings):
        return
    subject = f"Slotwise webhook {destination.webhook_url} is now {new}"
    text = (
        f"The webhook destination {destination.id} ({destination.webhook_url}) changed state "
        f"from {old} to {new}.\n\n"
        + {
            "failing": "Most deliveries to it have failed for a while; Slotwise keeps retrying.",
            "failed": "Deliveries have kept failing, so Slotwise stopped sending to it. "
            'Re-activate it with PUT /v3/webhooks/{id} and status "active" once it is fixed.',
            "active": "Deliveries succeed again.",
        }.get(new, "")
    )
    now = clock.now()
    for address in destination.notification_email_addresses or []:
        session.add(
            Delivery(
                id=new_id(),
                kind="email",
                outbox_id=None,
                destination_id=None,
                trigger=f"webhook.status.{new}",
                order_key=f"webhook:{destination.id}/to:{address}",
                sequence=notification_id(),
                message=email.compose(settings, [address], subject, text),
                status="pending",
                attempts=0,
                next_attempt_ms=clock.now_ms(),
                created_at=now,
            )
        )
