from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class GroupEvent(Base):
    """An event of the organizer's calendar that a group configuration sells seats in.

    `event_id` is the calendar event (the master of a recurring series: every occurrence has
    `capacity` seats of its own). The event itself stays an ordinary event of the calendar
    (events.service); this row only says which configuration offers it, and how many guests
    each occurrence takes.
    """

    __tablename__ = "group_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    configuration_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("configurations.id", ondelete="CASCADE"), index=True
    )
    grant_id: Mapped[str] = mapped_column(String(64))
    calendar_id: Mapped[str] = mapped_column(String(64))
    capacity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class WaitlistEntry(Base):
    """A guest waiting for a seat in one occurrence of a full group event.

    `occurrence_id` is the occurrence's event id (an instance id for a recurring series).
    `position` orders the line (1 first), assigned under the organizer's booking lock.
    `status` is waiting | booked (given a seat: `booking_id`) | left. `request` keeps what the
    guest sent (guest, additional guests and fields, time zone, language) to book it later.
    """

    __tablename__ = "group_waitlist"
    __table_args__ = (Index("ix_group_waitlist_occurrence", "occurrence_id", "status", "position"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    configuration_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("configurations.id", ondelete="CASCADE"), index=True
    )
    occurrence_id: Mapped[str] = mapped_column(String(64))
    start_ts: Mapped[int] = mapped_column(BigInteger)
    end_ts: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    guest_email: Mapped[str] = mapped_column(String(320))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    booking_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
