from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base


class ProviderCalendar(Base):
    """Where a Slotwise calendar lives on its provider, and how far its mirror has synced.

    `checked_at` is the last sync attempt (success or not): it decides staleness, so a server
    that is down is not asked again on every request. `synced_at` is the last success and
    `error` the last failure (cleared on success). `revision` grows with every applied sync:
    a sync fetched without locks is applied only if nobody applied one in between.
    """

    __tablename__ = "provider_calendars"

    calendar_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("calendars.id", ondelete="CASCADE"), primary_key=True
    )
    grant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    # The remote calendar's URL, sealed with the keyring: an ICS feed's URL is its credential.
    sealed_url: Mapped[str] = mapped_column(Text)
    ctag: Mapped[str | None] = mapped_column(Text, nullable=True)
    sync_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    etag: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(100), nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    checked_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    synced_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class ProviderItem(Base):
    """One remote calendar object (an iCalendar resource) and the event row it is mirrored in.

    The event is the resource's master (or its only event); overridden instances are exception
    rows of that master.
    """

    __tablename__ = "provider_items"
    __table_args__ = (
        UniqueConstraint("calendar_id", "href", name="uq_provider_items_calendar_href"),
        Index("ix_provider_items_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    calendar_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("calendars.id", ondelete="CASCADE")
    )
    event_id: Mapped[str] = mapped_column(String(64))
    href: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text, nullable=True)


class RemoteWrite(Base):
    """A booking's event still to be written to its calendar server (or deleted there).

    Bookings commit their local event first and write it to a remote calendar after the
    commit (`events.remote_writes`), so no network call is made under the booking's locks.
    One row per event (a series' master); `revision` grows with every newer local change, so a
    write that took the older version does not clear the newer one. A write that keeps failing
    is retried with backoff; its last error stays here for the operator.
    """

    __tablename__ = "remote_writes"
    __table_args__ = (Index("ix_remote_writes_due", "next_attempt_ms"),)

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    calendar_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("calendars.id", ondelete="CASCADE")
    )
    revision: Mapped[int] = mapped_column(Integer, default=1)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_ms: Mapped[int] = mapped_column(BigInteger)
    claimed_until_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
