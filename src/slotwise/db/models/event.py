from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.db.base import Base

# The longest span of a "short" event. Window queries look back only this far from the window's
# start through (calendar_id, start_ts, end_ts), so their cost follows the window, not a
# calendar's whole past; the few longer events (multi-day) have their own partial index on
# (calendar_id, end_ts). The predicate is spelt the same way in the queries (it must match
# literally for either database to use a partial index).
SHORT_SPAN_SECONDS = 2 * 86400
LONG_SPAN_PREDICATE = f"end_ts - start_ts > {SHORT_SPAN_SECONDS}"
# Busy single events, the rows availability reads (spelt as the busy query's own terms render
# on each database, so the planners see that the query implies the index's predicate). On
# SQLite only the short ones that are not cancelled: a term the predicate implies is not
# evaluated again event by event, which was a third of the busy read's scan there.
BUSY_SINGLES_POSTGRESQL = "busy AND NOT is_recurring"
BUSY_SINGLES_SQLITE = (
    f"busy = 1 AND is_recurring = 0 AND status != 'cancelled'"
    f" AND end_ts - start_ts <= {SHORT_SPAN_SECONDS}"
)


class Event(Base):
    """A calendar event. Times are UTC epoch seconds, half-open [start_ts, end_ts).

    A recurring master stores its first occurrence in start_ts/end_ts, its RRULE/EXDATE lines in
    `recurrence`, and in `recur_until` the end of its last occurrence (NULL when unbounded), so a
    window query can pick masters without expanding them. Instances are expanded on read.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_calendar_span", "calendar_id", "start_ts", "end_ts"),
        # Recurring masters alone (few per calendar), by the end of their last occurrence,
        # then their first start: an open-ended series (recur_until NULL) starting before a
        # window's end is two equalities and a range here, which SQLite prefers to
        # ix_events_calendar_span with statistics or without (migration 0028).
        Index(
            "ix_events_calendar_masters",
            "calendar_id",
            "recur_until",
            "start_ts",
            postgresql_where=text("is_recurring"),
            sqlite_where=text("is_recurring = 1"),
        ),
        # Covering for the busy read (events.busy.read_busy): an index-only range scan.
        Index(
            "ix_events_busy_singles",
            "calendar_id",
            "start_ts",
            "end_ts",
            "status",
            "busy",
            "is_recurring",
            postgresql_where=text(BUSY_SINGLES_POSTGRESQL),
            sqlite_where=text(BUSY_SINGLES_SQLITE),
        ),
        Index("ix_events_key5", "key5"),
        Index("ix_events_master", "master_event_id"),
        Index(
            "ix_events_calendar_long",
            "calendar_id",
            "end_ts",
            postgresql_where=text(LONG_SPAN_PREDICATE),
            sqlite_where=text(LONG_SPAN_PREDICATE),
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("grants.id", ondelete="CASCADE"), index=True
    )
    calendar_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("calendars.id", ondelete="CASCADE")
    )
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    location: Mapped[str | None] = mapped_column(Text, nullable=True)
    busy: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    when: Mapped[dict[str, Any]] = mapped_column(JSON)
    start_ts: Mapped[int] = mapped_column(BigInteger)
    end_ts: Mapped[int] = mapped_column(BigInteger)
    # The IANA zone the event's wall-clock times are in: recurrences expand in it and all-day
    # events span its midnights. NULL means UTC.
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    is_recurring: Mapped[bool] = mapped_column(Boolean, default=False)
    recurrence: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    recur_until: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Set on a stored exception to a recurring series: the master's id and the instance's
    # original start (the master carries an EXDATE for it).
    master_event_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    original_start_ts: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    participants: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    event_metadata: Mapped[dict[str, str]] = mapped_column("metadata", JSON, default=dict)
    key1: Mapped[str | None] = mapped_column(String(500), nullable=True)
    key2: Mapped[str | None] = mapped_column(String(500), nullable=True)
    key3: Mapped[str | None] = mapped_column(String(500), nullable=True)
    key4: Mapped[str | None] = mapped_column(String(500), nullable=True)
    key5: Mapped[str | None] = mapped_column(String(500), nullable=True)
    organizer: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ical_uid: Mapped[str | None] = mapped_column(String(500), nullable=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Fields stored and returned faithfully but never queried (conferencing, reminders, ...).
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    # A round-robin booking's event: its number in the configuration's bookings (1, 2, …),
    # taken under the booking's locks, so bookings in one second still rotate in order.
    rotation_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
