from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class ParticipantLock(Base):
    """One row per bookable person (grant), locked `FOR UPDATE` while a booking is made.

    Bookings lock the rows of everyone they may book, in grant-id order, so two bookings that
    share a person are serialised across processes; bookings for different people never wait.
    """

    __tablename__ = "participant_locks"

    grant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True
    )
