from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class RateLimitCounter(Base):
    """Hits of one rate-limit key (e.g. "book:addr:203.0.113.7") in its current fixed window.

    One row per key, updated by a single INSERT … ON CONFLICT, so that every process on the
    database counts into the same row. A hit in a later window starts the count again.
    """

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, index=True)
    hits: Mapped[int] = mapped_column(Integer)
