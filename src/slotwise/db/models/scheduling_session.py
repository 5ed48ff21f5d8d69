from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class SchedulingSession(Base):
    """A short-lived bearer token that opens one (usually private) configuration.

    The token is shown once, when the session is made; the row is keyed by its SHA-256 hex.
    """

    __tablename__ = "scheduling_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    configuration_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("configurations.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
