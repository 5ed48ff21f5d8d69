from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class Booking(Base):
    """A booking made through a configuration; its event lives in the organizer's calendar.

    Times are UTC epoch seconds, half-open. `status` is booked | pending | cancelled and only
    ever changes by compare-and-swap. `hosts` lists the emails of the configuration
    participants who were booked (the organizer first). `sealed_salt` is the guest's secret (in
    their booking_ref), sealed with the keyring (read it with bookings.salts.guest_salt);
    `organizer_secret_hash` is the SHA-256 of the organizer's, which confirms a pending booking
    (see slotwise.capabilities).
    """

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_configuration_start", "configuration_id", "start_ts"),
        Index("ix_bookings_group_event", "group_event_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    configuration_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("configurations.id", ondelete="CASCADE")
    )
    event_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # A seat in a group event: the occurrence's event id (event_id stays None, since the
    # event is the group's, not the booking's own).
    group_event_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    organizer_grant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    organizer_calendar_id: Mapped[str] = mapped_column(String(64))
    organizer_email: Mapped[str] = mapped_column(String(320))
    organizer_name: Mapped[str | None] = mapped_column(String(320), nullable=True)
    hosts: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))
    sealed_salt: Mapped[str] = mapped_column(Text)
    organizer_secret_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    guest: Mapped[dict[str, Any]] = mapped_column(JSON)
    additional_guests: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    additional_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    guest_timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    email_language: Mapped[str] = mapped_column(String(8), default="en")
    start_ts: Mapped[int] = mapped_column(BigInteger)
    end_ts: Mapped[int] = mapped_column(BigInteger)
    cancellation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
