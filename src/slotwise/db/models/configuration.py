from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class Configuration(Base):
    """A v3 scheduling configuration (booking page).

    `document` holds the whole object as the client sent it (minus `id`), returned faithfully;
    `slug`, `requires_session_auth` and `round_robin_group_id` are copies kept as columns
    because they are queried. Readers of `document` (emails, reminders) find
    `event_booking.reminders`, `event_booking.disable_emails`, `event_booking.timezone` and
    the `scheduler` URL templates there.
    """

    __tablename__ = "configurations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    grant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    requires_session_auth: Mapped[bool] = mapped_column(Boolean, default=False)
    round_robin_group_id: Mapped[str | None] = mapped_column(String(500), nullable=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
