from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class Hold(Base):
    """A slot a guest holds while filling in the booking form (`scheduling.holds`).

    Live while `expires_at` is in the future: expiry is a comparison, never a job. The guest is
    `guest_key`: their lower-cased email when the hold named one, else the hold's own secret's
    digest; one row per guest and configuration (the unique constraint). `client_key` is a
    digest of the taker's address, which caps the live holds one address keeps. The guest's
    secret is kept as its SHA-256 (`slotwise.capabilities`).
    """

    __tablename__ = "holds"
    __table_args__ = (
        UniqueConstraint("configuration_id", "guest_key", name="uq_holds_guest"),
        Index("ix_holds_configuration_expiry", "configuration_id", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    configuration_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("configurations.id", ondelete="CASCADE")
    )
    guest_key: Mapped[str] = mapped_column(String(320))
    client_key: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64))
    start_ts: Mapped[int] = mapped_column(BigInteger)
    end_ts: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)


class HoldHost(Base):
    """A host (grant) a hold keeps free: holds block that person in every configuration."""

    __tablename__ = "hold_hosts"

    hold_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("holds.id", ondelete="CASCADE"), primary_key=True
    )
    grant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
