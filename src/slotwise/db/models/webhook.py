from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class WebhookDestination(Base):
    """A URL that receives signed notifications for the triggers it subscribes to.

    `status` is active | failing | failed | pause (reference §8.1, §8.4). `failure_streak_since_ms`
    is when (epoch ms) the current run of failed attempts began
    (NULL after a success). `configuration_id` is set on a scheduling page's reminder
    `webhook_url`: it receives that configuration's webhook reminders only, and is neither
    listed by /v3/webhooks nor fanned out to.
    """

    __tablename__ = "webhook_destinations"
    __table_args__ = (
        Index("ix_webhook_destinations_configuration", "configuration_id", "webhook_url"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    trigger_types: Mapped[list[str]] = mapped_column(JSON)
    webhook_url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    notification_email_addresses: Mapped[list[str]] = mapped_column(JSON)
    compressed_delivery: Mapped[bool] = mapped_column(Boolean, default=False)
    # The signing secret, encrypted with the keyring (it must be read back to sign).
    sealed_secret: Mapped[str] = mapped_column(Text)
    failure_streak_since_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status_updated_at: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    configuration_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Delivery(Base):
    """One notification to one target: a webhook destination (kind "webhook") or an email.

    Deliveries of one `order_key` (the object a notification is about, e.g. "booking:<id>") to
    one target go out in `sequence` order. Times ending in `_ms` are epoch milliseconds, so that
    retry backoff can be shorter than a second in tests; everything else is epoch seconds.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_due", "status", "next_attempt_ms"),
        Index("ix_deliveries_order", "destination_id", "order_key", "sequence"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    outbox_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    destination_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("webhook_destinations.id", ondelete="CASCADE"), nullable=True
    )
    trigger: Mapped[str] = mapped_column(String(100))
    order_key: Mapped[str] = mapped_column(String(200))
    sequence: Mapped[str] = mapped_column(String(64))
    message: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_ms: Mapped[int] = mapped_column(BigInteger)
    claimed_until_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class DeliveryAttempt(Base):
    """What happened on one attempt of a delivery (kept for the operator's listing)."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (Index("ix_delivery_attempts_destination", "destination_id", "started_ms"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("deliveries.id", ondelete="CASCADE"), index=True
    )
    destination_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attempt: Mapped[int] = mapped_column(Integer)
    started_ms: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int] = mapped_column(Integer)
    success: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Reminder(Base):
    """A booking reminder due at `due_at` (start − minutes_before_event).

    status: pending | sent | skipped | cancelled | failed (its email could not be built). `kind`
    is webhook or email; `recipient` is
    all | host | guest (emails only). `payload` is the booking notification that scheduled it
    (a reschedule replaces the booking's pending reminders, a cancellation cancels them).
    """

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "status", "due_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    booking_id: Mapped[str] = mapped_column(String(64), index=True)
    configuration_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(16))
    email_subject: Mapped[str | None] = mapped_column(Text, nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    minutes_before_event: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(BigInteger)
    fired_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # A page reminder's own endpoint (webhook reminders only); NULL: the registered webhooks.
    webhook_url: Mapped[str | None] = mapped_column(Text, nullable=True)


class IcalSequence(Base):
    """The iCalendar SEQUENCE of a booking's invitation, raised on every change emailed."""

    __tablename__ = "ical_sequences"

    booking_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[int] = mapped_column(BigInteger)
