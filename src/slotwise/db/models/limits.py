from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class BookingHost(Base):
    """One booked host (grant) of a booking: what booking limits count per person.

    A booking's `hosts` column keeps the emails as booked; this row ties each of them to a
    grant so that a host's bookings across every configuration are one indexed read. The
    booking's status and times are read from the booking itself, so cancelling or moving it
    needs no change here.
    """

    __tablename__ = "booking_hosts"

    booking_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    grant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class GrantLimits(Base):
    """A grant's booking limits across every configuration (PUT …/scheduling/limits), stored
    as the checked document (`scheduling.schemas.GrantLimitsDocument`)."""

    __tablename__ = "grant_limits"

    grant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True
    )
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[int] = mapped_column(BigInteger)
