from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class OutboxMessage(Base):
    """Something to tell the outside world, written in the transaction of the change it reports.

    The worker fans each message out (webhook destinations, emails) and records every attempt.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "dispatched_at", "created_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    trigger: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[int] = mapped_column(BigInteger)
    dispatched_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
