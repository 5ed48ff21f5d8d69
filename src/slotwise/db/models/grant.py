from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class Grant(Base):
    """A connected account (v3 grant). Everything a grant owns is deleted with it (cascade)."""

    __tablename__ = "grants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(320), nullable=True)
    grant_status: Mapped[str] = mapped_column(String(16), default="valid")
    scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


# Every participant lookup matches emails case-insensitively (availability, free/busy, bookings),
# so `lower(email)` needs its own index; the unique one on `email` cannot serve it.
Index("ix_grants_email_lower", func.lower(Grant.email))
