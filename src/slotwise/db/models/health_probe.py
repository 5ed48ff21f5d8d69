from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class HealthProbe(Base):
    """A row `/readyz` rewrites to prove the database still takes writes (a full disk or a
    read-only data directory lets reads through and fails every write)."""

    __tablename__ = "health_probes"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    written_ms: Mapped[int] = mapped_column(BigInteger)
